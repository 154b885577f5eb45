/**
 * OpenPGP messages both ways with the real gpg (2.2), at the facade and keyring level:
 * RSA-3072 and Curve25519 (legacy) keys made by each side; our PGP/MIME encrypted+signed and
 * detached-signed entities read by gpg (SEIPD v1 with MDC, good signatures over exact bytes);
 * gpg's encrypted, signed and cleartext-signed data read by us; tampered and MDC-less (gpg
 * --rfc2440) data refused; expired and revoked gpg keys never selected.
 * RSA-3072 keys are slow to make: one per side for the whole file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildPgpMimeEncrypted, buildPgpMimeSigned, decryptMessage, encryptMessage, generateKeyPair, signDetached, splitPgpMimeEncrypted, splitPgpMimeSigned, verifyCleartext, verifyDetached, type PgpPrivateKey, type PgpPublicKey } from '../../src/crypto/pgp/index.js';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import { KeyWrapper } from '../../src/keystore/key-wrap.js';
import { PgpKeyring } from '../../src/pgp/keyring.js';
import { PgpSelector } from '../../src/pgp/select.js';
import { Gpg } from '../helpers/gpg.js';

let gpg: Gpg;
let gpgRsa: string;
let gpgEcc: string;
let ourRsa: { privateKey: PgpPrivateKey; publicKey: PgpPublicKey };
let ourEcc: { privateKey: PgpPrivateKey; publicKey: PgpPublicKey };
let gpgRsaKey: PgpPublicKey;
let gpgEccKey: PgpPublicKey;
let stores: Stores;
let keyring: PgpKeyring;

before(async () => {
  gpg = Gpg.create();
  [gpgRsa, gpgEcc, ourRsa, ourEcc] = await Promise.all([gpg.generate('rsa@partner.test', 'rsa3072'), gpg.generate('ecc@partner.test', 'curve25519'), generateKeyPair({ email: 'rsa@example.test', type: 'rsa3072' }), generateKeyPair({ email: 'ecc@example.test' })]);
  await gpg.import(ourRsa.publicKey.armor());
  await gpg.import(ourEcc.publicKey.armor());
  stores = createStores(await openDatabase('sqlite::memory:'));
  keyring = new PgpKeyring(stores.pgp.keys, new KeyWrapper(randomBytes(32)));
  const imported = await keyring.import(Buffer.concat([await gpg.exportPublic(gpgRsa), await gpg.exportPublic(gpgEcc)]));
  assert.equal(imported.length, 2);
  gpgRsaKey = await keyring.publicKey(imported[0]!.record);
  gpgEccKey = await keyring.publicKey(imported[1]!.record);
});
after(async () => {
  gpg.close();
  await stores.close();
});

const entity = Buffer.from('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe, 42 \u20ac\r\n', 'utf8');

for (const kind of ['rsa', 'ecc'] as const) {
  test(`${kind}: our signed+encrypted PGP/MIME is decrypted by gpg (SEIPD v1 + MDC, AES-256) with a good signature`, async () => {
    const to = kind === 'rsa' ? gpgRsaKey : gpgEccKey;
    const signer = kind === 'rsa' ? ourRsa : ourEcc;
    const r = await encryptMessage({ content: entity, encryptionKeys: [to], signingKey: signer.privateKey });
    assert.equal(r.seipdVersion, 1);
    const armored = splitPgpMimeEncrypted(buildPgpMimeEncrypted(r.armored))!;
    const d = await gpg.decrypt(armored);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(d.stdout, entity, 'the inner entity, byte for byte');
    assert.ok(d.status.includes('GOODMDC'));
    assert.ok(d.status.some((l) => /^DECRYPTION_INFO 2 9\b/.test(l)), `MDC (2) and AES-256 (9): ${d.status.join(' | ')}`);
    assert.ok(d.status.some((l) => l.startsWith(`VALIDSIG ${signer.publicKey.getFingerprint().toUpperCase()}`)));
  });

  test(`${kind}: gpg's signed+encrypted data (binary and armored) is decrypted by us; the signature verifies with the stored key`, async () => {
    const ours = kind === 'rsa' ? ourRsa : ourEcc;
    const signer = kind === 'rsa' ? gpgRsa : gpgEcc;
    const signerKey = kind === 'rsa' ? gpgRsaKey : gpgEccKey;
    for (const armor of [true, false]) {
      const enc = await gpg.encrypt(entity, [ours.publicKey.getFingerprint()], { signer, armor });
      const r = await decryptMessage({ message: enc, decryptionKeys: [ours.privateKey], verificationKeys: async () => [signerKey] });
      assert.ok(r.ok, `armor=${armor}`);
      assert.deepEqual(r.content, entity);
      assert.equal(r.signatures[0]?.status, 'valid');
      assert.equal(r.signatures[0]?.fingerprint, signer);
    }
  });

  test(`${kind}: our detached PGP/MIME signature verifies in gpg over the exact first part; gpg's detached signature verifies with us`, async () => {
    const signer = kind === 'rsa' ? ourRsa : ourEcc;
    const split = splitPgpMimeSigned(buildPgpMimeSigned(entity, await signDetached(entity, signer.privateKey)))!;
    const v = await gpg.verifyDetached(split.signedContent, split.signature);
    assert.equal(v.code, 0, v.stderr);
    assert.ok(v.status.some((l) => l.startsWith('GOODSIG')));
    const gpgSigner = kind === 'rsa' ? gpgRsa : gpgEcc;
    const theirs = await gpg.detachSign(entity, gpgSigner);
    assert.equal((await verifyDetached(entity, theirs, async () => [kind === 'rsa' ? gpgRsaKey : gpgEccKey]))?.[0]?.status, 'valid');
    assert.equal((await verifyDetached(Buffer.concat([entity, Buffer.from(' ')]), theirs, async () => [kind === 'rsa' ? gpgRsaKey : gpgEccKey]))?.[0]?.status, 'invalid');
  });
}

test('gpg cleartext signature (PGP/INLINE signed) verifies; an edited one does not', async () => {
  const signed = (await gpg.clearSign('Pay 100 EUR to Bob.\n', gpgEcc)).toString();
  assert.equal((await verifyCleartext(signed, async () => [gpgEccKey]))?.signatures[0]?.status, 'valid');
  assert.equal((await verifyCleartext(signed.replace('100', '900'), async () => [gpgEccKey]))?.signatures[0]?.status, 'invalid');
});

test('tampered gpg ciphertext and gpg --rfc2440 data without MDC are refused', async () => {
  const bin = await gpg.encrypt(Buffer.alloc(4000, 0x61), [ourRsa.publicKey.getFingerprint()], { armor: false, extra: ['--compress-algo', 'none'] });
  const tampered = Buffer.from(bin);
  tampered[tampered.length - 200]! ^= 0x20;
  assert.deepEqual(await decryptMessage({ message: tampered, decryptionKeys: [ourRsa.privateKey] }), { ok: false, reason: 'failed' });
  const truncated = bin.subarray(0, bin.length - 22);
  assert.equal((await decryptMessage({ message: truncated, decryptionKeys: [ourRsa.privateKey] })).ok, false, 'MDC cut off');
  const noMdc = await gpg.encrypt('no integrity\n', [ourRsa.publicKey.getFingerprint()], { extra: ['--rfc2440'] });
  assert.match((await gpg.run(['--list-packets'], noMdc)).stdout.toString(), /:encrypted data packet:/, 'gpg really wrote a SED packet');
  assert.deepEqual(await decryptMessage({ message: noMdc, decryptionKeys: [ourRsa.privateKey] }), { ok: false, reason: 'no-integrity' });
});

test('expired and revoked gpg keys are imported but never selected; a valid one is', async () => {
  const old = await gpg.run(['--faked-system-time', '20200101T000000', '--quick-generate-key', 'old <old@partner.test>', 'ed25519', 'sign,cert', '1d']);
  const oldFp = /KEY_CREATED \w ([0-9A-F]{40})/.exec(old.status.join('\n'))![1]!;
  await gpg.run(['--faked-system-time', '20200101T000000', '--quick-add-key', oldFp, 'cv25519', 'encr', '1d']);
  const revoked = await gpg.generate('gone@partner.test', 'curve25519');
  const revokedKey = await gpg.revoke(revoked);
  await keyring.import(Buffer.concat([await gpg.exportPublic(oldFp), revokedKey]));
  const selector = new PgpSelector(keyring, { domains: [], useLearnt: false });
  const expired = await selector.encryptionKeysFor('old@partner.test');
  assert.equal(expired.canEncrypt, false);
  assert.match(expired.rejected[0]!.reason, /expired/);
  const rev = await selector.encryptionKeysFor('gone@partner.test');
  assert.equal(rev.canEncrypt, false);
  assert.match(rev.rejected[0]!.reason, /revoked/);
  assert.equal((await selector.encryptionKeysFor('rsa@partner.test')).canEncrypt, true);
});
