/** `sealpost start`: everything in one process; SIGTERM/SIGINT drain gracefully. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { startApp, resolvePath } from '../app.js';
import { loadConfigFile } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { runInit } from './init.js';

export interface StartOptions {
  readonly configFile: string;
  readonly pretty: boolean;
  /** create the config with `init` defaults when it does not exist yet (what `npm start` does) */
  readonly init: boolean;
}

export async function runStart(options: StartOptions): Promise<number> {
  // Spool, queue, capture files and keys hold message bodies and secrets: private by default.
  process.umask(0o027);
  if (options.init && !existsSync(options.configFile)) {
    const { file } = runInit({ dir: dirname(options.configFile), domain: 'example.com', force: false });
    process.stderr.write(`First run: wrote ${file} with the defaults (edit it, then restart).\n`);
  }
  const loaded = loadConfigFile(options.configFile);
  const logger = createLogger(loaded.config.logging.level, options.pretty);
  const app = await startApp(loaded, { logger });
  const main = app.listeners[0]!;
  const domain = loaded.config.internalDomains[0]!.replace(/^\*\./, '');
  const capture = resolvePath(loaded.baseDir, loaded.config.capture.dir);
  process.stderr.write(
    [
      '',
      `Sealpost is running. SMTP on ${main.host}:${main.port}.`,
      'Send a test message (put [secure] in the subject to ask for encryption: a recipient without a certificate or PGP key gets a password PDF, the password goes to the sender):',
      `  printf 'From: alice@${domain}\\r\\nTo: bob@elsewhere.test\\r\\nSubject: hello\\r\\n\\r\\nHi Bob\\r\\n' > /tmp/hello.eml`,
      `  curl -s smtp://${main.host}:${main.port} --mail-from alice@${domain} --mail-rcpt bob@elsewhere.test -T /tmp/hello.eml`,
      loaded.config.relay.outbound === 'capture' || loaded.config.relay.inbound === 'capture'
        ? `Mail for the 'capture' next hop lands in ${capture} as .eml files.`
        : `Outbound mail goes to ${loaded.config.relay.outbound.replace(/\/\/[^@/]*@/, '//')}, inbound to ${loaded.config.relay.inbound.replace(/\/\/[^@/]*@/, '//')}.`,
      'Watch the queue with: npx sealpost queue list --all',
      ...(app.portal.url ? [`The recipients' portal: ${app.portal.url}`] : []),
      '',
    ].join('\n'),
  );
  return new Promise((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ event: 'gateway.stopping', signal }, 'draining');
      app.stop().then(
        () => resolveExit(0),
        (err) => {
          logger.error({ event: 'gateway.stop.failed', err }, 'stop failed');
          resolveExit(2);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
