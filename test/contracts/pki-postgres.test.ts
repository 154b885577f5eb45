/**
 * The PKI store contract on PostgreSQL (a throw-away database per test). Needs the local server
 * (scripts/test.sh starts it); without it every test here FAILS, never skips.
 * Run: node --import tsx --test test/contracts/pki-postgres.test.ts
 */
import { postgresStores } from './engines.js';
import { runPkiStoreContract } from './pki-store.contract.js';

runPkiStoreContract('postgres', postgresStores);
