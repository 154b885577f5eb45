/**
 * A promise-shaped wrapper around one nodemailer SMTPConnection.
 *
 * nodemailer's client reports some failures only as an 'error' event followed by 'end' (a 4xx
 * greeting, a socket dropped during AUTH or RSET) without calling the operation's callback; an
 * unhandled 'error' event would crash the process. Every operation here therefore settles on
 * whichever comes first: its callback, or the connection ending (with the last error seen).
 * SECURITY: credentials go only to conn.login(); nodemailer masks them in its own logs.
 */
import { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import SMTPConnection, { type SMTPConnectionOptions, type SMTPConnectionSendInfo, type SMTPEnvelope } from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { HopAuth, SmtpHop } from './next-hop.js';
import type { TlsSummary } from './types.js';

export interface ConnectionSettings {
  /** EHLO name */
  readonly name?: string;
  readonly connectTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  /** inactivity limit for every later step, the end-of-DATA reply included */
  readonly socketTimeoutMs: number;
  /** extra trust anchors for TLS verification (system store otherwise) */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  /** refuse unverified certificates on smtps:// and submission:// */
  readonly verifyTls: boolean;
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

function connectionOptions(hop: SmtpHop, s: ConnectionSettings): SMTPConnectionOptions {
  const base: SMTPConnectionOptions = {
    host: hop.host,
    port: hop.port,
    connectionTimeout: s.connectTimeoutMs,
    greetingTimeout: s.greetingTimeoutMs,
    socketTimeout: s.socketTimeoutMs,
    socketCloseTimeout: 1000,
    logger: false,
  };
  if (s.name) base.name = s.name;
  const ca = s.ca === undefined ? {} : { ca: s.ca };
  switch (hop.kind) {
    case 'smtp':
      // Opportunistic (RFC 3207 + RFC 7435): any certificate is accepted so TLS still protects
      // against passive listeners; whether it verified is recorded honestly in the outcome.
      return { ...base, secure: false, opportunisticTLS: true, tls: { ...ca, rejectUnauthorized: false } };
    case 'smtps':
      return { ...base, secure: true, tls: { ...ca, rejectUnauthorized: s.verifyTls } };
    case 'submission':
      // requireTLS: no STARTTLS, no session — credentials never cross a plaintext link.
      return { ...base, secure: false, requireTLS: true, tls: { ...ca, rejectUnauthorized: s.verifyTls } };
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

  constructor(readonly hop: SmtpHop, settings: ConnectionSettings) {
    this.conn = new SMTPConnection(connectionOptions(hop, settings));
    this.conn.on('error', (err: NodemailerError) => {
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

  /** Connects, greets, upgrades with STARTTLS as the hop asks, and authenticates. */
  async open(auth: HopAuth | undefined): Promise<void> {
    await this.run<void>((done) => this.conn.connect((err) => done(err)));
    // After connect() the last reply is the (post-STARTTLS) EHLO reply: the extensions that apply.
    this.extensions = parseExtensions(this.conn.lastServerResponse);
    const socket = this.conn._socket;
    if (socket && socket.remoteAddress) {
      const ip = isIP(socket.remoteAddress) === 6 ? `[${socket.remoteAddress}]` : socket.remoteAddress;
      this.remote = isIP(this.hop.host) ? `${ip}:${socket.remotePort}` : `${this.hop.host}[${socket.remoteAddress}]:${socket.remotePort}`;
    }
    if (socket instanceof TLSSocket) {
      this.tls = {
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher()?.name ?? 'unknown',
        // authorized covers both the chain and the host-name check (Node runs
        // checkServerIdentity even when rejectUnauthorized is false).
        verified: socket.authorized === true,
      };
    }
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
