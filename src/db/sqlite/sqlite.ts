/**
 * db/sqlite — the embedded engine: opening the file, pragmas, and the claim/transaction flavour.
 *
 * Durability promise (DESIGN §6): a 250 is given only after a commit that survives kill -9 and
 * power loss. Hence journal_mode=WAL (readers never block the writer) with synchronous=FULL
 * (every commit fsyncs the WAL; NORMAL would only survive a process crash, not power loss).
 * Transactions start with BEGIN IMMEDIATE: a CLI command and the gateway may write to the same
 * file, and a deferred transaction that reads first and writes later can fail with SQLITE_BUSY
 * without the busy handler being consulted; taking the write lock up front makes busy_timeout
 * apply and makes a claim's SELECT+UPDATE atomic across processes.
 * SECURITY: the file holds message bodies; it is created with the process umask (the caller
 * sets a restrictive one); nothing here logs row contents.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, sql, SqliteDriver, type DatabaseConnection, type Driver, type SqlBool, type SqliteDialectConfig } from 'kysely';
import { SealpostError } from '../../errors/index.js';
import type { Database, Engine } from '../engine.js';
import type { Schema } from '../schema.js';

// Short on purpose: better-sqlite3 waits synchronously, so a long wait would freeze every SMTP
// session of the process while another process holds the lock; failing fast gives 451 instead.
export const SQLITE_BUSY_TIMEOUT_MS = 1000;
const sqlStrict = sql`strict`;

export const sqliteEngine: Engine = {
  name: 'sqlite',
  // STRICT tables accept only these type names; INTEGER is 64-bit in SQLite
  types: { int64: 'integer', int32: 'integer', bytes: 'blob', text: 'text' },
  finishTable: (builder) => builder.modifyEnd(sqlStrict),
  // one writer at a time (BEGIN IMMEDIATE) already serialises claims: no row lock clause exists
  lockForClaim: (query) => query,
  idAmong: (candidates) => sql<SqlBool>`id in (${candidates})`,
};


/** kysely's driver with BEGIN IMMEDIATE instead of a deferred BEGIN (see header). */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
}

function unavailable(path: string, what: string, cause: unknown): SealpostError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SealpostError('SP_ERR_STORE_UNAVAILABLE', `${what} ${path}: ${why}`, { path, stage: 'store-open' }, { cause });
}

/**
 * Opens (creating when missing) a SQLite database file and applies the pragmas; `path` is
 * absolute or ':memory:'. Migration and the write probe are the caller's (open.ts), so both
 * engines share them.
 */
export async function openSqlite(path: string, options: { secureDelete?: boolean } = {}): Promise<Database> {
  const memory = path === ':memory:';
  if (!memory) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw unavailable(path, 'cannot create the directory for the database', err);
    }
  }
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(path);
  } catch (err) {
    throw unavailable(path, 'cannot open the database', err);
  }
  try {
    // WAL is persistent in the file; asking again is cheap and reports what we actually got
    const mode = raw.pragma('journal_mode = WAL', { simple: true });
    if (!memory && String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL could not be enabled`);
    raw.pragma('synchronous = FULL');
    raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    raw.pragma('foreign_keys = ON');
    // deleted rows (processed spool bodies) are overwritten instead of lingering in free pages
    if (options.secureDelete) raw.pragma('secure_delete = ON');
    // read back: a pragma silently ignored would void the durability promise
    if (raw.pragma('synchronous', { simple: true }) !== 2) throw new Error('synchronous=FULL was not applied');
    if (raw.pragma('foreign_keys', { simple: true }) !== 1) throw new Error('foreign_keys=ON was not applied');
  } catch (err) {
    raw.close();
    throw unavailable(path, 'cannot configure the database', err);
  }

  // kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing was
  // ~8% of the relay path's CPU in the bench. Same SQL text → same statement.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const database = {
    prepare(text: string): BetterSqlite3.Statement {
      let statement = statements.get(text);
      if (!statement) {
        statement = raw.prepare(text);
        if (statements.size >= 500) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
    close(): void {
      raw.close();
    },
  };
  const kysely = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: database as unknown as BetterSqlite3.Database }) });
  let closed = false;
  return {
    kysely,
    engine: sqliteEngine,
    location: path,
    get closed() {
      return closed;
    },
    // one node per SQLite file: nothing to coordinate with, so a singleton job simply runs
    async runSingleton<T>(_name: string, fn: () => Promise<T>) {
      return { ran: true as const, value: await fn() };
    },
    async claimNodeName() {
      // one gateway per file; nothing to coordinate with
    },
    async close() {
      if (closed) return;
      closed = true;
      // kysely.destroy() closes the handle at once; taking the (single) connection first waits
      // until a transaction in progress has committed or rolled back
      await kysely.connection().execute(async () => undefined).catch(() => undefined);
      await kysely.destroy();
    },
  };
}
