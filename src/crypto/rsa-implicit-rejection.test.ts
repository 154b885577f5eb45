import assert from 'node:assert/strict';
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { rsaPkcs1v15DecryptImplicit, unpadPkcs1v15Implicit } from './rsa-implicit-rejection.js';
import { IMPLICIT_REJECTION_VECTORS, OPENSSL_TEST_KEY_RSA_2048 } from './rsa-implicit-rejection.vectors.js';

describe('RSA PKCS#1 v1.5 decryption with implicit rejection', () => {
  const key = createPrivateKey(OPENSSL_TEST_KEY_RSA_2048);

  for (const v of IMPLICIT_REJECTION_VECTORS) {
    it(`matches OpenSSL's implicit rejection: ${v.name}`, () => {
      const out = rsaPkcs1v15DecryptImplicit(key, Buffer.from(v.ciphertext, 'hex'));
      assert.ok(out);
      assert.equal(out.toString('hex'), v.expected);
    });
  }

  it('decrypts what node encrypts with PKCS#1 v1.5', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const len of [0, 1, 16, 32, 245]) {
      const msg = randomBytes(len);
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, msg);
      assert.deepEqual(rsaPkcs1v15DecryptImplicit(privateKey, ct), msg);
    }
  });

  it('a wrong padding gives a deterministic output that depends on the ciphertext', () => {
    const ct = Buffer.from(IMPLICIT_REJECTION_VECTORS.find((v) => v.name === 'no zero separator')!.ciphertext, 'hex');
    const a = rsaPkcs1v15DecryptImplicit(key, ct);
    const b = rsaPkcs1v15DecryptImplicit(key, ct);
    assert.deepEqual(a, b);
    const other = Buffer.from(ct);
    other[other.length - 1]! ^= 1;
    assert.notDeepEqual(rsaPkcs1v15DecryptImplicit(key, other), a);
  });

  it('a short ciphertext is read as left-padded with zeros (as OpenSSL does)', () => {
    const short = Buffer.from('0102030405', 'hex');
    const full = Buffer.concat([Buffer.alloc(251), short]);
    assert.deepEqual(rsaPkcs1v15DecryptImplicit(key, short), rsaPkcs1v15DecryptImplicit(key, full));
  });

  it('returns null only for publicly invalid input', () => {
    const n = Buffer.from(createPublicKey(key).export({ format: 'jwk' }).n!, 'base64url');
    assert.equal(rsaPkcs1v15DecryptImplicit(key, Buffer.alloc(0)), null);
    assert.equal(rsaPkcs1v15DecryptImplicit(key, Buffer.alloc(257, 1)), null);
    assert.equal(rsaPkcs1v15DecryptImplicit(key, n), null); // c = n is not below the modulus
    assert.ok(rsaPkcs1v15DecryptImplicit(key, Buffer.from([1])));
  });

  it('refuses a key that is not an RSA private key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => rsaPkcs1v15DecryptImplicit(privateKey, Buffer.alloc(32, 1)), TypeError);
    assert.throws(() => rsaPkcs1v15DecryptImplicit(createPublicKey(key), Buffer.alloc(256, 1)), TypeError);
  });
});

describe('unpadPkcs1v15Implicit (raw RSA done elsewhere, e.g. in a token)', () => {
  it('gives what rsaPkcs1v15DecryptImplicit gives when fed the raw RSA result and SHA-256 of d', () => {
    const key = createPrivateKey(OPENSSL_TEST_KEY_RSA_2048);
    const jwk = key.export({ format: 'jwk' });
    const dHash = createHash('sha256').update(Buffer.from(jwk.d!, 'base64url')).digest();
    for (const v of IMPLICIT_REJECTION_VECTORS) {
      const ct = Buffer.from(v.ciphertext, 'hex');
      const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ct);
      assert.equal(unpadPkcs1v15Implicit(em, ct, dHash)?.toString('hex'), v.expected, v.name);
    }
  });
});
