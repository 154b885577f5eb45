/**
 * db/postgres — the cluster engine: a `pg` pool under kysely's PostgresDialect, row locks for
 * claims, advisory locks for singleton jobs.
 *
 * Same schema and queries as SQLite (db/schema.ts, migrations/): int8 for times, int4 for
 * counters, bytea for bodies, text for JSON — every text column `collate "C"`, so ORDER BY id
 * picks the same rows as SQLite's binary order whatever the database's default collation. Claims
 * add `FOR UPDATE SKIP LOCKED` to their candidate SELECT: nodes claim disjoint rows without
 * waiting for each other. node-postgres returns int8 as decimal strings; every read goes through
 * db/values.ts, so callers always get numbers (no global pg type parser is changed).
 *
 * Failure behaviour: an unreachable server fails at open (SP_ERR_STORE_UNAVAILABLE naming the
 * URL without its password); later outages (failover, restart) reject the calls in flight — the
 * spool's accept then answers 451, the workers back off — and the pool reconnects by itself.
 * A connection that dies is never allowed to crash the process (pg emits 'error' on clients).
 * SECURITY: the URL may carry a password: only `redact(url)` appears in messages and `location`,
 * and driver messages are scrubbed of the password too. No row content is logged.
 * STANDARDS: PostgreSQL ≥ 9.5 (SKIP LOCKED, ON CONFLICT); tested on 15.
 */
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type SqlBool } from 'kysely';
import pg from 'pg';
import { SealpostError } from '../../errors/index.js';
import type { Database, Engine, SingletonRun } from '../engine.js';
import type { Schema } from '../schema.js';

const textC = sql`text collate "C"`;

export const postgresEngine: Engine = {
  name: 'postgres',
  types: { int64: 'bigint', int32: 'integer', bytes: 'bytea', text: textC },
  finishTable: (builder) => builder,
  lockForClaim: (query) => query.forUpdate().skipLocked(),
  // an InitPlan: evaluated once, so a claim never leases more than its LIMIT (see Engine.idAmong)
  idAmong: (candidates) => sql<SqlBool>`id = any(array(${candidates}))`,
};

export interface PostgresOptions {
  /** connections per process (default 10; at least 2: a singleton job holds one while it runs) */
  readonly poolSize?: number;
  /** how long opening a connection may take before the call fails (default 10 s) */
  readonly connectTimeoutMs?: number;
  /** client-side limit for one statement, so a vanished server gives an error, not a hang (default 60 s) */
  readonly queryTimeoutMs?: number;
  /** shown in pg_stat_activity (default "sealpost") */
  readonly applicationName?: string;
  /** told about errors of idle or broken connections (default: process.emitWarning) */
  readonly onConnectionError?: (err: Error) => void;
}

/** URL without its password (user:pw@ and ?password=…), for messages and `location`. */
export function redactPostgresUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

function passwordOf(url: string): string | null {
  try {
    const u = new URL(url);
    const p = decodeURIComponent(u.password) || u.searchParams.get('password') || '';
    return p.length > 0 ? p : null;
  } catch {
    return null;
  }
}

/** A driver message with any occurrence of the password removed (belt and braces). */
function scrub(message: string, url: string): string {
  const pw = passwordOf(url);
  return pw ? message.split(pw).join('***') : message;
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join('; ');
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}

/** 64-bit advisory lock key for a job name (sha-256, first 8 bytes, signed). */
export function advisoryKey(name: string): string {
  const h = createHash('sha256').update(`sealpost:singleton:${name}`).digest();
  return h.readBigInt64BE(0).toString();
}

/**
 * Opens a pool and proves the server answers, is a primary (not a read-only standby) and is
 * recent enough. Migration and the write probe are the caller's (open.ts), shared with SQLite.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Database> {
  const location = redactPostgresUrl(url);
  const unavailable = (what: string, cause: unknown) =>
    new SealpostError('SP_ERR_STORE_UNAVAILABLE', `${what} ${location}: ${scrub(describe(cause), url)}`, { path: location, stage: 'store-open' }, { cause });
  const onConnectionError = opts.onConnectionError ?? ((err: Error) => process.emitWarning(`PostgreSQL connection error (${location}): ${scrub(err.message, url)}`, { code: 'SP_ERR_STORE_UNAVAILABLE' }));

  let pool: pg.Pool;
  try {
    pool = new pg.Pool({
      connectionString: url,
      max: Math.max(2, Math.floor(opts.poolSize ?? 10)),
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      query_timeout: opts.queryTimeoutMs ?? 60_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: opts.applicationName ?? 'sealpost',
    });
  } catch (err) {
    throw unavailable('cannot use the PostgreSQL URL', err);
  }
  // Idle clients: the pool re-emits their errors here. Checked-out clients emit 'error' on
  // themselves and, without a listener, would crash the process: every client gets one.
  pool.on('error', (err) => onConnectionError(err));
  pool.on('connect', (client) => {
    client.on('error', (err) => onConnectionError(err));
  });

  try {
    const client = await pool.connect();
    try {
      const r = await client.query<{ version: string; standby: boolean }>("select current_setting('server_version_num') as version, pg_is_in_recovery() as standby");
      const version = Number(r.rows[0]?.version ?? 0);
      if (version < 90500) throw new Error(`PostgreSQL ${version} is too old: 9.5 or later is needed (SKIP LOCKED, ON CONFLICT)`);
      if (r.rows[0]?.standby) throw new Error('the server is a read-only standby (in recovery): point storage.url at the primary');
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unavailable('cannot use the PostgreSQL database', err);
  }

  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  const nodeLock = new NodeNameLock(url, location, opts, onConnectionError);
  return {
    kysely,
    engine: postgresEngine,
    location,
    get closed() {
      return closed;
    },
    async runSingleton<T>(name: string, fn: () => Promise<T>): Promise<SingletonRun<T>> {
      if (closed) throw new SealpostError('SP_ERR_STORE_UNAVAILABLE', `the database ${location} is closed`, { path: location, stage: 'store' });
      const key = advisoryKey(name);
      const client = await pool.connect();
      let locked = false;
      let broken = false;
      try {
        const r = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [key]);
        locked = r.rows[0]?.locked === true;
        if (!locked) return { ran: false, reason: 'running-elsewhere' };
        return { ran: true, value: await fn() };
      } catch (err) {
        broken = !locked; // the lock query itself failed: do not reuse that connection
        throw err;
      } finally {
        if (locked) {
          // a failed unlock: drop the connection, which releases every session lock it held
          await client.query('select pg_advisory_unlock($1::bigint)', [key]).catch(() => {
            broken = true;
          });
        }
        client.release(broken);
      }
    },
    claimNodeName: (name: string) => nodeLock.claim(name),
    async close() {
      if (closed) return;
      closed = true;
      await nodeLock.release();
      // pool.end() waits for checked-out clients (transactions in progress) to be released
      await kysely.destroy();
    },
  };
}

/**
 * Holds `pg_try_advisory_lock(node:<name>)` on a connection outside the pool for as long as the
 * process runs. When that connection drops (server restart, failover), the lock goes with it:
 * it is taken again every few seconds until it succeeds (another process that took the name in
 * the meantime is reported, not fought).
 */
class NodeNameLock {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private name: string | null = null;

  constructor(
    private readonly url: string,
    private readonly location: string,
    private readonly opts: PostgresOptions,
    private readonly onError: (err: Error) => void,
  ) {}

  async claim(name: string): Promise<void> {
    if (this.name !== null) throw new Error(`node name already claimed as ${this.name}`);
    this.name = name;
    let locked: boolean;
    try {
      locked = await this.acquire();
    } catch (err) {
      this.name = null;
      throw new SealpostError('SP_ERR_STORE_UNAVAILABLE', `cannot claim the node name "${name}" on ${this.location}: ${scrub(describe(err), this.url)}`, { path: this.location, stage: 'store-open' }, { cause: err });
    }
    if (!locked) {
      this.name = null;
      throw new SealpostError(
        'SP_ERR_CONFIG_INVALID',
        `another running node already uses the node name "${name}" on ${this.location}: give every node of a cluster its own \`node:\` (lease owners are node names). If that node's host died moments ago, its session ends within about 30 s`,
        { path: 'node' },
      );
    }
  }

  /** true when locked; false when another session holds the name */
  private async acquire(): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 10_000, keepAlive: true, application_name: `${this.opts.applicationName ?? 'sealpost'} (node)`.slice(0, 63) });
    c.on('error', (err) => this.onError(err));
    try {
      await c.connect();
      // the server's view of this session: a host that dies without closing its socket is
      // noticed in ~25 s (not the system default of hours), so its name becomes free again
      await c.query("select set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '3', false)");
      const r = await c.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [advisoryKey(`node:${this.name}`)]);
      if (r.rows[0]?.locked !== true) {
        await c.end().catch(() => undefined);
        return false;
      }
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    this.client = c;
    c.once('end', () => {
      if (this.client === c) this.client = null;
      if (!this.stopped) this.retry();
    });
    return true;
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.acquire().then(
        (locked) => {
          if (!locked) {
            this.onError(new Error(`the node name "${this.name}" was taken by another process while the connection holding it was down`));
            this.retry();
          }
        },
        () => this.retry(),
      );
    }, 3000);
    this.timer.unref();
  }

  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
