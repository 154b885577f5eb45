/**
 * Path validation against certificates generated per run (test/helpers/pki.ts): every status
 * of ValidationResult, the DESIGN §1 revocation rule with CRLs from a local HTTP server, and the
 * "a chain builder is not a validator" cases (bad signature, pathLen, keyCertSign, EKU, names).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStores, openDatabase, type Stores } from '../db/index.js';
import { EKU, hierarchy, issue, KU, makeCrl, startCrlServer, type CrlServer, type Hierarchy, type Issued } from '../../test/helpers/pki.js';
import { createPki, DEFAULT_PKI_SETTINGS, type Pki, type PkiSettings } from './index.js';
import type { ValidateOptions } from './validate.js';

const DAY = 86_400_000;

async function world(settings: Partial<PkiSettings> = {}): Promise<{ stores: Stores; pki: Pki }> {
  const stores = createStores(await openDatabase('sqlite::memory:'));
  return { stores, pki: createPki(stores.pki, { ...DEFAULT_PKI_SETTINGS, ...settings, crlFetch: { ...DEFAULT_PKI_SETTINGS.crlFetch, timeout: 2000, ...settings.crlFetch } }, { wrapper: null }) };
}

async function load(pki: Pki, h: Hierarchy, ...certs: Issued[]): Promise<void> {
  await pki.importer.import(Buffer.from(h.root.pem), { trust: true });
  await pki.importer.import(Buffer.from([h.intermediate, ...certs].map((c) => c.pem).join('')));
}

const opts = (over: Partial<ValidateOptions> = {}): ValidateOptions => ({ now: Date.now(), purpose: 'encrypt', revocation: 'soft', ...over });

describe('path validation', () => {
  let h: Hierarchy;
  let w: { stores: Stores; pki: Pki };
  before(async () => {
    h = await hierarchy();
    w = await world();
    await load(w.pki, h);
  });
  after(() => w.stores.close());
  const check = async (cert: Issued, over: Partial<ValidateOptions> = {}) => {
    await w.pki.importer.import(Buffer.from(cert.pem));
    return w.pki.validator.validate(cert.der, opts(over));
  };

  test('a valid chain: end entity, intermediate, root; the address matches case-insensitively', async () => {
    const alice = await h.user('alice@example.test');
    const r = await check(alice, { address: 'Alice@EXAMPLE.test' });
    assert.equal(r.status, 'valid', r.reason);
    assert.deepEqual(r.chain.map((c) => c.subject), ['CN=alice@example.test', h.intermediate.name, h.root.name]);
    assert.deepEqual(r.warnings, [], 'no distribution point: not revocation-checked, no warning');
    assert.equal((await w.pki.validator.validate(alice.der, opts({ purpose: 'sign' }))).status, 'valid');
  });

  test('expired and not-yet-valid, for the end entity and for the intermediate', async () => {
    const old = await h.user('old@example.test', { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - 3_600_000) });
    assert.equal((await check(old)).status, 'expired');
    const future = await h.user('future@example.test', { notBefore: new Date(Date.now() + DAY) });
    const r = await check(future);
    assert.equal(r.status, 'not-yet-valid');
    assert.match(r.reason ?? '', /valid only from/);
    const expiredCa = await issue({ subject: 'CN=Expired Intermediate', ca: true, issuer: h.root, notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
    const under = await issue({ subject: 'CN=u', emails: ['u@example.test'], issuer: expiredCa });
    await w.pki.importer.import(Buffer.from(expiredCa.pem));
    assert.equal((await check(under)).status, 'expired');
    assert.equal((await w.pki.validator.validate(old.der, opts({ now: Date.now() - 7_200_000 }))).status, 'valid', 'validity is judged at the given time');
  });

  test('an unknown root is untrusted; a self-signed certificate nobody trusted too', async () => {
    const other = await hierarchy();
    const eve = await other.user('eve@example.test');
    await w.pki.importer.import(Buffer.from(other.intermediate.pem + other.root.pem));
    const r = await check(eve);
    assert.equal(r.status, 'untrusted');
    assert.equal(r.chain.length, 3, 'the longest path found is reported');
    const self = await issue({ subject: 'CN=self', emails: ['self@example.test'] });
    assert.equal((await check(self)).status, 'untrusted');
    // an untrusted root with the same name as a trusted one: a path ends at a self-signed
    // certificate, it is not "extended" to the trusted namesake (which would be a bad signature)
    const twin = await issue({ subject: h.root.name, ca: true });
    const twinInt = await issue({ subject: 'CN=Twin Intermediate', ca: true, issuer: twin });
    await w.pki.importer.import(Buffer.from(twin.pem + twinInt.pem));
    const t = await check(await issue({ subject: 'CN=t', emails: ['t@example.test'], issuer: twinInt }));
    assert.equal(t.status, 'untrusted', t.reason);
  });

  test('a trusted self-signed end entity (a partner domain certificate) validates on its own', async () => {
    const partner = await issue({ subject: 'CN=partner.test gateway', emails: ['gateway@partner.test'] });
    await w.pki.importer.import(Buffer.from(partner.pem), { trust: true });
    const r = await w.pki.validator.validate(partner.der, opts());
    assert.equal(r.status, 'valid', r.reason);
    assert.equal(r.chain.length, 1);
  });

  test('wrong EKU (serverAuth only) is bad-usage; anyExtendedKeyUsage and no EKU are accepted', async () => {
    const server = await h.user('server@example.test', { eku: [EKU.serverAuth] });
    const r = await check(server);
    assert.equal(r.status, 'bad-usage');
    assert.match(r.reason ?? '', /emailProtection/);
    assert.equal((await check(await h.user('any@example.test', { eku: [EKU.any] }))).status, 'valid');
    assert.equal((await check(await h.user('none@example.test', { eku: null }))).status, 'valid');
    const serverCa = await issue({ subject: 'CN=TLS-only CA', ca: true, issuer: h.root, eku: [EKU.serverAuth] });
    await w.pki.importer.import(Buffer.from(serverCa.pem));
    assert.equal((await check(await issue({ subject: 'CN=x', emails: ['x@example.test'], issuer: serverCa }))).status, 'bad-usage', 'EKU chaining');
  });

  test('key usage: encryption needs keyAgreement (EC) / keyEncipherment (RSA); signing needs digitalSignature', async () => {
    const signOnly = await h.user('signer@example.test', { keyUsage: KU.digitalSignature });
    assert.equal((await check(signOnly)).status, 'bad-usage');
    assert.equal((await w.pki.validator.validate(signOnly.der, opts({ purpose: 'sign' }))).status, 'valid');
    const rsa = await h.user('rsa@example.test', { key: 'rsa' });
    assert.equal((await check(rsa)).status, 'valid');
    const rsaAgreement = await h.user('rsa2@example.test', { key: 'rsa', keyUsage: KU.keyAgreement | KU.digitalSignature });
    assert.equal((await check(rsaAgreement)).status, 'bad-usage');
    const encOnly = await h.user('enc@example.test', { keyUsage: KU.keyAgreement });
    assert.equal((await check(encOnly)).status, 'valid');
    assert.equal((await w.pki.validator.validate(encOnly.der, opts({ purpose: 'sign' }))).status, 'bad-usage');
  });

  test('a CA without keyCertSign, a non-CA issuer and a pathLen overrun are bad-usage', async () => {
    const noSign = await issue({ subject: 'CN=CA without keyCertSign', ca: true, issuer: h.root, keyUsage: KU.cRLSign | KU.digitalSignature });
    const notCa = await issue({ subject: 'CN=Not a CA', ca: false, issuer: h.root, keyUsage: KU.keyCertSign, eku: null });
    const deeper = await issue({ subject: 'CN=Below pathLen 0', ca: true, issuer: h.intermediate });
    await w.pki.importer.import(Buffer.from(noSign.pem + notCa.pem + deeper.pem));
    for (const [issuer, why] of [[noSign, /keyCertSign/], [notCa, /not a CA/], [deeper, /allows 0 intermediate/]] as const) {
      const r = await check(await issue({ subject: 'CN=leaf', emails: ['leaf@example.test'], issuer }));
      assert.equal(r.status, 'bad-usage', issuer.name);
      assert.match(r.reason ?? '', why);
    }
  });

  test('a tampered signature is bad-signature; a same-named CA with another key is no issuer (untrusted)', async () => {
    const honest = await h.user('honest@example.test');
    const tampered = Buffer.from(honest.der);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x01;
    const r = await w.pki.validator.validate(tampered, opts());
    assert.equal(r.status, 'bad-signature');
    assert.match(r.reason ?? '', /does not verify/);
    const impostor = await issue({ subject: h.intermediate.name, ca: true, issuer: h.root });
    const forgedInt = await issue({ subject: h.intermediate.name, ca: true });
    await w.pki.importer.import(Buffer.from(impostor.pem));
    const forged = await issue({ subject: 'CN=mallory', emails: ['mallory@example.test'], issuer: forgedInt });
    assert.equal((await check(forged)).status, 'untrusted', 'the real intermediate has another key id: never tried');
  });

  test('the wrong address is bad-usage', async () => {
    const bob = await h.user('bob@example.test');
    const r = await check(bob, { address: 'robert@example.test' });
    assert.equal(r.status, 'bad-usage');
    assert.match(r.reason ?? '', /does not name robert@example\.test/);
  });

  test('name constraints: permitted and excluded rfc822Name subtrees of the root apply to the whole path', async () => {
    const nc = await hierarchy({ rootNc: { permitted: ['.corp.test', 'partner.test'], excluded: ['ceo@partner.test'] } });
    await load(w.pki, nc);
    assert.equal((await check(await nc.user('a@mail.corp.test'))).status, 'valid');
    assert.equal((await check(await nc.user('b@partner.test'))).status, 'valid');
    const outside = await check(await nc.user('c@corp.test'));
    assert.equal(outside.status, 'name-constraints', '".corp.test" covers subdomains only');
    assert.equal((await check(await nc.user('d@elsewhere.test'))).status, 'name-constraints');
    const excluded = await check(await nc.user('CEO@partner.test'));
    assert.equal(excluded.status, 'name-constraints');
    assert.match(excluded.reason ?? '', /excluded/);
  });

  test('intermediates supplied by the caller (e.g. from a CMS message) complete a path but are never anchors', async () => {
    const other = await hierarchy();
    const carol = await other.user('carol@example.test');
    await w.pki.importer.import(Buffer.from(other.root.pem), { trust: true });
    assert.equal((await w.pki.validator.validate(carol.der, opts())).status, 'untrusted');
    const r = await w.pki.validator.validate(carol.der, opts({ intermediates: [other.intermediate.der] }));
    assert.equal(r.status, 'valid', r.reason);
    assert.equal(r.chain.length, 3);
    const fake = await hierarchy();
    const dave = await fake.user('dave@example.test');
    assert.equal((await w.pki.validator.validate(dave.der, opts({ intermediates: [fake.intermediate.der, fake.root.der] }))).status, 'untrusted', 'a supplied root is not an anchor');
  });

  test('garbage is untrusted, not an exception', async () => {
    const r = await w.pki.validator.validate(Buffer.from('not a certificate'), opts());
    assert.equal(r.status, 'untrusted');
  });
});

describe('revocation (DESIGN §1) with CRLs from a local HTTP server', () => {
  let server: CrlServer;
  before(async () => {
    server = await startCrlServer();
  });
  after(() => server.close());

  test('revoked after a refresh fetched the CRL; the others stay valid without warnings', async () => {
    const h = await hierarchy({ crlBase: server.base, tag: 'rev' });
    const w = await world();
    try {
      const good = await h.user('good@example.test');
      const bad = await h.user('bad@example.test');
      await load(w.pki, h, good, bad);
      server.serve('/int-rev.crl', await makeCrl(h.intermediate, { revoked: [{ serial: bad.serial }] }));
      server.serve('/root-rev.crl', await makeCrl(h.root));
      const summary = await w.pki.crls.refreshAll();
      assert.deepEqual(summary.failed, []);
      assert.equal(summary.fetched.length, 2);
      const r = await w.pki.validator.validate(bad.der, opts());
      assert.equal(r.status, 'revoked');
      assert.match(r.reason ?? '', /revoked/);
      const ok = await w.pki.validator.validate(good.der, opts({ revocation: 'hard' }));
      assert.equal(ok.status, 'valid', ok.reason);
      assert.deepEqual(ok.warnings, []);
    } finally {
      await w.stores.close();
    }
  });

  test('CRL unreachable: soft uses the certificate with a warning, hard refuses (revocation-unknown)', async () => {
    const h = await hierarchy({ crlBase: server.base, tag: 'gone' });
    const soft = await world({ crlFetch: { ...DEFAULT_PKI_SETTINGS.crlFetch, onDemand: true } });
    const hard = await world({ revocation: 'hard' });
    try {
      const u = await h.user('u@example.test');
      for (const w of [soft, hard]) await load(w.pki, h, u);
      const before = server.hits.get('/int-gone.crl') ?? 0;
      const s = await soft.pki.validator.validate(u.der, opts());
      assert.equal(s.status, 'valid');
      assert.equal(s.warnings.length, 2, 'end entity and intermediate both have a distribution point');
      assert.match(s.warnings[0]!, /revocation of CN=u@example\.test not checked: no CRL/);
      assert.ok((server.hits.get('/int-gone.crl') ?? 0) > before, 'on-demand fetch was tried');
      const again = server.hits.get('/int-gone.crl');
      await soft.pki.validator.validate(u.der, opts());
      assert.equal(server.hits.get('/int-gone.crl'), again, 'a failed URL is not retried at once');
      const r = await hard.pki.validator.validate(u.der, opts({ revocation: 'hard' }));
      assert.equal(r.status, 'revocation-unknown');
      assert.equal((await hard.pki.selector.encryptionCertificatesFor('u@example.test', Date.now())).canEncrypt, false, 'fail closed');
      const summary = await hard.pki.crls.refreshAll();
      assert.equal(summary.failed.length, 2);
      assert.match(summary.failed[0]!.reason, /HTTP 404/);
    } finally {
      await soft.stores.close();
      await hard.stores.close();
    }
  });

  test('an out-of-date CRL counts as unavailable; a CRL signed by another key is refused at import', async () => {
    const h = await hierarchy({ crlBase: server.base, tag: 'stale' });
    const w = await world({ revocation: 'hard', crlFetch: { ...DEFAULT_PKI_SETTINGS.crlFetch, onDemand: false } });
    try {
      const u = await h.user('s@example.test');
      await load(w.pki, h, u);
      await w.pki.crls.importCrl(await makeCrl(h.root));
      await w.pki.crls.importCrl(await makeCrl(h.intermediate, { thisUpdate: new Date(Date.now() - 3 * DAY), nextUpdate: new Date(Date.now() - DAY) }));
      const r = await w.pki.validator.validate(u.der, opts({ revocation: 'hard' }));
      assert.equal(r.status, 'revocation-unknown');
      assert.match(r.reason ?? '', /out of date/);
      const impostor = await issue({ subject: h.intermediate.name, ca: true });
      await assert.rejects(w.pki.crls.importCrl(await makeCrl(h.intermediate, { signer: impostor })), /does not verify/);
      await w.pki.crls.importCrl(await makeCrl(h.intermediate));
      assert.equal((await w.pki.validator.validate(u.der, opts({ revocation: 'hard' }))).status, 'valid');
    } finally {
      await w.stores.close();
    }
  });
});
