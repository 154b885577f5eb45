/**
 * A promise-shaped wrapper around one nodemailer SMTPConnection.
 *
 * nodemailer's client reports some failures only as an 'error' event followed by 'end' (a 4xx
 * greeting, a socket dropped during AUTH or RSET) without calling the operation's callback; an
 * unhandled 'error' event would crash the process. Every operation here therefore settles on
 * whichever comes first: its callback, or the connection ending (with the last error seen).
 * SECURITY: credentials go only to conn.login(), after the TLS policy has accepted the session;
 * nodemailer masks them in its own logs. A mandatory TLS level never continues in plaintext.
 */
import { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import SMTPConnection, { type SMTPConnectionOptions, type SMTPConnectionSendInfo, type SMTPEnvelope } from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { HopAuth } from './next-hop.js';
import { checkPeer, MANDATORY_LEVELS, type AppliedTls } from './tls-policy.js';
import type { TlsSummary } from './types.js';

export interface ConnectionSettings {
  /** EHLO name */
  readonly name?: string;
  readonly connectTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  /** inactivity limit for every later step, the end-of-DATA reply included */
  readonly socketTimeoutMs: number;
  /** trust anchors for TLS verification (they replace the system store) */
  readonly ca?: string | Buffer | Array<string | Buffer>;
}

/** One server to talk to: where, under which name, with which TLS policy and credentials. */
export interface SessionTarget {
  /** where to connect: an IP address (MX delivery) or the relay's host name */
  readonly host: string;
  readonly port: number;
  /** the server's name in results and messages: the MX host name, or the relay's host */
  readonly name: string;
  /** TLS from the first byte (smtps://) instead of STARTTLS */
  readonly implicitTls: boolean;
  readonly tls: AppliedTls;
  readonly auth?: HopAuth;
}

/** A session refused by the TLS policy (never falls back to plaintext): always deferred. */
export class TlsPolicyError extends Error {
  readonly code = 'ETLSPOLICY';
  constructor(message: string, readonly enhanced: string) {
    super(message);
    this.name = 'TlsPolicyError';
  }
}

/** The recipient bookkeeping nodemailer writes onto the envelope object it was given. */
export interface TrackedEnvelope extends SMTPEnvelope {
  accepted?: string[];
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  mailError?: NodemailerError;
}

/** EHLO facts we act on (parsed from the reply itself: nodemailer keeps its own copy private). */
export interface Extensions {
  /** false when the last reply was not an EHLO reply (HELO fallback, refused STARTTLS) */
  readonly known: boolean;
  readonly names: ReadonlySet<string>;
  /** SIZE limit, 0 when none was announced */
  readonly maxSize: number;
}

function connectionOptions(target: SessionTarget, s: ConnectionSettings): SMTPConnectionOptions {
  const servername = isIP(target.name) ? undefined : target.name;
  const base: SMTPConnectionOptions = {
    host: target.host,
    port: target.port,
    connectionTimeout: s.connectTimeoutMs,
    greetingTimeout: s.greetingTimeoutMs,
    socketTimeout: s.socketTimeoutMs,
    socketCloseTimeout: 1000,
    logger: false,
    ...(servername ? { servername } : {}),
    // The handshake accepts any certificate: checkPeer() judges it afterwards, against the policy,
    // before MAIL or AUTH. Node's name check is off so `authorized` means the chain alone.
    tls: { ...(s.ca === undefined ? {} : { ca: s.ca }), rejectUnauthorized: false, checkServerIdentity: () => undefined, ...(servername ? { servername } : {}) },
  };
  if (s.name) base.name = s.name;
  if (target.implicitTls) return { ...base, secure: true };
  switch (target.tls.level) {
    case 'none':
      return { ...base, secure: false, ignoreTLS: true };
    case 'may':
      // Opportunistic (RFC 3207 + RFC 7435): a refused STARTTLS continues in plaintext.
      return { ...base, secure: false, opportunisticTLS: true };
    default:
      // Mandatory: STARTTLS when announced; open() refuses a session that stayed in plaintext.
      return { ...base, secure: false };
  }
}

export function parseExtensions(ehlo: string | false): Extensions {
  const names = new Set<string>();
  let maxSize = 0;
  if (!ehlo || !/^250[ -]/.test(ehlo)) return { known: false, names, maxSize };
  for (const line of ehlo.split(/\r?\n/).slice(1)) {
    const words = line.replace(/^\d{3}[ -]/, '').trim().split(/\s+/);
    const name = (words[0] ?? '').toUpperCase();
    if (name === '') continue;
    names.add(name);
    if (name === 'SIZE') maxSize = Number(words[1]) || 0;
  }
  return { known: true, names, maxSize };
}

export class LiveConnection {
  readonly conn: SMTPConnection;
  /** failures seen on the connection (nodemailer emits them before it ends the connection) */
  private lastError: NodemailerError | null = null;
  private ended = false;
  private readonly endWaiters = new Set<() => void>();
  extensions: Extensions = { known: false, names: new Set(), maxSize: 0 };
  tls: TlsSummary | null = null;
  remote: string | undefined;
  /** messages sent over this connection */
  sent = 0;

  constructor(readonly target: SessionTarget, settings: ConnectionSettings) {
    this.conn = new SMTPConnection(connectionOptions(target, settings));
    this.conn.on('error', (err: NodemailerError) => {
      // A socket dropped mid-handshake is reported as a plain socket error: mark it as TLS's.
      if ((this.conn as unknown as { upgrading?: boolean }).upgrading === true) Object.assign(err, { duringStartTls: true });
      this.lastError = err;
    });
    this.conn.on('end', () => {
      this.ended = true;
      for (const wake of this.endWaiters) wake();
      this.endWaiters.clear();
    });
  }

  get usable(): boolean {
    return !this.ended && !this.conn.destroyed;
  }

  /** Runs one callback-style operation; rejects if the connection ends before it answers. */
  private run<T>(start: (done: (err: NodemailerError | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onEnd = (): void => {
        if (settled) return;
        settled = true;
        const err: NodemailerError = this.lastError ?? Object.assign(new Error('connection closed unexpectedly'), { code: 'ECONNECTION' });
        reject(err);
      };
      if (this.ended) return onEnd();
      this.endWaiters.add(onEnd);
      start((err, value) => {
        if (settled) return;
        settled = true;
        this.endWaiters.delete(onEnd);
        if (err) reject(err);
        else resolve(value as T);
      });
    });
  }

  /** The server as messages name it: "mx.example.net[192.0.2.1]:25" (known before connecting for MX targets), or the relay's host name. */
  get peer(): string {
    if (this.remote) return this.remote;
    const { host, name, port } = this.target;
    if (!isIP(host)) return name;
    const ip = isIP(host) === 6 ? `[${host}]` : host;
    return name === host ? `${ip}:${port}` : `${name}[${host}]:${port}`;
  }

  /**
   * Connects, greets, upgrades with STARTTLS as the policy asks, checks the certificate against
   * the policy, and authenticates. A TLS policy refusal throws TlsPolicyError.
   */
  async open(): Promise<void> {
    await this.run<void>((done) => this.conn.connect((err) => done(err)));
    // After connect() the last reply is the (post-STARTTLS) EHLO reply: the extensions that apply.
    this.extensions = parseExtensions(this.conn.lastServerResponse);
    const socket = this.conn._socket;
    if (socket && socket.remoteAddress) {
      const ip = isIP(socket.remoteAddress) === 6 ? `[${socket.remoteAddress}]` : socket.remoteAddress;
      this.remote = isIP(this.target.name) ? `${ip}:${socket.remotePort}` : `${this.target.name}[${socket.remoteAddress}]:${socket.remotePort}`;
    }
    const policy = this.target.tls;
    if (socket instanceof TLSSocket) {
      const check = checkPeer(policy, socket, this.peer);
      this.tls = {
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher()?.name ?? 'unknown',
        verified: check.verified,
        policy: policy.level,
        ...(check.fingerprint ? { fingerprint: check.fingerprint } : {}),
      };
      if (check.failure) throw new TlsPolicyError(check.failure, '4.7.5');
    } else if (MANDATORY_LEVELS.has(policy.level)) {
      throw new TlsPolicyError(`TLS required but not offered by ${this.peer} (policy ${policy.level})`, '4.7.4');
    }
    const auth = this.target.auth;
    if (auth) {
      await this.run<boolean>((done) => this.conn.login({ user: auth.user, pass: auth.pass }, (err, ok) => done(err, ok)));
    }
  }

  /** RSET before reusing a session: clears leftover transaction state and proves the peer is alive. */
  reset(): Promise<boolean> {
    return this.run<boolean>((done) => this.conn.reset((err, ok) => done(err, ok)));
  }

  /** One transaction; the envelope object comes back with nodemailer's per-recipient bookkeeping. */
  send(envelope: TrackedEnvelope, body: Buffer): Promise<SMTPConnectionSendInfo> {
    this.sent++;
    return this.run<SMTPConnectionSendInfo>((done) => this.conn.send(envelope, body, (err, info) => done(err, info)));
  }

  /** QUIT politely, then make sure the socket is gone shortly after. */
  quit(graceMs = 1000): Promise<void> {
    if (!this.usable) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.conn.close();
        resolve();
      }, graceMs);
      timer.unref();
      this.endWaiters.add(() => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.conn.quit();
      } catch {
        this.conn.close();
      }
    });
  }

  close(): void {
    this.conn.close();
  }
}
