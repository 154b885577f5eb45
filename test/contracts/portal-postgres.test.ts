/**
 * The portal store contract on PostgreSQL (a throw-away database per test). Needs the local server
 * (scripts/test.sh starts it); without it every test here FAILS, never skips.
 * Run: node --import tsx --test test/contracts/portal-postgres.test.ts
 */
import { postgresStores } from './engines.js';
import { runPortalStoreContract } from './portal-store.contract.js';

runPortalStoreContract('postgres', postgresStores);
