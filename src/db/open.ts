/**
 * db/open — turns `storage.url` into an open, migrated, writable Database.
 *
 * Fails at open, never later: after migrating, a row is written and committed, so a read-only
 * file, a full disk, a directory we cannot write, an unreachable PostgreSQL server or a read-only
 * standby surfaces now as SP_ERR_STORE_UNAVAILABLE naming the path or the redacted URL — not as a
 * 451 on the first message. Several nodes may open (and migrate) one PostgreSQL database at the
 * same moment: kysely's migrator serialises them with an advisory lock.
 * SECURITY: a PostgreSQL URL may carry a password; `location` and errors use the URL without it.
 */
import { isAbsolute, resolve } from 'node:path';
import { SealpostError } from '../errors/index.js';
import type { Database } from './engine.js';
import { migrateToLatest } from './migrations/index.js';
import { openPostgres, redactPostgresUrl, type PostgresOptions } from './postgres/postgres.js';
import { openSqlite } from './sqlite/sqlite.js';

export type { Database, Engine, EngineName, SingletonRun } from './engine.js';
export type { PostgresOptions } from './postgres/postgres.js';

export interface OpenOptions {
  /** PostgreSQL pool settings (ignored for SQLite) */
  readonly postgres?: PostgresOptions;
  /** directory that relative sqlite paths are resolved against (the config file's directory); default: cwd */
  readonly baseDir?: string;
  /** clock for the open marker; tests pin it */
  readonly now?: () => number;
  /** SQLite: overwrite deleted content (storage.secureDelete) */
  readonly secureDelete?: boolean;
}

export type StorageLocation = { readonly engine: 'sqlite'; readonly path: string } | { readonly engine: 'postgres'; readonly url: string };

/** `sqlite:./data/x.db`, `sqlite:/abs/x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`, `postgres://…` */
export function parseStorageUrl(url: string, baseDir: string = process.cwd()): StorageLocation {
  if (url.startsWith('sqlite:')) {
    let rest = url.slice('sqlite:'.length);
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (rest === ':memory:') return { engine: 'sqlite', path: ':memory:' };
    if (rest === '') throw new SealpostError('SP_ERR_CONFIG_INVALID', 'storage.url "sqlite:" needs a file path, e.g. sqlite:./data/sealpost.db', { path: 'storage.url' });
    return { engine: 'sqlite', path: isAbsolute(rest) ? rest : resolve(baseDir, rest) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', url };
  throw new SealpostError('SP_ERR_CONFIG_INVALID', `storage.url must start with sqlite: or postgres:// (got "${redact(url)}")`, { path: 'storage.url' });
}

/** URL without its password (`user:pw@` and `?password=`), for messages. */
export function redact(url: string): string {
  return redactPostgresUrl(url);
}

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  const where = parseStorageUrl(url, opts.baseDir);
  const db = where.engine === 'postgres' ? await openPostgres(where.url, opts.postgres) : await openSqlite(where.path, { secureDelete: opts.secureDelete ?? false });
  try {
    await migrateToLatest(db.kysely, db.engine);
    const now = (opts.now ?? Date.now)();
    // the write probe: proves the file (and its WAL/-shm siblings) can really be written
    await db.kysely
      .insertInto('meta')
      .values({ key: 'last_open', value: JSON.stringify({ at: now, pid: process.pid }), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
      .execute();
  } catch (err) {
    await db.close().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new SealpostError('SP_ERR_STORE_UNAVAILABLE', `cannot prepare or write the database ${db.location}: ${why}`, { path: db.location, stage: 'store-open' }, { cause: err });
  }
  return db;
}
