/**
 * The portal store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/portal-sqlite.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase } from '../../src/db/index.js';
import { runPortalStoreContract } from './portal-store.contract.js';

runPortalStoreContract('sqlite file', async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-portal-db-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'portal.db')}`), opts);
  return {
    stores,
    async cleanup() {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
