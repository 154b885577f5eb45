/**
 * The OpenPGP store contract on PostgreSQL (a throw-away database per test). Needs the local server
 * (scripts/test.sh starts it); without it every test here FAILS, never skips.
 * Run: node --import tsx --test test/contracts/pgp-postgres.test.ts
 */
import { createStores, openDatabase } from '../../src/db/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runPgpStoreContract } from './pgp-store.contract.js';

runPgpStoreContract('postgres', async (opts) => {
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
});
