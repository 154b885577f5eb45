/**
 * The OpenPGP store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/pgp-sqlite.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase } from '../../src/db/index.js';
import { runPgpStoreContract } from './pgp-store.contract.js';

runPgpStoreContract('sqlite file', async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-pgp-db-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'pgp.db')}`), opts);
  return {
    stores,
    async cleanup() {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
