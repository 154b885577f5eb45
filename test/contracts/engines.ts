/**
 * The two storage engines every store contract runs on: a SQLite file in a temp dir, and a
 * throw-away PostgreSQL database (needs the local server, which scripts/test.sh starts; without it
 * the PostgreSQL suites FAIL, never skip).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase, type StoreOptions, type Stores } from '../../src/db/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { T0 } from './store-fixtures.js';

export type MakeStores = (opts?: StoreOptions) => Promise<{ stores: Stores; cleanup(): Promise<void> }>;

export const sqliteFileStores: MakeStores = async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-contract-db-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'contract.db')}`), opts);
  return {
    stores,
    async cleanup() {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export const postgresStores: MakeStores = async (opts) => {
  const tdb = await createTestDatabase();
  try {
    const stores = createStores(await openDatabase(tdb.url, { postgres: { poolSize: 4, onConnectionError: () => undefined } }), opts);
    return {
      stores,
      async cleanup() {
        await stores.close();
        await tdb.drop();
      },
    };
  } catch (err) {
    await tdb.drop();
    throw err;
  }
};

/** Runs `fn` on fresh stores whose clock starts at T0 and moves when the test sets `clock.now`. */
export function storesWithClock(make: MakeStores): (fn: (s: Stores, clock: { now: number }) => Promise<void>) => Promise<void> {
  return async (fn) => {
    const clock = { now: T0 };
    const h = await make({ now: () => clock.now });
    try {
      await fn(h.stores, clock);
    } finally {
      await h.cleanup();
    }
  };
}
