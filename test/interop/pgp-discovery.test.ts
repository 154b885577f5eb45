/**
 * Key discovery against a local HTTPS server (a throw-away CA; host names mapped to loopback by
 * the injectable fetcher): WKD advanced and direct (hash cross-checked with gpg --with-wkd-hash),
 * HKP with filtering of keys for other addresses, cache and negative cache, pinning (a
 * published key never replaces an administrator's key; it is stored pending, logged, audited),
 * an audit row per request, and a [secure] mail through the gateway to a recipient whose key is
 * found by WKD on the fly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startApp } from '../../src/app.js';
import { parseConfigText } from '../../src/config/index.js';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import { KeyWrapper } from '../../src/keystore/key-wrap.js';
import { silentLogger } from '../../src/observability/logger.js';
import { httpFetcher, KeyDiscovery, wkdHash, type Fetcher } from '../../src/pgp/discovery/index.js';
import { PgpKeyring } from '../../src/pgp/keyring.js';
import { PgpSelector } from '../../src/pgp/select.js';
import { Gpg } from '../helpers/gpg.js';
import { startSink } from '../helpers/sink.js';
import { createTestCa, type TestCa } from '../helpers/test-ca.js';

let gpg: Gpg;
let ca: TestCa;
let server: https.Server;
let port: number;
const routes = new Map<string, Buffer>();
const requests: string[] = [];
const fp: Record<string, string> = {};

const NAMES = ['openpgpkey.partner.test', 'other.test', 'keys.test', 'openpgpkey.pinned.test'];

before(async () => {
  gpg = Gpg.create();
  ca = await createTestCa();
  for (const who of ['bob@partner.test', 'olga@other.test', 'carol@hkp.test', 'mallory@evil.test', 'dave@pinned.test', 'dave2@pinned.test']) fp[who] = await gpg.generate(who, 'curve25519');
  // WKD advanced for partner.test and pinned.test, direct for other.test, HKP on keys.test
  routes.set(`openpgpkey.partner.test/.well-known/openpgpkey/partner.test/hu/${wkdHash('bob')}?l=bob`, await gpg.exportPublic(fp['bob@partner.test']!, false));
  routes.set(`other.test/.well-known/openpgpkey/hu/${wkdHash('olga')}?l=olga`, await gpg.exportPublic(fp['olga@other.test']!, false));
  routes.set('keys.test/pks/lookup?op=get&options=mr&search=carol%40hkp.test', Buffer.concat([await gpg.exportPublic(fp['carol@hkp.test']!), await gpg.exportPublic(fp['mallory@evil.test']!)]));
  // dave@pinned.test publishes a key that is NOT the one the administrator imported
  routes.set(`openpgpkey.pinned.test/.well-known/openpgpkey/pinned.test/hu/${wkdHash('dave')}?l=dave`, Buffer.from((await gpg.exportPublic(fp['dave2@pinned.test']!, false))));
  const cert = await ca.issue(NAMES);
  server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const key = `${(req.headers.host ?? '').replace(/:\d+$/, '')}${req.url}`;
    requests.push(key);
    const body = routes.get(key);
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(async () => {
  gpg.close();
  server.close();
  await ca.close();
});

/** hosts of the test world → the local server; openpgpkey.other.test → a closed port (no such host) */
const fetcher = (): Fetcher => httpFetcher({ ca: ca.cert, resolve: (host) => (NAMES.includes(host) ? { host: '127.0.0.1', port } : host === 'openpgpkey.other.test' ? { host: '127.0.0.1', port: 1 } : null) });

const settings = { wkd: true, hkp: ['hkps://keys.test'], ttl: 86_400_000, negativeTtl: 3600_000, timeout: 5000, maxKeySize: 256 * 1024, onKeyChange: 'keep' as const, allowHttp: false };

async function world(t: { after(fn: () => Promise<void>): void }): Promise<{ stores: Stores; keyring: PgpKeyring; discovery: KeyDiscovery; selector: PgpSelector }> {
  const stores = createStores(await openDatabase('sqlite::memory:'));
  t.after(() => stores.close());
  const keyring = new PgpKeyring(stores.pgp.keys, new KeyWrapper(randomBytes(32)));
  const discovery = new KeyDiscovery(keyring, stores.pgp.lookups, settings, { fetcher: fetcher() });
  return { stores, keyring, discovery, selector: new PgpSelector(keyring, { domains: [], useLearnt: true, discover: (a) => discovery.lookup(a) }) };
}

test('our WKD hash is gpg\'s', async () => {
  const r = await gpg.run(['--with-wkd-hash', '--list-keys', 'bob@partner.test']);
  assert.match(r.stdout.toString(), new RegExp(`${wkdHash('bob')}@partner\\.test`));
});

test('WKD advanced finds a key, stores it learnt, audits the request; the next lookup is served from the cache', async (t) => {
  const w = await world(t);
  const before = requests.length;
  const sel = await w.selector.encryptionKeysFor('bob@partner.test');
  assert.equal(sel.canEncrypt, true);
  assert.equal(sel.keys[0]!.fingerprint, fp['bob@partner.test']);
  const rec = await w.keyring.store.get(fp['bob@partner.test']!);
  assert.deepEqual([rec?.trust, rec?.source], ['learnt', 'wkd']);
  const audit = await w.stores.pgp.lookups.audits('bob@partner.test');
  assert.deepEqual(audit.map((a) => [a.method, a.outcome, a.fingerprints]), [['wkd-advanced', 'found', [fp['bob@partner.test']]]]);
  assert.match(audit[0]!.url, new RegExp(`^https://openpgpkey\\.partner\\.test/\\.well-known/openpgpkey/partner\\.test/hu/${wkdHash('bob')}\\?l=bob$`));
  assert.equal(requests.length, before + 1);
  assert.equal((await w.discovery.lookup('bob@partner.test')).outcome, 'cached');
  assert.equal(requests.length, before + 1, 'no second request within the TTL');
  const strict = new PgpSelector(w.keyring, { domains: [], useLearnt: false });
  assert.equal((await strict.encryptionKeysFor('bob@partner.test')).canEncrypt, false, 'learnt keys only where config allows');
});

test('WKD direct when the openpgpkey host does not exist; HKP keeps only keys for the address; misses are cached negatively', async (t) => {
  const w = await world(t);
  const olga = await w.discovery.lookup('olga@other.test');
  assert.deepEqual([olga.outcome, olga.fingerprints], ['found', [fp['olga@other.test']]]);
  assert.deepEqual((await w.stores.pgp.lookups.audits('olga@other.test')).map((a) => [a.method, a.outcome]).reverse(), [['wkd-advanced', 'not-found'], ['wkd-direct', 'found']]);
  const carol = await w.discovery.lookup('carol@hkp.test');
  assert.deepEqual(carol.fingerprints, [fp['carol@hkp.test']], 'mallory\'s key in the same answer is not taken');
  const hkp = (await w.stores.pgp.lookups.audits('carol@hkp.test')).find((a) => a.method === 'hkp')!;
  assert.match(hkp.detail, /no valid user ID for the address/);
  assert.equal(await w.keyring.store.get(fp['mallory@evil.test']!), null);
  const none = await w.discovery.lookup('nobody@partner.test');
  assert.equal(none.outcome, 'not-found');
  assert.equal((await w.stores.pgp.lookups.cacheGet('nobody@partner.test'))?.outcome, 'not-found');
  assert.equal((await w.discovery.lookup('nobody@partner.test')).outcome, 'cached');
});

test('pinning: a published key that differs from the administrator\'s is stored pending, logged and audited; the pinned key stays in use', async (t) => {
  const w = await world(t);
  // the administrator imported dave's real key (dave@pinned.test's own)
  const pinned = await w.keyring.import(await gpg.exportPublic(fp['dave@pinned.test']!));
  const warnings: unknown[] = [];
  const logger = { info() {}, warn: (o: unknown) => warnings.push(o) } as unknown as import('pino').Logger;
  // the published key claims dave@pinned.test too (a second user ID added by the attacker's key)
  await gpg.run(['--quick-add-uid', fp['dave2@pinned.test']!, 'dave <dave@pinned.test>']);
  routes.set(`openpgpkey.pinned.test/.well-known/openpgpkey/pinned.test/hu/${wkdHash('dave')}?l=dave`, await gpg.exportPublic(fp['dave2@pinned.test']!, false));
  const discovery = new KeyDiscovery(w.keyring, w.stores.pgp.lookups, settings, { fetcher: fetcher(), logger });
  const r = await discovery.lookup('dave@pinned.test', { force: true });
  assert.equal(r.changed, true);
  assert.equal((await w.keyring.store.get(fp['dave2@pinned.test']!))?.trust, 'pending');
  assert.equal((await w.keyring.store.get(pinned[0]!.record.fingerprint))?.trust, 'trusted');
  assert.ok(warnings.some((o) => (o as { event?: string }).event === 'pgp.discovery.key-changed'));
  assert.ok((await w.stores.pgp.lookups.audits('dave@pinned.test')).some((a) => a.outcome === 'changed'));
  const sel = await new PgpSelector(w.keyring, { domains: [], useLearnt: true }).encryptionKeysFor('dave@pinned.test');
  assert.deepEqual(sel.keys.map((k) => k.fingerprint), [fp['dave@pinned.test']], 'only the pinned key encrypts');
});

test('through the gateway: [secure] mail to a recipient without a key is encrypted to the key WKD publishes; gpg decrypts it', async (t) => {
  const sink = await startSink();
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-gw-wkd-'));
  const text = `hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp:\n  listeners:\n    - { name: main, listen: "127.0.0.1:0", direction: auto }\nrelay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nprofiles: { default: { order: [pgp], queueTimeout: 1h } }\npgp: { discovery: { enabled: true, hkp: ["hkps://keys.test"] } }\n`;
  await writeFile(join(dir, 'sealpost.yaml'), text);
  const app = await startApp({ config: parseConfigText(text, join(dir, 'sealpost.yaml')), file: join(dir, 'sealpost.yaml'), baseDir: dir }, { logger: silentLogger(), idlePollMs: 100, pgpFetcher: fetcher() });
  t.after(async () => {
    await app.stop();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: app.listeners[0]!.port, secure: false, ignoreTLS: true });
  t.after(() => transport.close());
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['carol@hkp.test'] }, raw: 'From: alice@example.test\r\nTo: carol@hkp.test\r\nSubject: [secure] found by HKP\r\nContent-Type: text/plain\r\n\r\nkey found on the fly\r\n' });
  await sink.waitFor(1, 20_000);
  const body = sink.messages[0]!.body.toString('latin1');
  assert.match(body, /multipart\/encrypted/);
  const d = await gpg.decrypt(body.slice(body.indexOf('-----BEGIN PGP MESSAGE-----')));
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout.toString(), /key found on the fly/);
  assert.ok((await app.pgp.keyring.store.list()).some((k) => k.fingerprint === fp['carol@hkp.test'] && k.source === 'hkp'));
});
