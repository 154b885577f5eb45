/**
 * SMTP-time session hooks (connect, secure, auth, mail, rcpt, close): the small closed set of
 * checks that may refuse before DATA (DESIGN §2). Everything else runs after the spool commit.
 *
 * SECURITY: every input here comes from an unauthenticated peer. AUTH is offered only once the
 * session is encrypted (or on a loopback listener); relaying needs a relayFrom address or AUTH.
 * STANDARDS: RFC 5321, RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 3463 (status codes).
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { CredentialCheck, FailureThrottle } from './auth.js';
import { decideRecipient, sessionMayRelay, type RelayPolicy } from './relay-rules.js';
import { smtpError } from './smtp-reply.js';
import type { ListenerOptions, ReceiveDeps } from './types.js';

/** What we remember about a session beyond smtp-server's own session object. */
export interface SessionState {
  /** counted against maxConnectionsPerIp, so onClose must release it */
  counted: boolean;
  /** negotiated protocol (TLSv1.3...), from the TLS socket */
  tlsProtocol: string | null;
}

export interface EdgeContext {
  readonly options: ListenerOptions;
  readonly deps: ReceiveDeps;
  readonly log: Logger;
  readonly policy: RelayPolicy;
  readonly now: () => number;
  /** AUTH may be offered without TLS: nobody else can see a loopback wire */
  readonly loopback: boolean;
  readonly credentials: CredentialCheck;
  readonly throttle: FailureThrottle;
  readonly sessions: WeakMap<SMTPServerSession, SessionState>;
  readonly perIp: Map<string, number>;
}

export function stateOf(ctx: EdgeContext, session: SMTPServerSession): SessionState {
  let state = ctx.sessions.get(session);
  if (!state) {
    state = { counted: false, tlsProtocol: null };
    ctx.sessions.set(session, state);
  }
  return state;
}

export function mayRelay(ctx: EdgeContext, session: SMTPServerSession): boolean {
  return sessionMayRelay(ctx.policy, session.remoteAddress, Boolean(session.user));
}

/**
 * Commands hidden from this session. AUTH stays hidden on a cleartext non-loopback session so no
 * client is tempted to send a password in the clear (smtp-server would only refuse it afterwards).
 */
export function disabledCommands(ctx: EdgeContext, secure: boolean): string[] {
  // smtp-server's sendmail jokes (WIZ, SHELL, KILL) only tell a scanner which software answers
  const disabled: string[] = ['WIZ', 'SHELL', 'KILL'];
  if (!ctx.options.starttls || ctx.options.implicitTls) disabled.push('STARTTLS');
  if (!ctx.credentials.enabled || (!secure && !ctx.loopback)) disabled.push('AUTH');
  return disabled;
}

type Callback = (err?: Error | null) => void;
type Hooks = Required<Pick<SMTPServerOptions, 'onConnect' | 'onSecure' | 'onAuth' | 'onMailFrom' | 'onRcptTo' | 'onClose'>>;

export function sessionHooks(ctx: EdgeContext): Hooks {
  const { options, log } = ctx;

  const onConnect = (session: SMTPServerSession, callback: Callback): void => {
    const ip = session.remoteAddress;
    const open = (ctx.perIp.get(ip) ?? 0) + 1;
    ctx.perIp.set(ip, open);
    stateOf(ctx, session).counted = true;
    session.disabledCommands = disabledCommands(ctx, session.secure);
    if (open > options.maxConnectionsPerIp) {
      log.info({ event: 'receive.connection.refused', remoteAddress: ip, open, limit: options.maxConnectionsPerIp }, 'too many connections from one address');
      callback(smtpError(421, '4.7.0', 'Too many connections from your address, try again later'));
      return;
    }
    log.debug({ event: 'receive.connection.opened', session: session.id, remoteAddress: ip, clientHostname: session.clientHostname }, 'connection opened');
    callback();
  };

  const onSecure = (socket: net.Socket | tls.TLSSocket, session: SMTPServerSession, callback: Callback): void => {
    const protocol = 'getProtocol' in socket ? socket.getProtocol() : null;
    stateOf(ctx, session).tlsProtocol = protocol;
    // RFC 3207 §4.2: the session starts over under TLS, and now AUTH may be offered
    session.disabledCommands = disabledCommands(ctx, true);
    log.debug({ event: 'receive.connection.secured', session: session.id, remoteAddress: session.remoteAddress, protocol, cipher: session.tlsOptions ? session.tlsOptions.name : null }, 'TLS established');
    callback();
  };

  const onAuth = (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void): void => {
    const ip = session.remoteAddress;
    const username = auth.username ?? '';
    if (session.envelope.mailFrom) {
      // RFC 4954 §4: AUTH is not permitted during a mail transaction
      callback(smtpError(503, '5.5.1', 'AUTH not permitted during a mail transaction'));
      return;
    }
    if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') {
      callback(smtpError(504, '5.5.4', 'Unrecognized authentication type'));
      return;
    }
    if (ctx.throttle.blocked(ip)) {
      log.info({ event: 'receive.auth.blocked', session: session.id, remoteAddress: ip, method: auth.method }, 'authentication refused');
      callback(smtpError(421, '4.7.0', 'Too many failed authentication attempts, try again later'));
      return;
    }
    // an authorization identity other than the authenticated one would be impersonation (RFC 4616 §2)
    const impersonating = auth.method === 'PLAIN' && auth.authzid !== undefined && auth.authzid !== '' && auth.authzid !== auth.authcid;
    const user = impersonating ? null : ctx.credentials.verify(username, auth.password ?? '');
    if (user !== null) {
      log.info({ event: 'receive.auth.succeeded', session: session.id, remoteAddress: ip, method: auth.method, user }, 'authenticated');
      callback(null, { user });
      return;
    }
    const delay = ctx.throttle.fail(ip);
    log.info({ event: 'receive.auth.failed', session: session.id, remoteAddress: ip, method: auth.method, user: ctx.credentials.knows(username) ? username : null, delayMs: delay }, 'authentication failed');
    setTimeout(() => callback(smtpError(535, '5.7.8', 'Authentication credentials invalid')), delay).unref();
  };

  const onMailFrom = (address: SMTPServerAddress, session: SMTPServerSession, done: Callback): void => {
    // Answer on a later tick. smtp-server 3.21's SMTPStream.continue() runs the continuation for the
    // commands pipelined after a message and only then clears it; if those commands reach the next
    // end of DATA synchronously, the continuation stored for that message is wiped and the session
    // hangs (RFC 2920 lets a client send "content . MAIL RCPT DATA content ." in one group).
    const callback: Callback = (err) => setImmediate(() => done(err));
    if (options.requireTls && !session.secure) {
      callback(smtpError(530, '5.7.0', 'Must issue a STARTTLS command first'));
      return;
    }
    if (options.auth.required && !session.user) {
      callback(smtpError(530, '5.7.0', 'Authentication required'));
      return;
    }
    log.debug({ event: 'receive.sender.accepted', session: session.id, from: address.address }, 'MAIL FROM accepted');
    callback();
  };

  const onRcptTo = (address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void => {
    const relay = mayRelay(ctx, session);
    const decision = decideRecipient(ctx.policy, address.address, relay);
    if (!decision.ok) {
      log.info({ event: 'receive.recipient.refused', session: session.id, remoteAddress: session.remoteAddress, recipient: address.address, reason: decision.reason, mayRelay: relay }, 'relay access denied');
      callback(smtpError(554, '5.7.1', 'Relay access denied'));
      return;
    }
    log.debug({ event: 'receive.recipient.accepted', session: session.id, recipient: address.address, direction: decision.direction }, 'RCPT TO accepted');
    callback();
  };

  const onClose = (session: SMTPServerSession): void => {
    const state = ctx.sessions.get(session);
    if (state?.counted) {
      state.counted = false;
      const left = (ctx.perIp.get(session.remoteAddress) ?? 1) - 1;
      if (left <= 0) ctx.perIp.delete(session.remoteAddress);
      else ctx.perIp.set(session.remoteAddress, left);
    }
    log.debug({ event: 'receive.connection.closed', session: session.id, remoteAddress: session.remoteAddress }, 'connection closed');
  };

  return { onConnect, onSecure, onAuth, onMailFrom, onRcptTo, onClose: (session, _cb) => onClose(session) };
}
