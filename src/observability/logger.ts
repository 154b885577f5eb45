/**
 * observability/ — one pino logger per process. Lines carry an `event` name per state change and
 * the message/queue ids; bodies, passwords and keys are never logged (redaction as a backstop).
 */
import pino, { type Logger } from 'pino';

export function createLogger(level: string, pretty: boolean): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'sealpost' },
    redact: { paths: ['password', '*.password', 'pass', '*.pass', 'secret', '*.secret', 'body', '*.body'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } });
  return pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
