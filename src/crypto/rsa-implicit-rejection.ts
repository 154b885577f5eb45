/**
 * RSAES-PKCS1-v1_5 decryption with implicit rejection (draft-irtf-cfrg-rsa-guidance §7; the
 * algorithm OpenSSL ≥ 3.2 runs for RSA_PKCS1_PADDING).
 *
 * Node 20 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809) and a naive unpad of
 * RSA_NO_PADDING output is a Bleichenbacher/Marvin oracle. So: raw RSA through node (OpenSSL,
 * blinded, constant-time modexp), then an unpadding that never fails: when the padding is wrong it
 * returns a synthetic message derived from the private key and the ciphertext. The same ciphertext
 * always yields the same output, a wrong padding is indistinguishable from a wrong message, and
 * the caller only ever sees "this key did not decrypt the content" (CBC padding or GCM tag).
 *
 *   KDK       = HMAC-SHA256(key = SHA-256(d as k bytes), C left-padded to k bytes)
 *   PRF(l, n) = HMAC-SHA256(KDK, be16(i) ‖ l ‖ be16(8n)) for i = 0, 1, … truncated to n bytes
 *   synthetic = last L bytes of PRF("message", k), L = the last of 128 16-bit candidates from
 *               PRF("length", 256), masked to the next power of two − 1, that is < k − 10
 *
 * SECURITY: the private exponent is read once per key (JWK export) and only its SHA-256 is kept,
 * in a WeakMap keyed by the KeyObject. The unpadding below avoids data-dependent branches and
 * indexing (select by masks, scan every byte); JavaScript gives no constant-time guarantee, but
 * nothing here returns early on a secret. Inputs that are publicly invalid (longer than the
 * modulus, or ≥ n) return null: they reveal nothing an attacker did not already know.
 * STANDARDS: RFC 8017 §7.2.2, draft-irtf-cfrg-rsa-guidance (implicit rejection), OpenSSL
 * crypto/rsa/rsa_pk1.c ossl_rsa_padding_check_PKCS1_type_2 (byte-compatible, tested against it).
 */
import { constants, createHash, createHmac, privateDecrypt, type KeyObject } from 'node:crypto';

interface KeyState {
  readonly k: number;
  readonly dHash: Buffer;
}

const states = new WeakMap<KeyObject, KeyState>();

function stateOf(privateKey: KeyObject): KeyState {
  let state = states.get(privateKey);
  if (state) return state;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError('implicit-rejection decryption needs an RSA private key');
  }
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.d !== 'string') throw new TypeError('RSA private key without n/d');
  const n = Buffer.from(jwk.n, 'base64url');
  let start = 0;
  while (start < n.length - 1 && n[start] === 0) start++;
  const k = n.length - start;
  const d = Buffer.from(jwk.d, 'base64url');
  const dPadded = Buffer.alloc(k);
  d.copy(dPadded, Math.max(0, k - d.length), Math.max(0, d.length - k));
  state = { k, dHash: createHash('sha256').update(dPadded).digest() };
  dPadded.fill(0);
  d.fill(0);
  states.set(privateKey, state);
  return state;
}

function prf(kdk: Buffer, label: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  const bits = Buffer.alloc(2);
  bits.writeUInt16BE((length * 8) & 0xffff);
  const labelBytes = Buffer.from(label, 'latin1');
  const counter = Buffer.alloc(2);
  for (let pos = 0, i = 0; pos < length; pos += 32, i++) {
    counter.writeUInt16BE(i);
    createHmac('sha256', kdk).update(counter).update(labelBytes).update(bits).digest().copy(out, pos);
  }
  return out;
}

// Branch-free helpers over non-negative 31-bit integers: masks are all-ones (-1) or 0.
const isZero = (x: number): number => ((((x | -x) >>> 31) ^ 1) * -1) | 0;
const eq = (a: number, b: number): number => isZero(a ^ b);
/** a < b for 0 ≤ a, b < 2^30 */
const lt = (a: number, b: number): number => ((a - b) >> 31) | 0;
const select = (mask: number, a: number, b: number): number => (a & mask) | (b & ~mask);

/**
 * Decrypts `ciphertext` with the RSA key. Returns the message when the padding is correct and a
 * deterministic pseudo-random message otherwise (indistinguishable to the caller); null only for
 * publicly invalid input (longer than the modulus, or not below it).
 */
export function rsaPkcs1v15DecryptImplicit(privateKey: KeyObject, ciphertext: Buffer): Buffer | null {
  const { k, dHash } = stateOf(privateKey);
  if (ciphertext.length === 0 || ciphertext.length > k || k < 11) return null;
  const c = Buffer.alloc(k);
  ciphertext.copy(c, k - ciphertext.length);
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, c);
  } catch {
    return null; // c ≥ n: public knowledge
  }
  try {
    return unpadPkcs1v15Implicit(em, c, dHash);
  } finally {
    em.fill(0);
  }
}

/**
 * The implicit-rejection unpadding alone, for raw RSA done elsewhere (a PKCS#11 token, where d
 * cannot be read): `em` is the raw RSA result, `ciphertext` what was decrypted, `secret` 32
 * secret bytes bound to the key — SHA-256 of d (as k bytes) for OpenSSL compatibility, or a
 * random secret stored with a token key. Returns null only when `em` is longer than `ciphertext`'s
 * modulus size k (taken as the larger of the two lengths).
 */
export function unpadPkcs1v15Implicit(em: Buffer, ciphertext: Buffer, secret: Buffer): Buffer | null {
  const k = Math.max(em.length, ciphertext.length);
  if (k < 11 || secret.length === 0) return null;
  const c = ciphertext.length === k ? ciphertext : Buffer.concat([Buffer.alloc(k - ciphertext.length), ciphertext]);
  const m = em.length === k ? em : Buffer.concat([Buffer.alloc(k - em.length), em]);

  const kdk = createHmac('sha256', secret).update(c).digest();
  const synthetic = prf(kdk, 'message', k);
  const candidates = prf(kdk, 'length', 256);

  const maxSepOffset = k - 2 - 8;
  let lenMask = maxSepOffset;
  lenMask |= lenMask >> 1;
  lenMask |= lenMask >> 2;
  lenMask |= lenMask >> 4;
  lenMask |= lenMask >> 8;
  let syntheticLength = 0;
  for (let i = 0; i < 256; i += 2) {
    const candidate = ((candidates[i]! << 8) | candidates[i + 1]!) & lenMask;
    syntheticLength = select(lt(candidate, maxSepOffset), candidate, syntheticLength);
  }
  const syntheticIndex = k - syntheticLength;

  let good = isZero(m[0]!) & eq(m[1]!, 2);
  let found = 0;
  let zeroIndex = 0;
  for (let i = 2; i < k; i++) {
    const zero = isZero(m[i]!);
    zeroIndex = select(~found & zero, i, zeroIndex);
    found |= zero;
  }
  good &= ~lt(zeroIndex, 10); // at least 8 bytes of padding; zeroIndex 0 (none found) fails too
  const msgIndex = select(good, zeroIndex + 1, syntheticIndex);

  const out = Buffer.alloc(k - msgIndex);
  for (let i = msgIndex, j = 0; i < k; i++, j++) out[j] = select(good, m[i]!, synthetic[i]!) & 0xff;
  if (m !== em) m.fill(0);
  return out;
}
