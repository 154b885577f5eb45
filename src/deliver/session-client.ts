/**
 * Pooled SMTP sessions: runs one transaction against one SessionTarget (a relay, or one address
 * of one MX host) and reports what happened at which stage, so callers can decide what next —
 * the smarthost deliverer takes the result as is, the MX deliverer tries the next host after a
 * setup failure or a 4xx.
 *
 * Sessions are reused per target (same address, port, name, TLS policy and credentials): an idle
 * session is checked with RSET before it carries another message.
 * SECURITY: a `may` session whose TLS handshake fails is retried once in plaintext (Postfix does
 * the same); every mandatory level fails closed. Credentials only reach LiveConnection.open().
 */
import { createHash } from 'node:crypto';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { SealpostError } from '../errors/index.js';
import { LiveConnection, type ConnectionSettings, type SessionTarget } from './connection.js';
import { ConnectionPool, DeliverClosedError } from './pool.js';
import { chooseBody, deferred, isHandshakeFailure, setupVerdict, transact, type Envelope, type Form, type Verdict } from './transaction.js';
import type { RecipientResult, TlsSummary } from './types.js';

/** pino-compatible subset */
export interface DeliverLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SessionLimits {
  /** simultaneous sessions per destination (default 10) */
  concurrencyPerHop?: number;
  /** idle sessions kept per destination (default 4) */
  maxIdlePerHop?: number;
  /** idle sessions are closed after this (default 30 s) */
  idleTimeoutMs?: number;
  /** a session is retired after this many messages (default 100) */
  maxMessagesPerConnection?: number;
}

/** Context for logs: never a body, never a password. */
export interface JobContext {
  readonly messageId: string;
  readonly queueIds: readonly string[];
  /** describeHop() of the job's hop */
  readonly hop: string;
}

export interface SessionAttempt {
  /**
   * `setup`: no transaction took place (connect, greeting, EHLO, STARTTLS, TLS policy, AUTH);
   * every recipient has the same result. `transaction`: the server judged the envelope.
   * `closed`: the client was closed; nothing was tried.
   */
  readonly stage: 'setup' | 'transaction' | 'closed';
  readonly results: RecipientResult[];
  readonly tls: TlsSummary | null;
  /** e.g. "mx.example.net[192.0.2.1]:25", when a connection was made */
  readonly remote?: string;
  /** for jobs requiring verified TLS: the form chosen for this session */
  readonly form?: Form;
}

export class SessionClient {
  private readonly pool: ConnectionPool<LiveConnection>;
  private readonly active = new Set<LiveConnection>();
  private readonly maxMessages: number;
  private closedFlag = false;

  constructor(
    private readonly settings: ConnectionSettings,
    limits: SessionLimits = {},
    private readonly logger?: DeliverLogger,
  ) {
    this.pool = new ConnectionPool({
      concurrency: Math.max(1, limits.concurrencyPerHop ?? 10),
      maxIdle: Math.max(0, limits.maxIdlePerHop ?? 4),
      idleTimeoutMs: limits.idleTimeoutMs ?? 30_000,
    });
    this.maxMessages = Math.max(1, limits.maxMessagesPerConnection ?? 100);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** One transaction to one target. Never throws. */
  async run(target: SessionTarget, job: Envelope, context: JobContext): Promise<SessionAttempt> {
    const all = (v: Verdict): RecipientResult[] => job.recipients.map((recipient) => ({ recipient, ...v }));
    if (this.closedFlag) return { stage: 'closed', tls: null, results: all(deferred('deliverer is closed')) };
    const key = targetKey(target);
    try {
      await this.pool.acquire(key);
    } catch (err) {
      return { stage: 'closed', tls: null, results: all(deferred(err instanceof DeliverClosedError ? 'deliverer is closed' : String(err))) };
    }
    let live: LiveConnection | undefined;
    try {
      live = await this.checkout(key, target, context);
      this.active.add(live);
      const chosen = chooseBody(job, live.tls);
      if ('refused' in chosen) {
        // nothing was sent: the session stays usable for other jobs
        this.active.delete(live);
        this.pool.putIdle(key, live);
        return withRemote({ stage: 'setup', tls: live.tls, results: all(chosen.refused), form: chosen.form }, live);
      }
      const { results, reusable } = await transact(live, { ...job, body: chosen.body }, this.settings.socketTimeoutMs);
      this.active.delete(live);
      if (reusable && !this.closedFlag && live.sent < this.maxMessages) this.pool.putIdle(key, live);
      else this.pool.dispose(live);
      return withRemote({ stage: 'transaction', tls: live.tls, results, ...(chosen.form ? { form: chosen.form } : {}) }, live);
    } catch (err) {
      // Only setup failures and our own bugs get here; both defer so no mail is lost.
      if (live) {
        this.active.delete(live);
        live.close();
      }
      const failed = (err as { live?: LiveConnection }).live;
      const ne = err as NodemailerError;
      const fromPeer = typeof ne?.message === 'string' && Boolean(ne.code || ne.response);
      const verdict = fromPeer ? setupVerdict(ne, this.settings.socketTimeoutMs, failed?.peer ?? target.name) : deferred(`internal error: ${String((err as Error)?.message ?? err)}`);
      this.log(fromPeer ? 'debug' : 'warn', err, context, verdict);
      return withRemote({ stage: 'setup', tls: failed?.tls ?? null, results: all(verdict) }, failed);
    } finally {
      this.pool.release(key);
    }
  }

  /** A reusable idle session (checked with RSET) or a freshly opened one. */
  private async checkout(key: string, target: SessionTarget, context: JobContext): Promise<LiveConnection> {
    for (let idle = this.pool.takeIdle(key); idle; idle = this.pool.takeIdle(key)) {
      try {
        await idle.reset();
        return idle;
      } catch {
        idle.close(); // the peer dropped it while idle: not a delivery failure, just open anew
      }
    }
    try {
      return await this.open(target);
    } catch (err) {
      if (target.tls.level !== 'may' || !isHandshakeFailure(err) || this.closedFlag) throw err;
      // Opportunistic TLS that cannot be negotiated: Postfix retries in plaintext, and so do we.
      this.logger?.debug({ messageId: context.messageId, queueId: context.queueIds.join(','), stage: 'deliver', hop: context.hop, server: target.name }, 'TLS handshake failed under policy may; retrying in plaintext');
      return this.open({ ...target, tls: { ...target.tls, level: 'none' } });
    }
  }

  private async open(target: SessionTarget): Promise<LiveConnection> {
    const live = new LiveConnection(target, this.settings);
    this.active.add(live);
    try {
      await live.open();
      return live;
    } catch (err) {
      live.close();
      throw Object.assign(err as object, { live });
    } finally {
      this.active.delete(live);
    }
  }

  /** Session failures at debug (the queue logs each item's outcome), our own bugs at warn. */
  private log(level: 'warn' | 'debug', err: unknown, job: JobContext, verdict: Verdict): void {
    if (!this.logger) return;
    const context = { messageId: job.messageId, queueId: job.queueIds.join(','), stage: 'deliver', hop: job.hop };
    const code =
      level === 'warn' ? 'SP_ERR_INTERNAL'
      : verdict.response.startsWith('TLS ') ? 'SP_ERR_DELIVER_TLS_REQUIRED'
      : verdict.status === 'bounced' ? 'SP_ERR_DELIVER_REJECTED'
      : verdict.code !== undefined ? 'SP_ERR_DELIVER_TEMPFAIL'
      : 'SP_ERR_DELIVER_CONNECT';
    const wrapped = new SealpostError(code, verdict.response, context, { cause: err });
    this.logger[level]({ err: wrapped, ...context, status: verdict.status }, level === 'warn' ? 'delivery failed unexpectedly; deferred' : 'next hop session failed');
  }

  /** Number of pooled sessions for a target (tests, metrics). */
  stats(target: SessionTarget): { active: number; idle: number; waiting: number } {
    return this.pool.stats(targetKey(target));
  }

  /** Ends everything: waiting jobs and sessions in use are deferred, idle sessions QUIT. */
  async close(): Promise<void> {
    this.closedFlag = true;
    for (const live of this.active) live.close();
    await this.pool.close();
  }
}

function withRemote(attempt: SessionAttempt, live: LiveConnection | undefined): SessionAttempt {
  return live?.remote ? { ...attempt, remote: live.remote } : attempt;
}

/** Sessions are shared only between jobs for the same server, TLS policy and credentials. */
export function targetKey(t: SessionTarget): string {
  const auth = t.auth ? createHash('sha256').update(`${t.auth.user}\0${t.auth.pass}`).digest('hex').slice(0, 16) : '';
  const tls = [t.implicitTls ? 'implicit' : 'starttls', t.tls.level, t.tls.hostname, t.tls.nexthop, ...t.tls.fingerprints].join(',');
  return `${t.name}|${t.host}:${t.port}|${tls}|${auth}`;
}
