/**
 * The PKI store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/pki-sqlite.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase } from '../../src/db/index.js';
import { runPkiStoreContract } from './pki-store.contract.js';

runPkiStoreContract('sqlite file', async (opts) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-pki-db-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'pki.db')}`), opts);
  return {
    stores,
    async cleanup() {
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
