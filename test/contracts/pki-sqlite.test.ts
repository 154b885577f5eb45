/**
 * The PKI store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/pki-sqlite.test.ts
 */
import { sqliteFileStores } from './engines.js';
import { runPkiStoreContract } from './pki-store.contract.js';

runPkiStoreContract('sqlite file', sqliteFileStores);
