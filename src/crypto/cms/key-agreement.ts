/**
 * ECDH key agreement (KeyAgreeRecipientInfo, RFC 5652 §6.2.2) per RFC 5753: ephemeral-static
 * dhSinglePass-stdDH with the ANSI X9.63 KDF over ECC-CMS-SharedInfo, the CEK wrapped with AES
 * key wrap (RFC 3394). We write SHA-256 (P-256) / SHA-384 (P-384) KDFs with an AES wrap as long
 * as the content key; we read every stdDH/cofactorDH SHA-1/2 KDF (OpenSSL defaults to SHA-1).
 * SECURITY: the originator's point comes from the message: node (OpenSSL) rejects points not on
 * the recipient's curve; P-256/P-384/P-521 have cofactor 1, so cofactor DH equals standard DH.
 * Unwrap failures return null (the AES-KW integrity check), like every other CEK failure.
 */
import { createCipheriv, createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CertificateInfo } from './certificate.js';
import { algorithm, children, ctx, int, octets, oid, parseDer, rawOf, seq, tlv } from './der.js';
import { issuerAndSerial } from './key-transport.js';
import { OID, type DigestName } from './oids.js';

const WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

interface WrapSpec {
  readonly oid: string;
  readonly cipher: 'id-aes128-wrap' | 'id-aes192-wrap' | 'id-aes256-wrap';
  readonly keyLength: number;
}

const WRAPS: readonly WrapSpec[] = [
  { oid: OID.aes128Wrap, cipher: 'id-aes128-wrap', keyLength: 16 },
  { oid: OID.aes192Wrap, cipher: 'id-aes192-wrap', keyLength: 24 },
  { oid: OID.aes256Wrap, cipher: 'id-aes256-wrap', keyLength: 32 },
];

const KDF_SCHEMES: ReadonlyMap<string, DigestName> = new Map([
  [OID.stdDhSha1Kdf, 'sha1'],
  [OID.stdDhSha224Kdf, 'sha224'],
  [OID.stdDhSha256Kdf, 'sha256'],
  [OID.stdDhSha384Kdf, 'sha384'],
  [OID.stdDhSha512Kdf, 'sha512'],
  [OID.cofactorDhSha1Kdf, 'sha1'],
  [OID.cofactorDhSha224Kdf, 'sha224'],
  [OID.cofactorDhSha256Kdf, 'sha256'],
  [OID.cofactorDhSha384Kdf, 'sha384'],
  [OID.cofactorDhSha512Kdf, 'sha512'],
]);

const CURVE_OIDS: Readonly<Record<string, string>> = { 'P-256': OID.secp256r1, 'P-384': OID.secp384r1, 'P-521': OID.secp521r1 };

/** ANSI X9.63 KDF: Hash(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, … */
function x963Kdf(hash: DigestName, z: Buffer, sharedInfo: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 1, have = 0; have < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(z).update(counter).update(sharedInfo).digest();
    blocks.push(block);
    have += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo, entityUInfo [0] EXPLICIT OPTIONAL, suppPubInfo [2] EXPLICIT } */
function sharedInfo(wrap: WrapSpec, ukm: Buffer | null): Buffer {
  const bits = Buffer.alloc(4);
  bits.writeUInt32BE(wrap.keyLength * 8);
  const parts = [algorithm(wrap.oid)];
  if (ukm) parts.push(ctx(0, true, octets(ukm)));
  parts.push(ctx(2, true, octets(bits)));
  return seq(...parts);
}

function deriveKek(hash: DigestName, z: Buffer, wrap: WrapSpec, ukm: Buffer | null): Buffer {
  return x963Kdf(hash, z, sharedInfo(wrap, ukm), wrap.keyLength);
}

/** DER [1] KeyAgreeRecipientInfo for one EC recipient, with a fresh ephemeral key. */
export function buildKeyAgreeRecipient(cert: CertificateInfo, cek: Buffer): Buffer {
  const kind = cert.keyKind;
  if (kind?.type !== 'ec') throw new TypeError('key agreement needs an EC certificate');
  const hash: DigestName = kind.curve === 'P-256' ? 'sha256' : 'sha384';
  const scheme = kind.curve === 'P-256' ? OID.stdDhSha256Kdf : OID.stdDhSha384Kdf;
  const wrap = WRAPS.find((w) => w.keyLength === Math.max(16, cek.length)) ?? WRAPS[2]!;
  const ephemeral = generateKeyPairSync('ec', { namedCurve: kind.curve });
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: cert.publicKey });
  const kek = deriveKek(hash, z, wrap, null);
  const wrapper = createCipheriv(wrap.cipher, kek, WRAP_IV);
  const encryptedKey = Buffer.concat([wrapper.update(cek), wrapper.final()]);
  // the ephemeral public key's BIT STRING, taken from its SubjectPublicKeyInfo
  const spki = ephemeral.publicKey.export({ type: 'spki', format: 'der' });
  const point = children(parseDer(spki) ?? undefined)?.[1];
  if (!point) throw new Error('could not encode the ephemeral EC key');
  const pointTlv = rawOf(point);
  // OriginatorPublicKey: id-ecPublicKey with absent parameters (RFC 5753 §3.1.1; what OpenSSL writes)
  const originator = ctx(0, true, ctx(1, true, algorithm(OID.ecPublicKey), pointTlv));
  return ctx(
    1,
    true,
    int(3),
    originator,
    algorithm(scheme, algorithm(wrap.oid)),
    seq(seq(issuerAndSerial(cert), octets(encryptedKey))),
  );
}

export interface KeyAgreeInput {
  readonly schemeOid: string;
  /** the KeyWrapAlgorithm OID from the scheme's parameters */
  readonly wrapOid: string | null;
  /** the originator's ECPoint (BIT STRING content without the unused-bits byte) */
  readonly originatorPoint: Buffer;
  readonly ukm: Buffer | null;
  readonly encryptedKey: Buffer;
}

/** Unwraps the CEK with the recipient's EC key; null on any failure. */
export function decryptKeyAgreement(input: KeyAgreeInput, recipient: CertificateInfo, privateKey: KeyObject): Buffer | null {
  try {
    const hash = KDF_SCHEMES.get(input.schemeOid);
    const wrap = WRAPS.find((w) => w.oid === input.wrapOid);
    const kind = recipient.keyKind;
    if (!hash || !wrap || kind?.type !== 'ec') return null;
    // The originator key uses the recipient's curve (its parameters are absent or NULL).
    const spki = seq(algorithm(OID.ecPublicKey, oid(CURVE_OIDS[kind.curve]!)), tlv(0x03, Buffer.from([0]), input.originatorPoint));
    const originator = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const z = diffieHellman({ privateKey, publicKey: originator });
    const kek = deriveKek(hash, z, wrap, input.ukm);
    const unwrap = createDecipheriv(wrap.cipher, kek, WRAP_IV);
    return Buffer.concat([unwrap.update(input.encryptedKey), unwrap.final()]);
  } catch {
    return null;
  }
}
