/**
 * The SMTP client side of delivery: one job = one transaction to the job's next hop.
 *
 * nodemailer's SMTPConnection speaks the protocol (EHLO/HELO, STARTTLS, AUTH, PIPELINING,
 * dot-stuffing, SIZE/8BITMIME/SMTPUTF8 parameters); this file decides what each reply means for
 * each recipient, and pools sessions per destination.
 *
 * Classification (RFC 5321 §4.2.1): 2yz delivered; 5yz bounced (503 excepted, see reply.ts);
 * 4yz, timeouts, refused/dropped connections and TLS failures deferred. Per recipient: a RCPT
 * refusal applies to that recipient only; the reply to DATA (or to the final dot) applies to
 * every recipient that RCPT accepted. Two deliberate deferrals for 5yz: a failed AUTH (a wrong
 * or rotated password is our fault, not the message's — Postfix's smtp_sasl_auth_soft_bounce)
 * and a failed STARTTLS on a hop that requires TLS.
 * SECURITY: the body goes out byte for byte (never re-encoded): nodemailer only dot-stuffs and
 * turns a bare CR/LF into CRLF, which the wire requires. A submission:// hop never sends AUTH or
 * mail without TLS; passwords appear nowhere but in the AUTH exchange.
 * STANDARDS: RFC 5321, RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 6152 (8BITMIME), RFC 6531
 * (SMTPUTF8), RFC 1870 (SIZE), RFC 2920 (PIPELINING), RFC 7435 (opportunistic security).
 */
import { createHash } from 'node:crypto';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { SealpostError } from '../errors/index.js';
import { LiveConnection, type ConnectionSettings, type TrackedEnvelope } from './connection.js';
import { describeHop, isSmtpHop, type SmtpHop } from './next-hop.js';
import { ConnectionPool, DeliverClosedError } from './pool.js';
import { classifyCode, parseReply } from './reply.js';
import { sameForAll, type DeliveryJob, type DeliveryOutcome, type RecipientResult } from './types.js';

/** pino-compatible subset */
export interface DeliverLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SmtpDelivererOptions {
  /** our EHLO name (the configured `hostname`) */
  hostname?: string;
  /** simultaneous sessions per destination (default 10) */
  concurrencyPerHop?: number;
  /** idle sessions kept per destination (default 4) */
  maxIdlePerHop?: number;
  /** idle sessions are closed after this (default 30 s) */
  idleTimeoutMs?: number;
  /** a session is retired after this many messages (default 100) */
  maxMessagesPerConnection?: number;
  timeouts?: {
    /** TCP (and implicit TLS) connect, default 30 s */
    connectMs?: number;
    /** 220 greeting and each STARTTLS handshake, default 30 s */
    greetingMs?: number;
    /**
     * inactivity limit for every step after the greeting — the reply to the final dot included
     * (RFC 5321 §4.5.3.2.6 suggests 10 min, the default)
     */
    dataMs?: number;
  };
  tls?: {
    /** trust anchors added for verification (PEM); the system store otherwise */
    ca?: string | Buffer | Array<string | Buffer>;
    /** require a verified certificate on smtps:// and submission:// (default true) */
    verify?: boolean;
  };
  logger?: DeliverLogger;
}

type Verdict = Omit<RecipientResult, 'recipient'>;

const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_)/;
const SETUP_COMMANDS = new Set(['CONN', 'EHLO', 'HELO']);
/** nodemailer codes after which the session is still in a known state and may be reused */
const SESSION_INTACT = new Set(['EENVELOPE', 'EMESSAGE']);

const deferred = (response: string, enhanced?: string): Verdict => (enhanced ? { status: 'deferred', response, enhanced } : { status: 'deferred', response });

function fromReply(raw: string): Verdict {
  const r = parseReply(raw);
  const v: { status: RecipientResult['status']; response: string; code?: number; enhanced?: string } = { status: classifyCode(r.code), response: r.text };
  if (r.code !== undefined) v.code = r.code;
  if (r.enhanced !== undefined) v.enhanced = r.enhanced;
  return v;
}

/** What a failure without a usable reply tells the operator. */
function describeError(err: NodemailerError, socketMs: number): string {
  const limit = socketMs < 10_000 ? `${socketMs} ms` : `${Math.round(socketMs / 1000)} s`;
  if (err.code === 'ETIMEDOUT' && err.message === 'Timeout') return `timeout: no reply from the next hop within ${limit}`;
  return err.message;
}

/** Failures while opening a session (greeting, EHLO, STARTTLS, AUTH). */
function setupVerdict(err: NodemailerError, socketMs: number): Verdict {
  const reply = err.response ? parseReply(err.response).text : undefined;
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return deferred(`authentication failed: ${reply ?? err.message}`, '4.7.0');
  // A refused certificate surfaces as a socket error; its original code tells it apart.
  const original = (err as { originalCode?: unknown }).originalCode;
  if (err.code === 'ETLS' || (typeof original === 'string' && TLS_FAILURE.test(original))) {
    return deferred(`TLS could not be established: ${reply ?? err.message}`, '4.7.0');
  }
  if (err.response && SETUP_COMMANDS.has(err.command ?? '')) return fromReply(err.response);
  return deferred(reply ?? describeError(err, socketMs));
}

function hasHighBytes(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return true;
  return false;
}

const nonAscii = (s: string): boolean => /[^\x00-\x7f]/.test(s);

/** What can be put between angle brackets in MAIL FROM / RCPT TO ('' only for the sender). */
function validAddress(address: string, isSender: boolean): boolean {
  if (address === '') return isSender;
  return address.length <= 320 && !/[\x00-\x20\x7f<>]/.test(address) && address.includes('@');
}

export class SmtpDeliverer {
  private readonly pool: ConnectionPool<LiveConnection>;
  private readonly active = new Set<LiveConnection>();
  private readonly settings: ConnectionSettings;
  private readonly maxMessages: number;
  private closed = false;

  constructor(private readonly options: SmtpDelivererOptions = {}) {
    this.pool = new ConnectionPool({
      concurrency: Math.max(1, options.concurrencyPerHop ?? 10),
      maxIdle: Math.max(0, options.maxIdlePerHop ?? 4),
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    });
    this.maxMessages = Math.max(1, options.maxMessagesPerConnection ?? 100);
    this.settings = {
      connectTimeoutMs: options.timeouts?.connectMs ?? 30_000,
      greetingTimeoutMs: options.timeouts?.greetingMs ?? 30_000,
      socketTimeoutMs: options.timeouts?.dataMs ?? 600_000,
      verifyTls: options.tls?.verify ?? true,
      ...(options.hostname ? { name: options.hostname } : {}),
      ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
    };
  }

  /** Delivers one job. Never throws: every failure becomes per-recipient results. */
  async deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    const hop = describeHop(job.hop);
    if (job.hop.kind === 'mx') return { hop, tls: null, results: sameForAll(job, 'deferred', 'mx delivery not implemented') };
    if (!isSmtpHop(job.hop)) return { hop, tls: null, results: sameForAll(job, 'deferred', `${hop} is not an SMTP next hop`) };
    if (job.recipients.length === 0) return { hop, tls: null, results: [] };
    if (this.closed) return { hop, tls: null, results: sameForAll(job, 'deferred', 'deliverer is closed') };
    const smtpHop = job.hop;
    const key = poolKey(smtpHop);
    try {
      await this.pool.acquire(key);
    } catch (err) {
      return { hop, tls: null, results: sameForAll(job, 'deferred', err instanceof DeliverClosedError ? 'deliverer is closed' : String(err)) };
    }
    let live: LiveConnection | undefined;
    try {
      live = await this.checkout(key, smtpHop);
      this.active.add(live);
      const { results, reusable } = await this.transact(live, job);
      this.active.delete(live);
      if (reusable && !this.closed && live.sent < this.maxMessages) this.pool.putIdle(key, live);
      else this.pool.dispose(live);
      return withPeer({ hop, tls: live.tls, results }, live);
    } catch (err) {
      // Only setup failures and our own bugs get here; both defer so no mail is lost.
      if (live) {
        this.active.delete(live);
        live.close();
      }
      const failed = (err as { live?: LiveConnection }).live;
      const ne = err as NodemailerError;
      const fromPeer = typeof ne?.message === 'string' && Boolean(ne.code || ne.response);
      const verdict = fromPeer ? setupVerdict(ne, this.settings.socketTimeoutMs) : deferred(`internal error: ${String((err as Error)?.message ?? err)}`);
      this.log(fromPeer ? 'debug' : 'warn', err, job, hop, verdict);
      return withPeer({ hop, tls: failed?.tls ?? null, results: job.recipients.map((recipient) => ({ recipient, ...verdict })) }, failed);
    } finally {
      this.pool.release(key);
    }
  }

  /** A reusable idle session (checked with RSET) or a freshly opened one. */
  private async checkout(key: string, hop: SmtpHop): Promise<LiveConnection> {
    for (let idle = this.pool.takeIdle(key); idle; idle = this.pool.takeIdle(key)) {
      try {
        await idle.reset();
        return idle;
      } catch {
        idle.close(); // the peer dropped it while idle: not a delivery failure, just open anew
      }
    }
    const live = new LiveConnection(hop, this.settings);
    this.active.add(live);
    try {
      await live.open('auth' in hop ? hop.auth : undefined);
      return live;
    } catch (err) {
      live.close();
      throw Object.assign(err as object, { live });
    } finally {
      this.active.delete(live);
    }
  }

  private async transact(live: LiveConnection, job: DeliveryJob): Promise<{ results: RecipientResult[]; reusable: boolean }> {
    const local = new Map<string, Verdict>();
    // nodemailer refuses the whole envelope for one malformed address: judge them here instead.
    if (!validAddress(job.sender, true)) {
      const v: Verdict = { status: 'bounced', response: `invalid sender address ${JSON.stringify(job.sender)}`, enhanced: '5.1.7' };
      return { results: job.recipients.map((recipient) => ({ recipient, ...v })), reusable: true };
    }
    for (const r of job.recipients) {
      if (!validAddress(r, false)) local.set(r, { status: 'bounced', response: `invalid recipient address ${JSON.stringify(r)}`, enhanced: '5.1.3' });
    }
    const ext = live.extensions;
    if (ext.maxSize > 0 && job.body.length > ext.maxSize) {
      const v: Verdict = { status: 'bounced', response: `message size ${job.body.length} exceeds the next hop's limit of ${ext.maxSize} bytes`, enhanced: '5.3.4' };
      return { results: job.recipients.map((recipient) => ({ recipient, ...v })), reusable: true };
    }
    // RFC 6531 §3.4: a non-ASCII address may only travel to a server announcing SMTPUTF8.
    // (When the EHLO reply is unknown to us, the server judges the address itself.)
    if (ext.known && !ext.names.has('SMTPUTF8')) {
      const v: Verdict = { status: 'bounced', response: 'the next hop does not support SMTPUTF8, required for this non-ASCII address', enhanced: '5.6.7' };
      if (nonAscii(job.sender)) return { results: job.recipients.map((recipient) => ({ recipient, ...v })), reusable: true };
      for (const r of job.recipients) if (nonAscii(r) && !local.has(r)) local.set(r, v);
    }
    const to = [...new Set(job.recipients.filter((r) => !local.has(r)))];
    if (to.length === 0) return { results: job.recipients.map((recipient) => ({ recipient, ...local.get(recipient)! })), reusable: true };

    // nodemailer writes accepted/rejected/rejectedErrors/mailError onto this very object.
    const envelope: TrackedEnvelope = { from: job.sender, to, size: job.body.length, use8BitMime: hasHighBytes(job.body) };
    let info: SMTPConnectionSendInfo | undefined;
    let failure: NodemailerError | undefined;
    try {
      info = await live.send(envelope, job.body);
    } catch (err) {
      failure = err as NodemailerError;
    }
    const refused = new Map<string, NodemailerError>();
    for (const e of envelope.rejectedErrors ?? []) if (e.recipient) refused.set(e.recipient, e);
    const overall = (): Verdict => {
      if (envelope.mailError?.response) return fromReply(envelope.mailError.response);
      if (info) return fromReply(info.response);
      if (failure?.response) return fromReply(failure.response);
      return deferred(describeError(failure ?? new Error('no reply'), this.settings.socketTimeoutMs));
    };
    const results = job.recipients.map((recipient): RecipientResult => {
      const mine = local.get(recipient);
      if (mine) return { recipient, ...mine };
      const rcpt = refused.get(recipient);
      // A refused MAIL FROM makes later RCPT replies meaningless (503s): the MAIL reply decides.
      if (rcpt?.response && !envelope.mailError) return { recipient, ...fromReply(rcpt.response) };
      return { recipient, ...overall() };
    });
    const reusable = live.usable && (!failure || (SESSION_INTACT.has(failure.code ?? '') && failure.responseCode !== 421));
    return { results, reusable };
  }

  /** Session failures at debug (the queue logs each item's outcome), our own bugs at warn. */
  private log(level: 'warn' | 'debug', err: unknown, job: DeliveryJob, hop: string, verdict: Verdict): void {
    if (!this.options.logger) return;
    const context = { messageId: job.messageId, queueId: job.queueIds.join(','), stage: 'deliver', hop };
    const code =
      level === 'warn' ? 'SP_ERR_INTERNAL'
      : verdict.response.startsWith('TLS could not') ? 'SP_ERR_DELIVER_TLS_REQUIRED'
      : verdict.status === 'bounced' ? 'SP_ERR_DELIVER_REJECTED'
      : verdict.code !== undefined ? 'SP_ERR_DELIVER_TEMPFAIL'
      : 'SP_ERR_DELIVER_CONNECT';
    const wrapped = new SealpostError(code, verdict.response, context, { cause: err });
    this.options.logger[level]({ err: wrapped, ...context, status: verdict.status }, level === 'warn' ? 'delivery failed unexpectedly; deferred' : 'next hop session failed');
  }

  /** Number of pooled sessions for a hop (tests, metrics). */
  stats(hop: SmtpHop): { active: number; idle: number; waiting: number } {
    return this.pool.stats(poolKey(hop));
  }

  /** Ends everything: waiting jobs and sessions in use are deferred, idle sessions QUIT. */
  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.active) live.close();
    await this.pool.close();
  }
}

function withPeer(outcome: DeliveryOutcome, live: LiveConnection | undefined): DeliveryOutcome {
  return live?.remote ? { ...outcome, remote: live.remote } : outcome;
}

/** Sessions are shared only between jobs for the same hop with the same credentials. */
function poolKey(hop: SmtpHop): string {
  const auth = 'auth' in hop && hop.auth ? createHash('sha256').update(`${hop.auth.user}\0${hop.auth.pass}`).digest('hex').slice(0, 16) : '';
  return `${describeHop(hop)}#${auth}`;
}
