/**
 * The store contracts on SQLite (a fresh file per test under os.tmpdir()), plus what only SQLite
 * has: pragmas, file-level failures at open, a full database, kill -9, two connections.
 * Run: node --import tsx --test test/contracts/*.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createStores, openDatabase, parseStorageUrl, type StoreOptions, type Stores } from '../../src/db/index.js';
import { migrations } from '../../src/db/migrations/index.js';
import { runQueueStoreContract } from './queue-store.contract.js';
import { runSpoolStoreContract } from './spool-store.contract.js';
import { commit, message, rejectsWith, T0, uid, type MakeHarness, type StoreHarness } from './store-fixtures.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sealpost-db-'));
  dirs.push(d);
  return d;
}

const makeSqlite: MakeHarness = async (opts: StoreOptions = {}): Promise<StoreHarness> => {
  const dir = await tempDir();
  // a nested path: openDatabase must create the parent directories
  const url = `sqlite:${join(dir, 'data', 'nested', 'sealpost.db')}`;
  let stores: Stores = createStores(await openDatabase(url), opts);
  return {
    get stores() {
      return stores;
    },
    async reopen() {
      await stores.close();
      stores = createStores(await openDatabase(url), opts);
      return stores;
    },
    async poisonSpoolInserts(prefix: string) {
      await sql`create trigger test_poison before insert on spool_entries when substr(new.id, 1, ${sql.lit(prefix.length)}) = ${sql.lit(prefix)} begin select raise(abort, 'poisoned by the test'); end`.execute(stores.database.kysely);
    },
    async cleanup() {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

runSpoolStoreContract('sqlite file', makeSqlite);
runQueueStoreContract('sqlite file', makeSqlite);

describe('SQLite specifics', () => {
  test('pragmas: WAL, synchronous=FULL, busy_timeout, foreign keys', async () => {
    const dir = await tempDir();
    const db = await openDatabase(`sqlite:${join(dir, 'p.db')}`);
    try {
      const one = async (p: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${p}`).execute(db.kysely)).rows[0]!)[0];
      assert.equal(await one('journal_mode'), 'wal');
      assert.equal(await one('synchronous'), 2, 'FULL');
      assert.equal(await one('foreign_keys'), 1);
      assert.ok(Number(await one('busy_timeout')) >= 1000);
      assert.equal(db.engine.name, 'sqlite');
    } finally {
      await db.close();
    }
  });

  test('relative paths resolve against baseDir; parent directories are created', async () => {
    const dir = await tempDir();
    const db = await openDatabase('sqlite:./deep/er/x.db', { baseDir: dir });
    assert.equal(db.location, join(dir, 'deep', 'er', 'x.db'));
    await db.close();
    assert.deepEqual(parseStorageUrl('sqlite::memory:'), { engine: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseStorageUrl('sqlite:///var/x.db'), { engine: 'sqlite', path: '/var/x.db' });
    assert.deepEqual(parseStorageUrl('sqlite:data/x.db', '/srv'), { engine: 'sqlite', path: '/srv/data/x.db' });
    assert.throws(() => parseStorageUrl('mysql://h/db'), { code: 'SP_ERR_CONFIG_INVALID' });
    assert.throws(() => parseStorageUrl('sqlite:'), { code: 'SP_ERR_CONFIG_INVALID' });
    assert.deepEqual(parseStorageUrl('postgresql://u@h/db'), { engine: 'postgres', url: 'postgresql://u@h/db' });
    assert.throws(() => parseStorageUrl('mysql://u:secret@h/db'), (e: Error) => !/secret/.test(e.message));
  });

  test('runSingleton just runs on SQLite (one node); minIntervalMs and claimNodeName still behave', async () => {
    const clock = { now: T0 };
    const stores = createStores(await openDatabase('sqlite::memory:'), { now: () => clock.now });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const first = stores.runSingleton('purge', () => gate.then(() => 'a'));
      assert.deepEqual(await stores.runSingleton('purge', async () => 'b'), { ran: true, value: 'b' }, 'no lock to wait for or skip on');
      release();
      assert.deepEqual(await first, { ran: true, value: 'a' });
      assert.deepEqual(await stores.runSingleton('purge', async () => 'c', { minIntervalMs: 60_000 }), { ran: false, reason: 'ran-recently' });
      clock.now += 60_000;
      assert.deepEqual(await stores.runSingleton('purge', async () => 'd', { minIntervalMs: 60_000 }), { ran: true, value: 'd' });
      await stores.database.claimNodeName('n1');
      await stores.database.claimNodeName('n1');
    } finally {
      await stores.close();
    }
  });

  test('sqlite::memory: works for quick tests', async () => {
    const stores = createStores(await openDatabase('sqlite::memory:'));
    const id = uid('M');
    await stores.spool.accept(message(id));
    assert.equal((await stores.spool.claim('w', 1, 1000, Date.now())).length, 1);
    await stores.close();
  });

  test('open fails clearly when the parent "directory" is a regular file', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'file.txt'), 'not a directory');
    const path = join(dir, 'file.txt', 'db.sqlite');
    const err = await rejectsWith(openDatabase(`sqlite:${path}`), 'SP_ERR_STORE_UNAVAILABLE');
    assert.equal(err.context.path, path);
    assert.match(err.message, /file\.txt\/db\.sqlite/);
  });

  test('open fails clearly in a directory nobody can create files in (even root: /proc)', async () => {
    const err = await rejectsWith(openDatabase('sqlite:/proc/sealpost-test.db'), 'SP_ERR_STORE_UNAVAILABLE');
    assert.equal(err.context.path, '/proc/sealpost-test.db');
  });

  test('open fails clearly when the path is a directory, or a file that is not a database', async () => {
    const dir = await tempDir();
    mkdirSync(join(dir, 'is-a-dir.db'));
    await rejectsWith(openDatabase(`sqlite:${join(dir, 'is-a-dir.db')}`), 'SP_ERR_STORE_UNAVAILABLE');
    writeFileSync(join(dir, 'garbage.db'), Buffer.alloc(8192, 0x5a));
    const err = await rejectsWith(openDatabase(`sqlite:${join(dir, 'garbage.db')}`), 'SP_ERR_STORE_UNAVAILABLE');
    assert.match(err.message, /garbage\.db/);
  });

  test('reopening migrates nothing twice', async () => {
    const dir = await tempDir();
    const url = `sqlite:${join(dir, 'm.db')}`;
    await (await openDatabase(url)).close();
    const db = await openDatabase(url);
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
    assert.deepEqual(rows.rows.map((r) => r.name), Object.keys(migrations(db.engine)).sort());
    await db.close();
  });

  test('a full database (SQLITE_FULL) rejects every accept of the batch; the store recovers', async () => {
    const dir = await tempDir();
    const stores = createStores(await openDatabase(`sqlite:${join(dir, 'full.db')}`));
    try {
      const k = stores.database.kysely;
      const pages = Number(Object.values((await sql.raw<Record<string, unknown>>('pragma page_count').execute(k)).rows[0]!)[0]);
      await sql.raw(`pragma max_page_count = ${pages}`).execute(k);
      const ids = [uid('M'), uid('M'), uid('M')];
      const big = 'x'.repeat(200_000);
      const results = await Promise.allSettled(ids.map((id) => stores.spool.accept(message(id, ['a@x.test'], big))));
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
      for (const r of results) assert.equal(((r as PromiseRejectedResult).reason as { code: string }).code, 'SP_ERR_SPOOL_COMMIT_FAILED');
      assert.match(String(((results[0] as PromiseRejectedResult).reason as Error).message), /full/i);
      await sql.raw('pragma max_page_count = 1073741823').execute(k);
      await stores.spool.accept(message(ids[0]!, ['a@x.test'], big));
      assert.equal((await stores.spool.list()).length, 1);
    } finally {
      await stores.close();
    }
  });

  test('kill -9 right after the acknowledgement loses nothing', async () => {
    const dir = await tempDir();
    const url = `sqlite:${join(dir, 'k9.db')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sqlite-kill9-child.ts', import.meta.url)), url, '150'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errOut = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (errOut += d));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', errOut);
    assert.match(out, /acknowledged 150/);
    const stores = createStores(await openDatabase(url));
    try {
      const all = await stores.spool.list(1000);
      assert.equal(all.length, 150);
      assert.equal(all[149]?.id, 'K00149');
    } finally {
      await stores.close();
    }
  });

  test('two connections to one file (CLI + gateway): leases and settles are shared', async () => {
    const dir = await tempDir();
    const url = `sqlite:${join(dir, 'two.db')}`;
    const gw = createStores(await openDatabase(url));
    const cli = createStores(await openDatabase(url));
    try {
      const id = uid('M');
      await gw.spool.accept(message(id));
      const now = Date.now() + 1;
      assert.equal((await gw.spool.claim('gw', 10, 60_000, now)).length, 1);
      assert.equal((await cli.spool.claim('cli', 10, 60_000, now)).length, 0, 'the other connection sees the lease');
      await gw.spool.settle([commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'gw' })]);
      assert.equal((await cli.queue.list({ messageId: id })).length, 2);
      assert.equal(await cli.queue.delete((await cli.queue.list({ messageId: id }))[0]!.id), true);
      assert.equal((await gw.queue.list({ states: ['deleted'] })).length, 1);
    } finally {
      await cli.close();
      await gw.close();
    }
  });
});

test('storage.secureDelete: a deleted row leaves no trace in the database file (and without it, it does)', async () => {
  const { readFileSync } = await import('node:fs');
  const marker = `plaintext-marker-${'x'.repeat(3000)}`;
  const remains = async (secureDelete: boolean): Promise<boolean> => {
    const dir = await tempDir();
    const file = join(dir, 'sd.db');
    const db = await openDatabase(`sqlite:${file}`, { secureDelete });
    await db.kysely.insertInto('meta').values({ key: 'probe', value: marker, updated_at: 0 }).execute();
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db.kysely);
    await db.kysely.deleteFrom('meta').where('key', '=', 'probe').execute();
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db.kysely);
    await db.close();
    return readFileSync(file).includes(Buffer.from(marker));
  };
  assert.equal(await remains(false), true, 'SQLite keeps deleted content in free pages by default');
  assert.equal(await remains(true), false, 'secure_delete overwrote it');
});
