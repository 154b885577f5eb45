/**
 * Certificate selection: personal certificates (newest or all), domain certificates, escrow,
 * signing keys — with the rejected ones reported for the trace.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createStores, openDatabase } from '../db/index.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { hierarchy, issue, KU } from '../../test/helpers/pki.js';
import { createPki, DEFAULT_PKI_SETTINGS, type PkiSettings } from './index.js';
import { domainConfigFor } from './select.js';

const DAY = 86_400_000;

async function world(over: Partial<PkiSettings> = {}) {
  const stores = createStores(await openDatabase('sqlite::memory:'));
  const wrapper = new KeyWrapper(randomBytes(32));
  const pki = createPki(stores.pki, { ...DEFAULT_PKI_SETTINGS, ...over }, { wrapper });
  const h = await hierarchy();
  await pki.importer.import(Buffer.from(h.root.pem), { trust: true });
  await pki.importer.import(Buffer.from(h.intermediate.pem));
  const add = async (pem: string) => (await pki.importer.import(Buffer.from(pem))).certificates[0]!.record.id;
  return { stores, pki, h, add, wrapper };
}

test('several valid certificates: newest by default, all on request; invalid ones are reported', async () => {
  for (const selection of ['newest', 'all'] as const) {
    const { stores, pki, h, add } = await world({ selection });
    try {
      const older = await add((await h.user('alice@example.test', { notBefore: new Date(Date.now() - 5 * DAY) })).pem);
      const newer = await add((await h.user('alice@example.test', { notBefore: new Date(Date.now() - DAY) })).pem);
      const expired = await add((await h.user('alice@example.test', { notBefore: new Date(Date.now() - 9 * DAY), notAfter: new Date(Date.now() - DAY) })).pem);
      const sel = await pki.selector.encryptionCertificatesFor('ALICE@example.test', Date.now());
      assert.equal(sel.canEncrypt, true);
      assert.deepEqual(sel.certificates.map((c) => c.id), selection === 'newest' ? [newer] : [newer, older]);
      assert.ok(sel.certificates.every((c) => c.role === 'personal' && c.chain.length === 3));
      assert.deepEqual(sel.rejected.map((r) => [r.id, r.status]), [[expired, 'expired']]);
      const none = await pki.selector.encryptionCertificatesFor('nobody@example.test', Date.now());
      assert.deepEqual([none.canEncrypt, none.certificates.length], [false, 0]);
    } finally {
      await stores.close();
    }
  }
});

test('domain certificates serve a whole domain; escrow is added only to recipients that can be served', async () => {
  const { stores, pki: base, h, add } = await world();
  try {
    const gateway = await issue({ subject: 'CN=partner.test gateway', emails: ['gateway@partner.test'] });
    await base.importer.import(Buffer.from(gateway.pem), { trust: true });
    const gatewayId = (await stores.pki.certificates.byEmail('gateway@partner.test'))[0]!.id;
    const escrow = await add((await h.user('escrow@example.test')).pem);
    const personal = await add((await h.user('bob@partner.test')).pem);
    const signOnly = await add((await h.user('signonly@example.test', { keyUsage: KU.digitalSignature })).pem);
    const missing = 'ab'.repeat(32);
    const domains = [
      { domain: 'partner.test', encryptTo: [gatewayId, missing], additional: [escrow] },
      { domain: '*.example.test', encryptTo: [], additional: [escrow] },
      { domain: 'example.test', encryptTo: [signOnly], additional: [escrow] },
    ];
    const pki = createPki(stores.pki, { ...DEFAULT_PKI_SETTINGS, domains }, { wrapper: null });
    const now = Date.now();
    const anyone = await pki.selector.encryptionCertificatesFor('someone@partner.test', now);
    assert.equal(anyone.canEncrypt, true);
    assert.deepEqual(anyone.certificates.map((c) => [c.id, c.role]), [[gatewayId, 'domain'], [escrow, 'additional']]);
    assert.deepEqual(anyone.rejected.map((r) => r.status), ['not-found']);
    const bob = await pki.selector.encryptionCertificatesFor('bob@partner.test', now);
    assert.deepEqual(bob.certificates.map((c) => c.role), ['personal', 'domain', 'additional']);
    assert.equal(bob.certificates[0]!.id, personal);
    const sub = await pki.selector.encryptionCertificatesFor('x@sub.example.test', now);
    assert.deepEqual([sub.canEncrypt, sub.certificates.length], [false, 0], 'escrow alone serves nobody');
    const exact = await pki.selector.encryptionCertificatesFor('y@example.test', now);
    assert.equal(exact.canEncrypt, false, 'a domain certificate that cannot encrypt is rejected');
    assert.deepEqual(exact.rejected.map((r) => [r.id, r.status]), [[signOnly, 'bad-usage']]);
    assert.equal(domainConfigFor(domains, 'deep.sub.example.test')?.domain, '*.example.test');
    assert.equal(domainConfigFor(domains, 'example.test')?.domain, 'example.test');
    assert.equal(domainConfigFor(domains, 'other.test'), null);
  } finally {
    await stores.close();
  }
});

test('signing: the sender\'s newest valid certificate with a key, else the domain signing certificate', async () => {
  const { stores, pki: base, h, wrapper } = await world();
  try {
    const withKey = await h.user('carol@example.test', { notBefore: new Date(Date.now() - 3 * DAY) });
    const newerNoKey = await h.user('carol@example.test', { notBefore: new Date(Date.now() - DAY) });
    const domainSigner = await h.user('postmaster@example.test');
    await base.importer.import(Buffer.from(withKey.pem + withKey.keyPem));
    await base.importer.import(Buffer.from(newerNoKey.pem));
    const signerId = (await base.importer.import(Buffer.from(domainSigner.pem + domainSigner.keyPem))).keys[0]!;
    const pki = createPki(stores.pki, { ...DEFAULT_PKI_SETTINGS, domains: [{ domain: 'example.test', encryptTo: [], additional: [], signWith: signerId }] }, { wrapper: null });
    assert.equal((await pki.selector.signingKeyFor('carol@example.test', Date.now())).signer, null, 'no master key, no signing');
    const keyed = createPki(stores.pki, pki.settings, { wrapper });
    const carol = await keyed.selector.signingKeyFor('Carol@Example.test', Date.now());
    assert.equal(carol.signer?.role, 'personal');
    assert.equal(carol.signer?.subject, 'CN=carol@example.test');
    assert.equal(carol.signer?.privateKey.type, 'private');
    assert.deepEqual(carol.rejected.map((r) => r.status), ['no-key']);
    const dan = await keyed.selector.signingKeyFor('dan@example.test', Date.now());
    assert.equal(dan.signer?.role, 'domain');
    assert.equal(dan.signer?.id, signerId);
    assert.equal((await keyed.selector.signingKeyFor('eve@elsewhere.test', Date.now())).signer, null);
  } finally {
    await stores.close();
  }
});
