/**
 * One SMTP listener: smtp-server configured for a gateway, wired to our hooks, started/stopped.
 *
 * SECURITY: the listener faces the Internet. TLS 1.2 is the floor; a failed TLS handshake or a
 * socket error is one client's problem and must never take the process down, so the server's
 * 'error' event is always handled. STANDARDS: RFC 5321, RFC 3207, RFC 8314 (implicit TLS),
 * RFC 1870, RFC 6152, RFC 6531, RFC 2920, RFC 2034.
 */
import { format } from 'node:util';
import type { Logger } from 'pino';
import type { SMTPServerOptions } from 'smtp-server';
import { SealpostError } from '../errors/index.js';
import { CredentialCheck, FailureThrottle } from './auth.js';
import { createDataHandler } from './message-handler.js';
import { createRelayPolicy, isLoopbackHost } from './relay-rules.js';
import { createSelfSignedIdentity, type PemIdentity } from './self-signed.js';
import { disabledCommands, sessionHooks, type EdgeContext } from './session-hooks.js';
import { EdgeSmtpServer } from './smtp-reply.js';
import type { ListenerOptions, ReceiveDeps, SmtpListener } from './types.js';

/** RFC 5321 §4.5.3.2.7: a server should wait at least five minutes for the next command. */
const SOCKET_TIMEOUT_MS = 5 * 60_000;
/** how long stop() lets sessions in flight finish before they get 421 */
const SHUTDOWN_GRACE_MS = 5_000;

function validate(options: ListenerOptions): void {
  const fail = (detail: string): never => {
    throw new SealpostError('SP_ERR_CONFIG_INVALID', detail, { stage: 'receive', listener: options.name });
  };
  if (options.requireTls && !options.starttls && !options.implicitTls) fail('requireTls needs starttls or implicitTls, or no message can ever be sent');
  if (options.auth.required && options.auth.users.length === 0) fail('auth.required needs at least one user');
  for (const [key, value] of [['maxMessageSize', options.maxMessageSize], ['maxConnectionsPerIp', options.maxConnectionsPerIp], ['maxRecipients', options.maxRecipients], ['maxHops', options.maxHops]] as const) {
    if (!Number.isInteger(value) || value < 1) fail(`${key} must be a positive integer, got ${String(value)}`);
  }
}

/** smtp-server's own log lines (commands, replies; AUTH redacted) only at trace level. */
function libraryLogger(log: Logger): SMTPServerOptions['logger'] {
  if (!log.isLevelEnabled('trace')) return false;
  const trace = log.child({ event: 'receive.smtp.trace' });
  // smtp-server passes bunyan-style (obj, 'S:', payload): format here, pino would drop the extras
  const write = (obj: unknown, ...args: unknown[]): void => trace.trace(obj as object, format(...args));
  return { trace: write, debug: write, info: write, warn: write, error: write, fatal: write, level: 'trace' } as unknown as SMTPServerOptions['logger'];
}

export function createSmtpListener(options: ListenerOptions, deps: ReceiveDeps): SmtpListener {
  validate(options);
  const log = deps.logger.child({ listener: options.name });
  const ctx: EdgeContext = {
    options,
    deps,
    log,
    policy: createRelayPolicy(options),
    now: deps.now ?? Date.now,
    loopback: isLoopbackHost(options.host),
    credentials: new CredentialCheck(options.auth.users),
    throttle: new FailureThrottle(),
    sessions: new WeakMap(),
    perIp: new Map(),
  };
  const needsCertificate = options.implicitTls || options.starttls;
  let server: EdgeSmtpServer | null = null;

  const onError = (err: Error & { code?: string; remoteAddress?: string; meta?: { remoteAddress?: string } }): void => {
    const remoteAddress = err.remoteAddress ?? err.meta?.remoteAddress;
    if (remoteAddress !== undefined || err.meta !== undefined) {
      // a peer that hung up, spoke garbage or failed the handshake: routine on the Internet
      log.debug({ event: 'receive.connection.error', remoteAddress, code: err.code, err: err.message }, 'client connection error');
      return;
    }
    log.error({ event: 'receive.listener.error', code: err.code, err }, 'listener error');
  };

  async function start(): Promise<{ host: string; port: number }> {
    if (server !== null) throw new SealpostError('SP_ERR_INTERNAL', 'listener already started', { stage: 'receive', listener: options.name });
    let identity: PemIdentity | null = options.tls;
    if (needsCertificate && identity === null) {
      identity = await createSelfSignedIdentity(options.hostname, ctx.now());
      log.info({ event: 'receive.tls.self-signed', certificateName: options.hostname }, 'no certificate configured: using a generated self-signed one');
    }
    const hooks = sessionHooks(ctx);
    const smtp = new EdgeSmtpServer({
      name: options.hostname,
      secure: options.implicitTls,
      ...(identity ? { key: identity.key, cert: identity.cert } : {}),
      minVersion: 'TLSv1.2',
      hideSTARTTLS: !options.starttls || options.implicitTls,
      disabledCommands: disabledCommands(ctx, options.implicitTls),
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      hideREQUIRETLS: true,
      size: options.maxMessageSize,
      maxRecipients: options.maxRecipients,
      authMethods: ['PLAIN', 'LOGIN'],
      // we decide ourselves when AUTH is required (onMailFrom) and when it is offered (disabledCommands)
      authOptional: true,
      allowInsecureAuth: ctx.loopback,
      socketTimeout: SOCKET_TIMEOUT_MS,
      closeTimeout: SHUTDOWN_GRACE_MS,
      logger: libraryLogger(log),
      ...hooks,
      onData: createDataHandler(ctx),
    });
    smtp.on('error', onError);
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(new SealpostError('SP_ERR_INTERNAL', `cannot listen on ${options.host}:${options.port}: ${err.message}`, { stage: 'receive', listener: options.name }, { cause: err }));
      smtp.server.once('error', failed);
      smtp.listen(options.port, options.host, () => {
        smtp.server.off('error', failed);
        resolve();
      });
    });
    server = smtp;
    const address = smtp.server.address();
    const bound = typeof address === 'object' && address !== null ? { host: address.address, port: address.port } : { host: options.host, port: options.port };
    log.info({ event: 'receive.listener.started', ...bound, implicitTls: options.implicitTls, starttls: options.starttls, direction: options.direction }, 'listening');
    return bound;
  }

  async function stop(): Promise<void> {
    const smtp = server;
    if (smtp === null) return;
    server = null;
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    log.info({ event: 'receive.listener.stopped' }, 'listener stopped');
  }

  return { name: options.name, start, stop };
}
