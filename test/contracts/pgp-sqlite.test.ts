/**
 * The OpenPGP store contract on SQLite (a fresh file per test under os.tmpdir()).
 * Run: node --import tsx --test test/contracts/pgp-sqlite.test.ts
 */
import { sqliteFileStores } from './engines.js';
import { runPgpStoreContract } from './pgp-store.contract.js';

runPgpStoreContract('sqlite file', sqliteFileStores);
