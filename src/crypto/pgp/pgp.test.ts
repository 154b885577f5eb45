import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as openpgp from 'openpgp';
import { decryptMessage, describeKey, encryptMessage, generateKeyPair, readKeyBlocks, signDetached, verifyDetached, verifyCleartext, signCleartext, buildPgpMimeEncrypted, buildPgpMimeSigned, splitPgpMimeEncrypted, splitPgpMimeSigned, readPgpInline, pgpConfig } from './index.js';

const alice = await generateKeyPair({ email: 'alice@example.test', name: 'Alice' });
const bob = await generateKeyPair({ email: 'bob@partner.test' });
const entity = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nSecret \u20ac line\r\n', 'utf8');

test('keys: v4 curve25519 legacy, describe says what selection needs; several armored blocks in one file', async () => {
  const info = await describeKey(bob.publicKey);
  assert.equal(info.version, 4);
  assert.deepEqual(info.emails, ['bob@partner.test']);
  assert.equal(info.canEncrypt, true);
  assert.equal(info.seipdv2, false, 'aeadProtect: false keys do not announce SEIPDv2');
  assert.equal(info.isPrivate, false);
  const file = Buffer.from(`junk\n${alice.publicKey.armor()}\nmore\n${bob.privateKey.armor()}`);
  const keys = await readKeyBlocks(file);
  assert.deepEqual(keys.map((k) => k.isPrivate()), [false, true]);
  const binary = Buffer.concat([Buffer.from(alice.publicKey.write()), Buffer.from(bob.publicKey.write())]);
  assert.equal((await readKeyBlocks(binary)).length, 2);
  await assert.rejects(readKeyBlocks(Buffer.from('not a key')));
});

test('encrypt+sign then decrypt: SEIPD v1 with MDC, signature valid with the signer key, unknown without it', async () => {
  const r = await encryptMessage({ content: entity, encryptionKeys: [bob.publicKey], signingKey: alice.privateKey });
  assert.equal(r.seipdVersion, 1);
  const out = await decryptMessage({ message: r.armored, decryptionKeys: [bob.privateKey], verificationKeys: async () => [alice.publicKey] });
  assert.ok(out.ok);
  assert.deepEqual(out.content, entity);
  assert.equal(out.signatures[0]!.status, 'valid');
  const unknown = await decryptMessage({ message: r.armored, decryptionKeys: [bob.privateKey], verificationKeys: async () => [] });
  assert.ok(unknown.ok);
  assert.equal(unknown.signatures[0]!.status, 'unknown-key');
  assert.deepEqual(await decryptMessage({ message: r.armored, decryptionKeys: [alice.privateKey] }), { ok: false, reason: 'not-for-us' });
});

test('a key announcing SEIPDv2 gets SEIPDv2; a mixed recipient set falls back to v1', async () => {
  const v2 = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: 'v2@x.test' }], format: 'object', config: { ...pgpConfig(), aeadProtect: true } });
  assert.equal((await encryptMessage({ content: entity, encryptionKeys: [v2.publicKey] })).seipdVersion, 2);
  assert.equal((await encryptMessage({ content: entity, encryptionKeys: [v2.publicKey, bob.publicKey] })).seipdVersion, 1);
  const r = await encryptMessage({ content: entity, encryptionKeys: [v2.publicKey] });
  const out = await decryptMessage({ message: r.armored, decryptionKeys: [v2.privateKey] });
  assert.ok(out.ok && out.seipdVersion === 2);
});

test('tampered ciphertext and MDC-stripped (SED) data are refused, never partially decrypted', async () => {
  const r = await encryptMessage({ content: Buffer.alloc(2000, 0x41), encryptionKeys: [bob.publicKey] });
  const bin = dearmor(r.armored);
  assert.ok(bin.length > 2000);
  const tampered = Buffer.from(bin);
  tampered[tampered.length - 100]! ^= 0x01;
  assert.deepEqual(await decryptMessage({ message: tampered, decryptionKeys: [bob.privateKey] }), { ok: false, reason: 'failed' });
  // turn the SEIPD packet (new format tag 18, 0xd2) into a SED packet (tag 9, 0xc9) without the version byte and MDC
  // the SEIPD packet (new-format tag 18 = 0xd2) follows the PKESK; rewrite it as a SED packet
  // (tag 9 = 0xc9) of the same ciphertext without the version octet and the 22-byte MDC packet
  const pkeskLen = bin[1]!;
  const at = 2 + pkeskLen;
  assert.equal(bin[at], 0xd2, 'SEIPD packet where expected');
  const { length, octets } = readLen(bin, at + 1);
  const ciphertext = bin.subarray(at + 1 + octets + 1, at + 1 + octets + length);
  const sed = Buffer.concat([bin.subarray(0, at), Buffer.from([0xc9]), encodeLen(ciphertext.length - 22), ciphertext.subarray(0, ciphertext.length - 22)]);
  assert.deepEqual(await decryptMessage({ message: sed, decryptionKeys: [bob.privateKey] }), { ok: false, reason: 'no-integrity' });
});

function readLen(b: Buffer, i: number): { length: number; octets: number } {
  const first = b[i]!;
  if (first < 192) return { length: first, octets: 1 };
  if (first < 224) return { length: ((first - 192) << 8) + b[i + 1]! + 192, octets: 2 };
  if (first === 255) return { length: b.readUInt32BE(i + 1), octets: 5 };
  throw new Error('partial body length: not expected for a small test message');
}
function encodeLen(n: number): Buffer {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) return Buffer.from([((n - 192) >> 8) + 192, (n - 192) & 0xff]);
  return Buffer.from([255, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

test('decompression bombs stop at maxDecompressedBytes', async () => {
  const message = await openpgp.createMessage({ binary: new Uint8Array(4 * 1024 * 1024) });
  const armored = await openpgp.encrypt({ message, encryptionKeys: bob.publicKey, config: { ...pgpConfig(), preferredCompressionAlgorithm: openpgp.enums.compression.zlib } });
  assert.ok(armored.length < 100_000, 'compressed');
  assert.deepEqual(await decryptMessage({ message: armored, decryptionKeys: [bob.privateKey], maxDecompressedBytes: 1024 * 1024 }), { ok: false, reason: 'failed' });
  assert.ok((await decryptMessage({ message: armored, decryptionKeys: [bob.privateKey] })).ok);
});

test('PGP/MIME: encrypted and signed entities split back to exactly what was built; detached signatures verify over exact bytes', async () => {
  const r = await encryptMessage({ content: entity, encryptionKeys: [bob.publicKey] });
  const enc = buildPgpMimeEncrypted(r.armored);
  assert.match(enc.toString(), /protocol="application\/pgp-encrypted"/);
  const armored = splitPgpMimeEncrypted(enc);
  assert.ok(armored && (await decryptMessage({ message: armored, decryptionKeys: [bob.privateKey] })).ok);
  const sig = await signDetached(entity, alice.privateKey);
  const signed = buildPgpMimeSigned(entity, sig);
  const split = splitPgpMimeSigned(signed)!;
  assert.deepEqual(split.signedContent, entity);
  assert.equal(split.micalg, 'pgp-sha256');
  assert.equal((await verifyDetached(split.signedContent, split.signature, async () => [alice.publicKey]))![0]!.status, 'valid');
  const altered = Buffer.from(split.signedContent.toString('utf8').replace('Secret', 'secret'), 'utf8');
  assert.equal((await verifyDetached(altered, split.signature, async () => [alice.publicKey]))![0]!.status, 'invalid');
});

test('PGP/INLINE: only a body that is one armored block counts; cleartext signatures verify', async () => {
  const r = await encryptMessage({ content: Buffer.from('hi'), encryptionKeys: [bob.publicKey], format: 'utf8' });
  assert.equal(readPgpInline(Buffer.from(`Content-Type: text/plain\r\n\r\n${r.armored}`))?.kind, 'encrypted');
  assert.equal(readPgpInline(Buffer.from(`Content-Type: text/plain\r\n\r\nClick here:\r\n${r.armored}`)), null, 'text around the block: not decrypted (EFAIL)');
  assert.equal(readPgpInline(Buffer.from(`Content-Type: text/html\r\n\r\n${r.armored}`)), null);
  const signed = await signCleartext('Hello Bob\nsecond line', alice.privateKey);
  const v = await verifyCleartext(signed, async () => [alice.publicKey]);
  assert.equal(v?.signatures[0]?.status, 'valid');
  assert.equal(v?.text, 'Hello Bob\nsecond line');
  const forged = signed.replace('Hello Bob', 'Hello Eve');
  assert.equal((await verifyCleartext(forged, async () => [alice.publicKey]))?.signatures[0]?.status, 'invalid');
});

test('expired and revoked keys are not encryption-capable', async () => {
  const old = await generateKeyPair({ email: 'old@x.test', expiresInSeconds: 60, date: new Date(Date.now() - 3600_000) });
  const info = await describeKey(old.publicKey);
  assert.equal(info.expired, true);
  assert.equal(info.canEncrypt, false);
  const revoked = await openpgp.revokeKey({ key: bob.privateKey, format: 'object' });
  const rinfo = await describeKey(revoked.publicKey);
  assert.equal(rinfo.revoked, true);
  assert.equal(rinfo.canEncrypt, false);
});

test('RSA session keys: raw RSA + implicit rejection; a damaged PKESK gives a random key and the same verdict as damaged data', async () => {
  const { rsaSessionKeys } = await import('./rsa-session-key.js');
  const rsa = await generateKeyPair({ email: 'rsa@example.test', type: 'rsa3072' });
  const r = await encryptMessage({ content: entity, encryptionKeys: [rsa.publicKey] });
  const msg = await openpgp.readMessage({ armoredMessage: r.armored });
  const keys = await rsaSessionKeys(msg, [rsa.privateKey], { ...openpgp.config, ...pgpConfig() } as openpgp.Config);
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.algorithm, 'aes256');
  const good = await decryptMessage({ message: r.armored, decryptionKeys: [rsa.privateKey] });
  assert.ok(good.ok);
  assert.deepEqual(good.content, entity);
  const bin = dearmor(r.armored);
  const damaged = Buffer.from(bin);
  damaged[200]! ^= 0x01; // inside the PKESK's RSA ciphertext (384 bytes from offset 15)
  const dmsg = await openpgp.readMessage({ binaryMessage: damaged });
  const dkeys = await rsaSessionKeys(dmsg, [rsa.privateKey], { ...openpgp.config, ...pgpConfig() } as openpgp.Config);
  assert.equal(dkeys.length, 1);
  assert.notDeepEqual(Buffer.from(dkeys[0]!.data), Buffer.from(keys[0]!.data));
  assert.deepEqual(await decryptMessage({ message: damaged, decryptionKeys: [rsa.privateKey] }), { ok: false, reason: 'failed' });
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await decryptMessage({ message: r.armored, decryptionKeys: [rsa.privateKey] });
  assert.ok((performance.now() - t0) / 5 < 40, 'RSA-3072 decryption goes through node:crypto, not BigInt');
});

/** The binary packets of an armored block (test helper; the checksum line is dropped). */
function dearmor(armored: string): Buffer {
  const body = armored.split(/\r?\n\r?\n/)[1]!.split(/\r?\n/).filter((l) => l && !l.startsWith('=') && !l.startsWith('-----'));
  return Buffer.from(body.join(''), 'base64');
}

test('a signed-only message armored as PGP MESSAGE (gpg -sa) is not-encrypted, not an integrity failure; no held key means not-for-us', async () => {
  const alice = await generateKeyPair({ email: 'alice@example.test' });
  const signedOnly = await openpgp.sign({ message: await openpgp.createMessage({ text: 'hello' }), signingKeys: alice.privateKey, format: 'armored', config: pgpConfig() });
  const r = await decryptMessage({ message: Buffer.from(signedOnly as string), decryptionKeys: [alice.privateKey] });
  assert.deepEqual(r, { ok: false, reason: 'not-encrypted' });
  const bob = await generateKeyPair({ email: 'bob@example.test' });
  const enc = await encryptMessage({ content: Buffer.from('x'), encryptionKeys: [bob.publicKey], format: 'binary' });
  assert.deepEqual(await decryptMessage({ message: Buffer.from(enc.armored), decryptionKeys: [] }), { ok: false, reason: 'not-for-us' });
});
