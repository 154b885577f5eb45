/**
 * PostgreSQL for tests: throw-away databases on the local server.
 *
 * The server is reached through SEALPOST_TEST_PG_URL (scripts/test.sh makes sure PostgreSQL runs
 * and exports it), default postgres://postgres@127.0.0.1:5432/postgres. Each call of
 * createTestDatabase makes a fresh `sealpost_test_<pid>_<random>` database and its drop() removes
 * it (WITH (FORCE): connections a killed gateway left behind do not keep it alive). Databases of
 * earlier test processes that died before dropping theirs are swept once per process (their pid
 * is in the name and no longer runs).
 *
 * Never skips: when the server cannot be reached, requirePostgres() and createTestDatabase()
 * throw an error that says how to start it, so the test fails instead of passing silently.
 */
import pg from 'pg';

export const PG_ADMIN_URL = process.env.SEALPOST_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const PREFIX = 'sealpost_test_';

export interface TestDatabase {
  readonly name: string;
  /** postgres:// URL of the new database (same server and credentials as PG_ADMIN_URL) */
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is needed by this test but cannot be reached at ${PG_ADMIN_URL.replace(/:[^/@:]*@/, ':***@')}: ${(err as Error).message || String(err)}. ` +
        'Run the tests with `npm test` (it starts PostgreSQL), or start it yourself: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start; ' +
        'set SEALPOST_TEST_PG_URL to use another server.',
      { cause: err },
    );
  }
  client.on('error', () => undefined);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let swept: Promise<void> | null = null;

/** Drops databases of test processes that are gone (pid in the name no longer runs). */
async function sweep(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${PREFIX}%`]);
  for (const { datname } of rows) {
    const pid = Number(/^sealpost_test_(\d+)_/.exec(datname)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) await client.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
  }
}

/** Throws a clear error when the server cannot be reached (tests must fail, not skip). */
export async function requirePostgres(): Promise<{ version: string }> {
  return admin(async (client) => {
    swept ??= sweep(client).catch(() => undefined);
    await swept;
    const r = await client.query<{ server_version: string }>('show server_version');
    return { version: r.rows[0]?.server_version ?? '?' };
  });
}

/** A fresh, empty database; drop() removes it (idempotent). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(async (client) => {
    swept ??= sweep(client).catch(() => undefined);
    await swept;
    await client.query(`create database "${name}"`);
  });
  let dropped: Promise<void> | null = null;
  return {
    name,
    url: withDatabase(PG_ADMIN_URL, name),
    drop() {
      dropped ??= admin(async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`);
      });
      return dropped;
    },
  };
}

/** Runs SQL on a test database with a short-lived connection of its own (outside any pool under test). */
export async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  client.on('error', () => undefined);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
