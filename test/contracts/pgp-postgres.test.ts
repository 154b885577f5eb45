/**
 * The OpenPGP store contract on PostgreSQL (a throw-away database per test). Needs the local server
 * (scripts/test.sh starts it); without it every test here FAILS, never skips.
 * Run: node --import tsx --test test/contracts/pgp-postgres.test.ts
 */
import { postgresStores } from './engines.js';
import { runPgpStoreContract } from './pgp-store.contract.js';

runPgpStoreContract('postgres', postgresStores);
