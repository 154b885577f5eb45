/**
 * The portal store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/portal-sqlite.test.ts
 */
import { sqliteFileStores } from './engines.js';
import { runPortalStoreContract } from './portal-store.contract.js';

runPortalStoreContract('sqlite file', sqliteFileStores);
