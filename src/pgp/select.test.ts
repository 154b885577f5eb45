import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { createStores, openDatabase } from '../db/index.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { generateKeyPair, pgpConfig } from '../crypto/pgp/index.js';
import { PgpKeyring } from './keyring.js';
import { PgpSelector } from './select.js';

async function setup(settings: Partial<ConstructorParameters<typeof PgpSelector>[1]> = {}) {
  const stores = createStores(await openDatabase('sqlite::memory:'));
  const keyring = new PgpKeyring(stores.pgp.keys, new KeyWrapper(randomBytes(32)));
  return { stores, keyring, selector: new PgpSelector(keyring, { domains: [], useLearnt: false, ...settings }) };
}

test('import: public and secret keys in one armored file; secrets stored wrapped; re-import merges a revocation', async (t) => {
  const { stores, keyring, selector } = await setup();
  t.after(() => stores.close());
  const alice = await generateKeyPair({ email: 'alice@example.test' });
  const bob = await generateKeyPair({ email: 'bob@partner.test' });
  const file = Buffer.from(`${alice.privateKey.armor()}\n${bob.publicKey.armor()}`);
  const imported = await keyring.import(file);
  assert.deepEqual(imported.map((k) => [k.record.emails[0], k.secret, k.created, k.record.trust]), [['alice@example.test', true, true, 'trusted'], ['bob@partner.test', false, true, 'trusted']]);
  const wrapped = await stores.pgp.keys.getSecret(alice.privateKey.getFingerprint());
  assert.ok(wrapped && !wrapped.wrapped.includes(Buffer.from(alice.privateKey.write()).subarray(-40)), 'no plaintext secret in the row');
  assert.equal((await keyring.secretKey(alice.privateKey.getFingerprint()))?.getFingerprint(), alice.privateKey.getFingerprint());
  assert.equal((await selector.encryptionKeysFor('BOB@partner.test')).canEncrypt, true);
  assert.equal((await selector.signingKeyFor('alice@example.test'))?.fingerprint, alice.privateKey.getFingerprint().toLowerCase());
  assert.equal(await selector.signingKeyFor('bob@partner.test'), null, 'no secret key for Bob');

  const revoked = await openpgp.revokeKey({ key: bob.privateKey, format: 'object', config: pgpConfig() });
  const again = await keyring.import(Buffer.from(revoked.publicKey.armor()));
  assert.equal(again[0]!.created, false);
  assert.equal(again[0]!.record.revoked, true);
  const sel = await selector.encryptionKeysFor('bob@partner.test');
  assert.equal(sel.canEncrypt, false);
  assert.match(sel.rejected[0]!.reason, /revoked/);
  // importing the old public key again does not un-revoke it (material is merged)
  await keyring.import(Buffer.from(bob.publicKey.armor()));
  assert.equal((await selector.encryptionKeysFor('bob@partner.test')).canEncrypt, false);
});

test('selection: expired keys, learnt keys (by config), pending keys, foreign user IDs and domain keys', async (t) => {
  const { stores, keyring } = await setup();
  t.after(() => stores.close());
  const old = await generateKeyPair({ email: 'old@partner.test', expiresInSeconds: 60, date: new Date(Date.now() - 3600_000) });
  await keyring.import(Buffer.from(old.publicKey.armor()));
  const learnt = await generateKeyPair({ email: 'learnt@partner.test' });
  await keyring.add(learnt.publicKey, { source: 'wkd', trust: 'learnt' });
  const pending = await generateKeyPair({ email: 'pending@partner.test' });
  await keyring.add(pending.publicKey, { source: 'hkp', trust: 'pending' });
  const domainKey = await generateKeyPair({ name: 'partner.test gateway' });
  await keyring.import(Buffer.from(domainKey.publicKey.armor()));
  const strict = new PgpSelector(keyring, { domains: [], useLearnt: false });
  assert.match((await strict.encryptionKeysFor('old@partner.test')).rejected[0]!.reason, /expired/);
  assert.match((await strict.encryptionKeysFor('learnt@partner.test')).rejected[0]!.reason, /learnt/);
  assert.match((await strict.encryptionKeysFor('pending@partner.test')).rejected[0]!.reason, /pending/);
  const lenient = new PgpSelector(keyring, { domains: [{ domain: '*.other.test', keys: [domainKey.publicKey.getFingerprint().toLowerCase()] }], useLearnt: true });
  assert.equal((await lenient.encryptionKeysFor('learnt@partner.test')).canEncrypt, true);
  assert.equal((await lenient.encryptionKeysFor('pending@partner.test')).canEncrypt, false);
  const dom = await lenient.encryptionKeysFor('anyone@mail.other.test');
  assert.deepEqual(dom.keys.map((k) => k.role), ['domain']);
  assert.equal((await lenient.encryptionKeysFor('anyone@other.test')).canEncrypt, false, '*.other.test covers subdomains only');
  let asked = '';
  const discovering = new PgpSelector(keyring, { domains: [], useLearnt: true, discover: async (a) => (asked = a) });
  assert.equal((await discovering.encryptionKeysFor('nobody@partner.test')).canEncrypt, false);
  assert.equal(asked, 'nobody@partner.test');
});

test('pinning: a learnt key that also names a trusted key\'s address never displaces the trusted key; a revoked hosted key stops signing', async (t) => {
  const { stores, keyring } = await setup();
  t.after(() => stores.close());
  const victim = await generateKeyPair({ email: 'victim@partner.test', date: new Date(Date.now() - 3600_000) });
  await keyring.import(Buffer.from(victim.publicKey.armor()));
  // newer, learnt for mallory@evil.test, but carrying victim's address as a second user ID
  const { publicKey: forged } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: 'mallory@evil.test' }, { email: 'victim@partner.test' }], format: 'object', config: pgpConfig() });
  await keyring.add(forged, { source: 'wkd', trust: 'learnt' });
  const selector = new PgpSelector(keyring, { domains: [], useLearnt: true });
  const sel = await selector.encryptionKeysFor('victim@partner.test');
  assert.deepEqual(sel.keys.map((k) => k.fingerprint), [victim.publicKey.getFingerprint().toLowerCase()]);
  assert.equal((await selector.encryptionKeysFor('mallory@evil.test')).keys[0]?.fingerprint, forged.getFingerprint().toLowerCase(), 'the learnt key still serves its own address');

  const alice = await generateKeyPair({ email: 'alice@example.test' });
  await keyring.import(Buffer.from(alice.privateKey.armor()));
  assert.ok(await selector.signingKeyFor('alice@example.test'));
  const revoked = await openpgp.revokeKey({ key: alice.privateKey, format: 'object', config: pgpConfig() });
  await keyring.import(Buffer.from(revoked.publicKey.armor()));
  assert.equal(await selector.signingKeyFor('alice@example.test'), null, 'revoked: no more signatures with it');
});
