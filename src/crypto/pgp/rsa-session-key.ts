/**
 * crypto/pgp/rsa-session-key — RSA PKCS#1 v1.5 session-key decryption for OpenPGP (v3 PKESK)
 * the way DESIGN §9 prescribes for S/MIME: raw RSA in node:crypto (`RSA_NO_PADDING`, OpenSSL's
 * CRT, constant-time) and implicit-rejection unpadding (src/crypto/rsa-implicit-rejection.ts),
 * instead of openpgp's BigInt path (same security, ~20× slower for RSA-3072).
 *
 * A bad padding yields a pseudo-random message (implicit rejection); a message that is not
 * `algorithm || key || checksum` for an AES key yields a random AES-256 key. Either way the SEIPD
 * decryption that follows fails its MDC check, so every failure is the one verdict `failed`,
 * with no early exit the sender could time.
 * SECURITY: the KeyObject built from the openpgp secret key lives in a WeakMap keyed by the key
 * packet (dropped with it); no key bytes are logged or put in errors.
 * STANDARDS: RFC 4880 §5.1 (PKESK v3, session key checksum), §13.1 (EME-PKCS1-v1_5),
 * draft-irtf-cfrg-rsa-guidance (implicit rejection).
 */
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import * as openpgp from 'openpgp';
import { rsaPkcs1v15DecryptImplicit } from '../rsa-implicit-rejection.js';

const AES: Readonly<Record<number, { name: 'aes128' | 'aes192' | 'aes256'; length: number }>> = {
  [openpgp.enums.symmetric.aes128]: { name: 'aes128', length: 16 },
  [openpgp.enums.symmetric.aes192]: { name: 'aes192', length: 24 },
  [openpgp.enums.symmetric.aes256]: { name: 'aes256', length: 32 },
};

const keyObjects = new WeakMap<object, KeyObject>();

const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const b64u = (n: bigint) => {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
};

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

interface RsaPacket {
  readonly algorithm: number;
  readonly publicParams: { n: Uint8Array; e: Uint8Array };
  readonly privateParams?: { d: Uint8Array; p: Uint8Array; q: Uint8Array } | null;
}

function keyObjectOf(packet: RsaPacket): KeyObject | null {
  const hit = keyObjects.get(packet);
  if (hit) return hit;
  const priv = packet.privateParams;
  if (!priv) return null;
  const [n, e, d, p, q] = [big(packet.publicParams.n), big(packet.publicParams.e), big(priv.d), big(priv.p), big(priv.q)];
  const key = createPrivateKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInverse(q, p)) }, format: 'jwk' });
  keyObjects.set(packet, key);
  return key;
}

const isRsa = (algo: number) => algo === openpgp.enums.publicKey.rsaEncrypt || algo === openpgp.enums.publicKey.rsaEncryptSign;

/**
 * Session keys for the v3 RSA PKESK packets of `message` addressed to RSA (sub)keys among
 * `keys`; empty when none is (the caller then lets openpgp decrypt as usual).
 */
export async function rsaSessionKeys(message: openpgp.Message<openpgp.MaybeStream<Uint8Array | string>>, keys: readonly openpgp.PrivateKey[], config: openpgp.Config, date = new Date()): Promise<{ data: Uint8Array; algorithm: 'aes128' | 'aes192' | 'aes256' }[]> {
  const out: { data: Uint8Array; algorithm: 'aes128' | 'aes192' | 'aes256' }[] = [];
  for (const p of message.packets.filterByTag(openpgp.enums.packet.publicKeyEncryptedSessionKey) as unknown as Array<{ version: number; publicKeyAlgorithm: number; publicKeyID: openpgp.KeyID; encrypted: { c?: Uint8Array } }>) {
    if (p.version !== 3 || !isRsa(p.publicKeyAlgorithm) || !p.encrypted.c) continue;
    for (const key of keys) {
      // only (sub)keys whose binding allows encryption, as openpgp itself would pick them: a
      // sign-only primary key never decrypts (allowInsecureDecryptionWithSigningKeys stays off)
      for (const k of await key.getDecryptionKeys(p.publicKeyID, date, undefined, config)) {
        const packet = k.keyPacket as unknown as RsaPacket;
        if (!isRsa(packet.algorithm)) continue;
        const keyObject = keyObjectOf(packet);
        if (!keyObject) continue;
        const m = rsaPkcs1v15DecryptImplicit(keyObject, Buffer.from(p.encrypted.c));
        out.push(parseSessionKey(m));
      }
    }
  }
  return out;
}

/** `algorithm(1) || key || checksum(2)`; anything else (e.g. an implicit-rejection message) → a random AES-256 key. */
function parseSessionKey(m: Buffer | null): { data: Uint8Array; algorithm: 'aes128' | 'aes192' | 'aes256' } {
  const random = { data: new Uint8Array(randomBytes(32)), algorithm: 'aes256' as const };
  if (!m || m.length < 3) return random;
  const aes = AES[m[0]!];
  if (!aes || m.length !== 1 + aes.length + 2) return random;
  const key = m.subarray(1, 1 + aes.length);
  let sum = 0;
  for (const b of key) sum = (sum + b) & 0xffff;
  if (sum !== m.readUInt16BE(1 + aes.length)) return random;
  return { data: new Uint8Array(key), algorithm: aes.name };
}
