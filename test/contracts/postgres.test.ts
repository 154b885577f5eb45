/**
 * The store contracts on PostgreSQL (a throw-away database per test, dropped afterwards), plus
 * what only a shared server has: several "nodes" (separate pools) claiming and settling the same
 * rows at once, SKIP LOCKED, advisory-lock singletons, connections dying under the stores, and
 * clear failures at open. Needs the local server (scripts/test.sh starts it and exports
 * SEALPOST_TEST_PG_URL); when it cannot be reached every test here FAILS with a message saying so.
 * Run: node --import tsx --test test/contracts/postgres.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { createStores, openDatabase, type StoreOptions, type Stores } from '../../src/db/index.js';
import { createTestDatabase, onDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { runQueueStoreContract } from './queue-store.contract.js';
import { runSpoolStoreContract } from './spool-store.contract.js';
import { body, commit, item, message, rejectsWith, T0, uid, type MakeHarness, type StoreHarness } from './store-fixtures.js';

const openStores = async (url: string, opts: StoreOptions = {}): Promise<Stores> => createStores(await openDatabase(url, { postgres: { poolSize: 4 } }), opts);

const makePostgres: MakeHarness = async (opts: StoreOptions = {}): Promise<StoreHarness> => {
  const tdb = await createTestDatabase();
  let stores: Stores;
  try {
    stores = await openStores(tdb.url, opts);
  } catch (err) {
    await tdb.drop();
    throw err;
  }
  return {
    get stores() {
      return stores;
    },
    async reopen() {
      await stores.close();
      stores = await openStores(tdb.url, opts);
      return stores;
    },
    async poisonSpoolInserts(prefix: string) {
      const k = stores.database.kysely;
      await sql`create function test_poison() returns trigger language plpgsql as $$ begin if left(new.id, ${sql.lit(prefix.length)}) = ${sql.lit(prefix)} then raise exception 'poisoned by the test'; end if; return new; end $$`.execute(k);
      await sql`create trigger test_poison before insert on spool_entries for each row execute function test_poison()`.execute(k);
    },
    async cleanup() {
      await stores.close();
      await tdb.drop();
    },
  };
};

test('PostgreSQL is reachable (the suites below need it; they fail, never skip, without it)', async (t) => {
  const { version } = await requirePostgres();
  t.diagnostic(`PostgreSQL ${version}`);
});

runSpoolStoreContract('postgres', makePostgres);
runQueueStoreContract('postgres', makePostgres);
