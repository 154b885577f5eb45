/**
 * Content-encryption algorithms: AES-CBC (RFC 3565) for EnvelopedData, AES-GCM (RFC 5084) for
 * AuthEnvelopedData, and Triple-DES CBC for decrypting mail from old clients (never written).
 * SECURITY: decryption returns null on every failure (bad padding, bad tag, bad parameters) so
 * callers fold them into one outcome; a GCM tag shorter than 12 bytes is refused.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type * as asn1js from 'asn1js';
import { algorithm, children, int, octetStringValue, octets, seq, smallInteger } from './der.js';
import { OID } from './oids.js';

export type EncryptCipher = 'aes-128-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm';
export type DecryptCipher = EncryptCipher | 'aes-192-cbc' | 'aes-192-gcm' | 'des-ede3-cbc';

export interface CipherSpec {
  readonly name: DecryptCipher;
  readonly oid: string;
  readonly keyLength: number;
  readonly mode: 'cbc' | 'gcm';
}

const spec = (name: DecryptCipher, oid: string, keyLength: number, mode: 'cbc' | 'gcm'): CipherSpec => ({ name, oid, keyLength, mode });

export const CIPHERS: Readonly<Record<DecryptCipher, CipherSpec>> = {
  'aes-128-cbc': spec('aes-128-cbc', OID.aes128Cbc, 16, 'cbc'),
  'aes-192-cbc': spec('aes-192-cbc', OID.aes192Cbc, 24, 'cbc'),
  'aes-256-cbc': spec('aes-256-cbc', OID.aes256Cbc, 32, 'cbc'),
  'aes-128-gcm': spec('aes-128-gcm', OID.aes128Gcm, 16, 'gcm'),
  'aes-192-gcm': spec('aes-192-gcm', OID.aes192Gcm, 24, 'gcm'),
  'aes-256-gcm': spec('aes-256-gcm', OID.aes256Gcm, 32, 'gcm'),
  'des-ede3-cbc': spec('des-ede3-cbc', OID.desEde3Cbc, 24, 'cbc'),
};

export const ENCRYPT_CIPHERS: readonly EncryptCipher[] = ['aes-256-cbc', 'aes-128-cbc', 'aes-256-gcm', 'aes-128-gcm'];

export const CIPHER_BY_OID: ReadonlyMap<string, CipherSpec> = new Map(Object.values(CIPHERS).map((c) => [c.oid, c]));

const GCM_NONCE_LENGTH = 12;
const GCM_TAG_LENGTH = 16;

export interface Encrypted {
  /** DER AlgorithmIdentifier with the IV / GCM parameters */
  readonly algorithm: Buffer;
  readonly ciphertext: Buffer;
  /** GCM only: the authentication tag (AuthEnvelopedData `mac`) */
  readonly tag: Buffer | null;
}

export function encryptContent(cipher: CipherSpec, key: Buffer, content: Buffer): Encrypted {
  if (cipher.mode === 'cbc') {
    const iv = randomBytes(16);
    const c = createCipheriv(cipher.name, key, iv);
    return { algorithm: algorithm(cipher.oid, octets(iv)), ciphertext: Buffer.concat([c.update(content), c.final()]), tag: null };
  }
  const nonce = randomBytes(GCM_NONCE_LENGTH);
  const c = createCipheriv(cipher.name as 'aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LENGTH });
  const ciphertext = Buffer.concat([c.update(content), c.final()]);
  // GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
  return { algorithm: algorithm(cipher.oid, seq(octets(nonce), int(GCM_TAG_LENGTH))), ciphertext, tag: c.getAuthTag() };
}

/**
 * Decrypts with the algorithm's parameters as received. `tag`/`aad` only for GCM.
 * Null on any failure.
 */
export function decryptContent(
  cipher: CipherSpec,
  key: Buffer,
  params: asn1js.AsnType | undefined,
  ciphertext: Buffer,
  tag: Buffer | null,
  aad: Buffer | null,
): Buffer | null {
  try {
    if (key.length !== cipher.keyLength) return null;
    if (cipher.mode === 'cbc') {
      const iv = octetStringValue(params);
      if (!iv || iv.length !== (cipher.name === 'des-ede3-cbc' ? 8 : 16) || tag) return null;
      const d = createDecipheriv(cipher.name, key, iv);
      return Buffer.concat([d.update(ciphertext), d.final()]);
    }
    const fields = children(params);
    const nonce = octetStringValue(fields?.[0]);
    const icvLength = fields && fields.length > 1 ? smallInteger(fields[1]) : 12;
    if (!fields || fields.length > 2 || !nonce || nonce.length === 0 || icvLength === null) return null;
    if (!tag || icvLength < 12 || icvLength > 16 || tag.length !== icvLength) return null;
    const d = createDecipheriv(cipher.name as 'aes-256-gcm', key, nonce, { authTagLength: icvLength });
    if (aad) d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch {
    return null;
  }
}
