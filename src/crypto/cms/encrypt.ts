/**
 * encryptEnveloped: content → DER ContentInfo, EnvelopedData (AES-CBC) or AuthEnvelopedData
 * (AES-GCM), one RecipientInfo per certificate: RSA key transport (PKCS#1 v1.5 by default, or
 * OAEP with SHA-256) or ECDH key agreement for P-256/P-384 keys. Recipients are identified by
 * issuerAndSerialNumber (what every client matches on).
 * SECURITY: the CEK is fresh per call and never leaves this function; unknown options, unknown
 * values and unusable certificates throw (strict facade) — a caller never silently gets a weaker
 * message than it asked for. Which certificate is trustworthy is decided before this (pki/).
 */
import { randomBytes } from 'node:crypto';
import { describeCertificate, type CertificateInfo } from './certificate.js';
import { CIPHERS, ENCRYPT_CIPHERS, encryptContent, type EncryptCipher } from './content-cipher.js';
import { writeEnvelope } from './envelope.js';
import { buildKeyAgreeRecipient } from './key-agreement.js';
import { buildKeyTransRecipient, type KeyTransport } from './key-transport.js';
import { checkKeys, checkOneOf, usageError } from './strict.js';

export type { EncryptCipher } from './content-cipher.js';
export type { KeyTransport } from './key-transport.js';

export interface EncryptRecipient {
  /** the recipient's certificate, DER */
  readonly certificate: Buffer;
  /** RSA certificates only; default 'rsa-pkcs1' (what Outlook and most clients decrypt) */
  readonly keyTransport?: KeyTransport;
}

export interface EncryptInput {
  readonly content: Buffer;
  readonly recipients: readonly EncryptRecipient[];
  /** default 'aes-256-cbc' (widest client support); GCM gives AuthEnvelopedData */
  readonly cipher?: EncryptCipher;
}

const KEY_TRANSPORTS: readonly KeyTransport[] = ['rsa-pkcs1', 'rsa-oaep'];
/** Smallest RSA modulus we encrypt to (RFC 8551 §4.3 says 2048 SHOULD be the minimum). */
const MIN_RSA_BITS = 2048;

/** Whether `encryptEnveloped` can use this certificate's key (RSA ≥ 2048 bits, EC P-256/P-384). */
export function canEncryptTo(certificate: Buffer): boolean {
  return usable(describeCertificate(certificate)) !== null;
}

function usable(info: CertificateInfo | null): CertificateInfo | null {
  const kind = info?.keyKind;
  if (!info || !kind) return null;
  if (kind.type === 'rsa') return kind.bits >= MIN_RSA_BITS ? info : null;
  return kind.curve === 'P-256' || kind.curve === 'P-384' ? info : null;
}

export function encryptEnveloped(input: EncryptInput): Buffer {
  checkKeys('encryptEnveloped', input, ['content', 'recipients', 'cipher']);
  if (!Buffer.isBuffer(input.content)) throw usageError('encryptEnveloped', 'content must be a Buffer');
  const cipherName = input.cipher ?? 'aes-256-cbc';
  checkOneOf('encryptEnveloped', 'cipher', cipherName, ENCRYPT_CIPHERS);
  if (!Array.isArray(input.recipients) || input.recipients.length === 0) {
    throw usageError('encryptEnveloped', 'at least one recipient is required');
  }
  const recipients = input.recipients.map((r, i) => {
    checkKeys(`encryptEnveloped recipients[${i}]`, r, ['certificate', 'keyTransport']);
    if (r.keyTransport !== undefined) checkOneOf(`encryptEnveloped recipients[${i}]`, 'keyTransport', r.keyTransport, KEY_TRANSPORTS);
    const info = Buffer.isBuffer(r.certificate) ? usable(describeCertificate(r.certificate)) : null;
    if (!info) throw usageError('encryptEnveloped', `recipients[${i}] has no usable certificate (RSA ≥ ${MIN_RSA_BITS} or EC P-256/P-384)`);
    if (info.keyKind?.type === 'ec' && r.keyTransport !== undefined) {
      throw usageError('encryptEnveloped', `recipients[${i}] is an EC certificate: keyTransport applies to RSA only`);
    }
    return { info, transport: r.keyTransport ?? 'rsa-pkcs1' };
  });

  const cipher = CIPHERS[cipherName];
  const cek = randomBytes(cipher.keyLength);
  try {
    const recipientInfos = recipients.map(({ info, transport }) =>
      info.keyKind?.type === 'ec' ? buildKeyAgreeRecipient(info, cek) : buildKeyTransRecipient(info, transport, cek),
    );
    const encrypted = encryptContent(cipher, cek, input.content);
    return writeEnvelope({
      recipientInfos,
      nonV0Recipients: recipients.some(({ info }) => info.keyKind?.type === 'ec'),
      contentAlgorithm: encrypted.algorithm,
      ciphertext: encrypted.ciphertext,
      mac: encrypted.tag,
    });
  } finally {
    cek.fill(0);
  }
}
