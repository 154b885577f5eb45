/**
 * The periodic CRL refresh as the gateway schedules it (app.ts scheduleCrlRefresh): CRLs come
 * from a distribution point on 127.0.0.1 into the store and revoke a certificate; on PostgreSQL
 * two nodes firing their own timers fetch once between them (runSingleton + minIntervalMs).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { scheduleCrlRefresh } from '../../src/app.js';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import { createPki, DEFAULT_PKI_SETTINGS, type Pki } from '../../src/pki/index.js';
import { hierarchy, makeCrl, startCrlServer, type CrlServer, type Hierarchy } from '../helpers/pki.js';
import { createTestDatabase } from '../helpers/postgres.js';

const log = pino({ level: 'silent' });
const settings = { ...DEFAULT_PKI_SETTINGS, crlFetch: { ...DEFAULT_PKI_SETTINGS.crlFetch, onDemand: false } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: CrlServer;
before(async () => {
  server = await startCrlServer();
});
after(() => server.close());

async function setup(stores: Stores, h: Hierarchy, users: Awaited<ReturnType<Hierarchy['user']>>[]): Promise<Pki> {
  const pki = createPki(stores.pki, settings, { wrapper: null });
  await pki.importer.import(Buffer.from(h.root.pem), { trust: true });
  await pki.importer.import(Buffer.from([h.intermediate, ...users].map((u) => u.pem).join('')));
  return pki;
}

async function until(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('SQLite: the scheduled refresh fetches the CRLs and the revoked certificate is refused', async () => {
  const h = await hierarchy({ crlBase: server.base, tag: 'sched' });
  const dave = await h.user('dave@example.test');
  server.serve('/root-sched.crl', await makeCrl(h.root));
  server.serve('/int-sched.crl', await makeCrl(h.intermediate, { revoked: [{ serial: dave.serial }] }));
  const stores = createStores(await openDatabase('sqlite::memory:'));
  const pki = await setup(stores, h, [dave]);
  const timers = scheduleCrlRefresh(stores, pki, 3_600_000, log, 10);
  try {
    assert.equal((await pki.validator.validate(dave.der, { now: Date.now(), purpose: 'encrypt', revocation: 'hard' })).status, 'revocation-unknown');
    await until('two CRLs stored', async () => (await stores.pki.crls.list()).length === 2);
    assert.equal((await pki.validator.validate(dave.der, { now: Date.now(), purpose: 'encrypt', revocation: 'hard' })).status, 'revoked');
    const meta = await stores.database.kysely.selectFrom('meta').select('key').where('key', '=', 'singleton:crl-refresh').executeTakeFirst();
    assert.ok(meta, 'the run is recorded for the cluster-wide interval');
  } finally {
    for (const t of timers) clearTimeout(t);
    await stores.close();
  }
});

test('PostgreSQL: two nodes scheduling the refresh fetch each distribution point once per interval', async () => {
  const h = await hierarchy({ crlBase: server.base, tag: 'pg' });
  const erin = await h.user('erin@example.test');
  server.serve('/root-pg.crl', await makeCrl(h.root));
  server.serve('/int-pg.crl', await makeCrl(h.intermediate));
  const tdb = await createTestDatabase();
  const nodes: Stores[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    for (let i = 0; i < 2; i++) nodes.push(createStores(await openDatabase(tdb.url, { postgres: { poolSize: 3, onConnectionError: () => undefined } })));
    const pkis = [await setup(nodes[0]!, h, [erin]), createPki(nodes[1]!.pki, settings, { wrapper: null })];
    for (const [i, node] of nodes.entries()) timers.push(...scheduleCrlRefresh(node, pkis[i]!, 3_600_000, log, 10 + i * 5));
    await until('two CRLs stored', async () => (await nodes[1]!.pki.crls.list()).length === 2);
    await sleep(500);
    assert.equal(server.hits.get('/int-pg.crl'), 1, 'one fetch cluster-wide');
    assert.equal(server.hits.get('/root-pg.crl'), 1);
    const r = await pkis[1]!.validator.validate(erin.der, { now: Date.now(), purpose: 'encrypt', revocation: 'hard' });
    assert.equal(r.status, 'valid', r.reason);
  } finally {
    for (const t of timers) clearTimeout(t);
    await Promise.all(nodes.map((n) => n.close()));
    await tdb.drop();
  }
});
