import 'reflect-metadata';
import assert from 'node:assert/strict';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { SealpostError } from '../../errors/index.js';
import { canEncryptTo, decryptEnveloped, encryptEnveloped, signData, verifySignedData, type DecryptResult, type EncryptCipher } from './index.js';
import { describeCertificate } from './certificate.js';
import { CIPHERS as CIPHER_SPECS, encryptContent } from './content-cipher.js';
import { children, parseDer, rawOf } from './der.js';
import { writeEnvelope } from './envelope.js';
import { buildKeyTransRecipient } from './key-transport.js';

interface Identity {
  readonly certificate: Buffer;
  readonly privateKey: KeyObject;
}

type Spec = { type: 'rsa'; bits: number } | { type: 'ec'; curve: 'P-256' | 'P-384' };

let serial = 1;
async function identity(spec: Spec, name: string): Promise<Identity> {
  const algorithm =
    spec.type === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
      : { name: 'ECDSA', namedCurve: spec.curve, hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      name: [{ CN: [name] }],
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto)],
    },
    webcrypto,
  );
  return { certificate: Buffer.from(cert.rawData), privateKey: KeyObject.from(keys.privateKey) };
}

const FAILED: DecryptResult = { ok: false, reason: 'failed' };
const CIPHERS: readonly EncryptCipher[] = ['aes-256-cbc', 'aes-128-cbc', 'aes-256-gcm', 'aes-128-gcm'];
const MESSAGE = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nGr\xc3\xbc\xc3\x9fe, 8-bit body\r\n', 'latin1');

/** Offset of the content of the last OCTET STRING-like value `needle` inside `der`. */
function offsetOf(der: Buffer, needle: Buffer): number {
  const at = der.lastIndexOf(needle);
  assert.ok(at > 0, 'value not found in the encoding');
  return at;
}

describe('CMS facade', () => {
  let rsa: Identity;
  let rsa2: Identity;
  let p256: Identity;
  let p384: Identity;
  let other: Identity;
  before(async () => {
    [rsa, rsa2, p256, p384, other] = await Promise.all([
      identity({ type: 'rsa', bits: 2048 }, 'rsa'),
      identity({ type: 'rsa', bits: 2048 }, 'rsa2'),
      identity({ type: 'ec', curve: 'P-256' }, 'p256'),
      identity({ type: 'ec', curve: 'P-384' }, 'p384'),
      identity({ type: 'ec', curve: 'P-256' }, 'other'),
    ]);
  });

  describe('encryptEnveloped → decryptEnveloped', () => {
    for (const cipher of CIPHERS) {
      it(`${cipher}: RSA PKCS#1 v1.5, RSA-OAEP, ECDH P-256 and P-384 each decrypt`, () => {
        const cases: [Identity, 'rsa-pkcs1' | 'rsa-oaep' | undefined][] = [[rsa, 'rsa-pkcs1'], [rsa, 'rsa-oaep'], [p256, undefined], [p384, undefined]];
        for (const [id, keyTransport] of cases) {
          const der = encryptEnveloped({ content: MESSAGE, recipients: [keyTransport ? { certificate: id.certificate, keyTransport } : { certificate: id.certificate }], cipher });
          const result = decryptEnveloped(der, [id]);
          assert.deepEqual(result, { ok: true, content: MESSAGE, cipher, recipient: id.certificate });
        }
      });
    }

    it('defaults to AES-256-CBC EnvelopedData; GCM gives AuthEnvelopedData', () => {
      const cbc = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate }] });
      assert.ok(cbc.includes(Buffer.from('06092a864886f70d010703', 'hex'))); // id-envelopedData
      assert.equal((decryptEnveloped(cbc, [rsa]) as { cipher: string }).cipher, 'aes-256-cbc');
      const gcm = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate }], cipher: 'aes-256-gcm' });
      assert.ok(gcm.includes(Buffer.from('060b2a864886f70d0109100117', 'hex'))); // id-ct-authEnvelopedData
    });

    it('one message for several recipients: each key opens it, in DER order', () => {
      const der = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate }, { certificate: p256.certificate }, { certificate: rsa2.certificate, keyTransport: 'rsa-oaep' }] });
      for (const id of [rsa, p256, rsa2]) assert.equal(decryptEnveloped(der, [id]).ok, true);
      // EnvelopedData version 2 with a kari (RFC 5652 §6.1); RecipientInfos SET sorted
      const env = children(children(children(parseDer(der)!)![1])![0])!;
      assert.equal(rawOf(env[0]!).toString('hex'), '020102');
      const infos = children(env[1])!.map((i) => rawOf(i));
      assert.deepEqual(infos, [...infos].sort(Buffer.compare));
    });

    it('the key we hold is found among several of ours, by certificate', () => {
      const der = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: p384.certificate }] });
      const result = decryptEnveloped(der, [rsa, p256, p384]);
      assert.ok(result.ok && result.recipient.equals(p384.certificate));
    });

    it("mail encrypted only to others is 'not-for-us'", () => {
      const der = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa2.certificate }, { certificate: p384.certificate }] });
      assert.deepEqual(decryptEnveloped(der, [rsa, p256]), { ok: false, reason: 'not-for-us' });
      assert.deepEqual(decryptEnveloped(der, []), { ok: false, reason: 'not-for-us' });
    });

    it("every tampering and every wrong key ends in exactly { ok: false, reason: 'failed' }", () => {
      for (const [id, keyTransport] of [[rsa, 'rsa-pkcs1'], [rsa, 'rsa-oaep'], [p256, undefined]] as const) {
        for (const cipher of ['aes-256-cbc', 'aes-256-gcm'] as const) {
          const content = randomBytes(200);
          const der = encryptEnveloped({ content, recipients: [keyTransport ? { certificate: id.certificate, keyTransport } : { certificate: id.certificate }], cipher });
          const flip = (at: number, mask = 0xff): Buffer => {
            const copy = Buffer.from(der);
            copy[at]! ^= mask;
            return copy;
          };
          const label = `${keyTransport ?? 'ecdh'} ${cipher}`;
          const root = children(parseDer(der)!)!;
          const env = children(children(root[1])![0])!;
          const encryptedKey = (() => {
            const info = children(env[1])![0]!;
            const fields = children(info)!;
            const last = fields[fields.length - 1]!; // ktri: encryptedKey; kari: recipientEncryptedKeys
            const leaf = keyTransport ? last : children(children(last)![0])![1]!;
            return rawOf(leaf).subarray(-16);
          })();
          const keyAt = offsetOf(der, encryptedKey);
          // GCM: the mac is the last 16 bytes and the ciphertext ends before it; CBC: the
          // ciphertext is last, and flipping the last byte of its penultimate block breaks the pad.
          const contentAt = cipher === 'aes-256-gcm' ? der.length - 18 - 100 : der.length - 17;
          assert.deepEqual(decryptEnveloped(flip(keyAt), [id]), FAILED, `${label}: encrypted key`);
          assert.deepEqual(decryptEnveloped(flip(contentAt), [id]), FAILED, `${label}: content`);
          if (cipher === 'aes-256-gcm') assert.deepEqual(decryptEnveloped(flip(der.length - 1), [id]), FAILED, `${label}: mac`);
          assert.deepEqual(decryptEnveloped(der.subarray(0, der.length - 1), [id]), FAILED, `${label}: truncated`);
          assert.deepEqual(decryptEnveloped(der.subarray(0, 200), [id]), FAILED, `${label}: truncated more`);
          assert.deepEqual(decryptEnveloped(Buffer.concat([der, Buffer.from([0])]), [id]), FAILED, `${label}: trailing data`);
          const wrongKey = id === p256 ? other.privateKey : rsa2.privateKey;
          assert.deepEqual(decryptEnveloped(der, [{ certificate: id.certificate, privateKey: wrongKey }]), FAILED, `${label}: wrong key`);
          assert.deepEqual(decryptEnveloped(der, [{ certificate: id.certificate, privateKey: p384.privateKey }]), FAILED, `${label}: key of another type`);
        }
      }
      assert.deepEqual(decryptEnveloped(Buffer.alloc(0), [rsa]), FAILED);
      assert.deepEqual(decryptEnveloped(randomBytes(300), [rsa]), FAILED);
      assert.deepEqual(decryptEnveloped(signData({ content: MESSAGE, signer: rsa, detached: false }), [rsa]), FAILED);
      assert.deepEqual(decryptEnveloped('not a buffer' as unknown as Buffer, [rsa]), FAILED);
    });

    it('never throws on mutated input (300 random mutations)', () => {
      const der = encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate }, { certificate: p256.certificate }], cipher: 'aes-128-gcm' });
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(der);
        const n = 1 + (i % 4);
        for (let j = 0; j < n; j++) copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
        const result = decryptEnveloped(i % 7 === 0 ? copy.subarray(0, Math.floor(Math.random() * copy.length)) : copy, [rsa, p256]);
        if (result.ok) assert.deepEqual(result.content, MESSAGE); // GCM: anything that opens is authentic
        else assert.ok(result.reason === 'failed' || result.reason === 'not-for-us');
      }
    });

    it('tries at most 8 RecipientInfos naming our keys (a hostile message cannot make us decrypt 1000 times)', () => {
      const cert = describeCertificate(rsa.certificate)!;
      const seen = new Set<boolean>();
      for (let round = 0; round < 40 && seen.size < 2; round++) {
        const cek = randomBytes(32);
        const encrypted = encryptContent(CIPHER_SPECS['aes-256-gcm'], cek, MESSAGE); // GCM: a wrong CEK never passes
        const real = buildKeyTransRecipient(cert, 'rsa-oaep', cek);
        const infos = [...Array.from({ length: 12 }, () => buildKeyTransRecipient(cert, 'rsa-oaep', randomBytes(32))), real];
        const der = writeEnvelope({ recipientInfos: infos, nonV0Recipients: false, contentAlgorithm: encrypted.algorithm, ciphertext: encrypted.ciphertext, mac: encrypted.tag });
        const position = [...infos].sort(Buffer.compare).indexOf(real); // DER order of the SET
        const result = decryptEnveloped(der, [rsa]);
        assert.equal(result.ok, position < 8, `real RecipientInfo at position ${position}`);
        seen.add(result.ok);
      }
      assert.equal(seen.size, 2);
    });

    it('is a strict facade: unknown options, values and unusable certificates throw', () => {
      const ok = { content: MESSAGE, recipients: [{ certificate: rsa.certificate }] };
      assert.throws(() => encryptEnveloped({ ...ok, cypher: 'aes-256-cbc' } as never), SealpostError);
      assert.throws(() => encryptEnveloped({ ...ok, cipher: 'aes-256-ecb' } as never), /cipher must be one of/);
      assert.throws(() => encryptEnveloped({ ...ok, cipher: 'des-ede3-cbc' } as never), /cipher must be one of/);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [] }), /at least one recipient/);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate, keyTransport: 'rsa-raw' as never }] }), /keyTransport/);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: p256.certificate, keyTransport: 'rsa-oaep' }] }), /EC certificate/);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: Buffer.from('junk') }] }), /usable certificate/);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate, extra: 1 } as never] }), /unknown option "extra"/);
      assert.throws(() => encryptEnveloped({ content: 'text' as never, recipients: [{ certificate: rsa.certificate }] }), /content must be a Buffer/);
    });

    it('canEncryptTo: RSA ≥ 2048 and EC P-256/P-384 only', async () => {
      const small = await identity({ type: 'rsa', bits: 1024 }, 'small');
      assert.equal(canEncryptTo(rsa.certificate), true);
      assert.equal(canEncryptTo(p384.certificate), true);
      assert.equal(canEncryptTo(small.certificate), false);
      assert.equal(canEncryptTo(Buffer.from('junk')), false);
      assert.throws(() => encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: small.certificate }] }), /usable certificate/);
    });
  });

  describe('signData → verifySignedData', () => {
    for (const digest of ['sha256', 'sha384', 'sha512'] as const) {
      it(`${digest}: RSA and ECDSA, detached and opaque`, () => {
        for (const id of [rsa, p256, p384]) {
          const detached = signData({ content: MESSAGE, signer: id, digest, detached: true });
          assert.deepEqual(verifySignedData(detached, MESSAGE), { status: 'valid', signer: id.certificate, certificates: [id.certificate], content: null, digest });
          const opaque = signData({ content: MESSAGE, signer: id, digest, detached: false });
          assert.deepEqual(verifySignedData(opaque), { status: 'valid', signer: id.certificate, certificates: [id.certificate], content: MESSAGE, digest });
        }
      });
    }

    it('writes the signed attributes as a DER SET (sorted), with the four RFC 8551 attributes', () => {
      const der = signData({ content: MESSAGE, signer: rsa, detached: true });
      const sd = children(children(children(parseDer(der)!)![1])![0])!;
      const signerInfo = children(children(sd[sd.length - 1])![0])!;
      const attrs = children(signerInfo[3])!.map((a) => rawOf(a));
      assert.equal(attrs.length, 4);
      assert.deepEqual(attrs, [...attrs].sort(Buffer.compare));
    });

    it('includes the chain, and the signer is found by issuer and serial', () => {
      const der = signData({ content: MESSAGE, signer: { ...rsa, chain: [p256.certificate, rsa.certificate] }, detached: true });
      const result = verifySignedData(der, MESSAGE);
      assert.equal(result.status, 'valid');
      assert.deepEqual(new Set(result.certificates.map((c) => c.toString('hex'))), new Set([rsa.certificate, p256.certificate].map((c) => c.toString('hex'))));
      assert.deepEqual(result.signer, rsa.certificate);
    });

    it('anything altered is invalid, never a throw', () => {
      const detached = signData({ content: MESSAGE, signer: p256, detached: true });
      const opaque = signData({ content: MESSAGE, signer: rsa, detached: false });
      const changed = Buffer.from(MESSAGE);
      changed[changed.length - 3]! ^= 1;
      assert.equal(verifySignedData(detached, changed).status, 'invalid');
      assert.equal(verifySignedData(detached).status, 'invalid'); // no content at all
      assert.equal(verifySignedData(opaque, MESSAGE).status, 'invalid'); // embedded and detached content
      const body = offsetOf(opaque, MESSAGE.subarray(-10));
      const tampered = Buffer.from(opaque);
      tampered[body]! ^= 1;
      assert.equal(verifySignedData(tampered).status, 'invalid');
      const sigFlip = Buffer.from(opaque);
      sigFlip[sigFlip.length - 5]! ^= 1;
      assert.equal(verifySignedData(sigFlip).status, 'invalid');
      assert.equal(verifySignedData(Buffer.alloc(0)).status, 'invalid');
      assert.equal(verifySignedData(encryptEnveloped({ content: MESSAGE, recipients: [{ certificate: rsa.certificate }] })).status, 'invalid');
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(i % 2 ? detached : opaque);
        copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
        const r = verifySignedData(i % 5 === 0 ? copy.subarray(0, Math.floor(Math.random() * copy.length)) : copy, i % 2 ? MESSAGE : undefined);
        assert.ok(r.status === 'invalid' || r.status === 'valid');
      }
    });

    it('a signature whose signer certificate is not included is invalid with signer null', () => {
      const der = signData({ content: MESSAGE, signer: rsa, detached: true });
      // replace the certificate by another one of the same length is not possible; drop the [0] set instead
      const sd = children(children(children(parseDer(der)!)![1])![0])!;
      const certs = rawOf(sd[2]!);
      const without = Buffer.from(der.toString('hex').replace(certs.toString('hex'), ''), 'hex');
      // outer lengths are now wrong: re-wrap from the parts
      const parts = [sd[0]!, sd[1]!, sd[3]!].map((p) => rawOf(p));
      assert.ok(without.length < der.length);
      const inner = Buffer.concat(parts);
      const wrap = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, 0x82, body.length >> 8, body.length & 0xff]), body]);
      const rebuilt = wrap(0x30, Buffer.concat([Buffer.from('06092a864886f70d010702', 'hex'), wrap(0xa0, wrap(0x30, inner))]));
      const result = verifySignedData(rebuilt, MESSAGE);
      assert.deepEqual({ status: result.status, signer: result.signer, certificates: result.certificates }, { status: 'invalid', signer: null, certificates: [] });
    });

    it('refuses more certificates than any real message carries', () => {
      const many = signData({ content: MESSAGE, signer: { ...rsa, chain: Array.from({ length: 64 }, () => p256.certificate) }, detached: true });
      assert.equal(verifySignedData(many, MESSAGE).status, 'invalid');
      const some = signData({ content: MESSAGE, signer: { ...rsa, chain: Array.from({ length: 10 }, () => p256.certificate) }, detached: true });
      assert.equal(verifySignedData(some, MESSAGE).status, 'valid');
    });

    it('is a strict facade for signing', () => {
      assert.throws(() => signData({ content: MESSAGE, signer: { certificate: rsa.certificate, privateKey: p256.privateKey }, detached: true }), /does not belong/);
      assert.throws(() => signData({ content: MESSAGE, signer: rsa, detached: true, digest: 'sha1' as never }), /digest must be one of/);
      assert.throws(() => signData({ content: MESSAGE, signer: rsa, detached: 'yes' as never }), /detached/);
      assert.throws(() => signData({ content: MESSAGE, signer: rsa, detached: true, micalg: 'sha-256' } as never), /unknown option "micalg"/);
      assert.throws(() => signData({ content: MESSAGE, signer: { ...rsa, chain: [Buffer.from('x')] }, detached: true }), /chain/);
    });
  });
});
