/**
 * decryptEnveloped: DER ContentInfo (EnvelopedData or AuthEnvelopedData) + the keys we hold →
 * the content, or one of exactly two refusals: 'not-for-us' (no RecipientInfo names any of our
 * certificates, so the gateway can pass mail encrypted only to others) and 'failed' (everything
 * else: bad structure, truncation, wrong key, bad padding, bad tag, unsupported algorithm).
 * SECURITY: no oracle. RSA PKCS#1 v1.5 goes through implicit rejection; a CEK that cannot be
 * recovered or has the wrong length is replaced by a random key and the content is decrypted
 * anyway, so every failing path does the same work and ends in the same value. Nothing thrown
 * inside escapes, and the result never says why it failed.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { describeCertificate, type CertificateInfo } from './certificate.js';
import { decryptContent, type DecryptCipher } from './content-cipher.js';
import { readEnvelope } from './envelope.js';
import { decryptKeyAgreement } from './key-agreement.js';
import { decryptKeyTransport } from './key-transport.js';
import { ridMatches, type RecipientSlot } from './recipients.js';

export type { DecryptCipher } from './content-cipher.js';

export interface DecryptKey {
  /** our certificate, DER */
  readonly certificate: Buffer;
  readonly privateKey: KeyObject;
}

export type DecryptResult =
  | { readonly ok: true; readonly content: Buffer; readonly cipher: DecryptCipher; readonly recipient: Buffer }
  | { readonly ok: false; readonly reason: 'not-for-us' | 'failed' };

/**
 * How many RecipientInfos naming our keys are tried. A real message names each of our keys once;
 * a hostile one could name them a thousand times and make us decrypt the content each time.
 */
const MAX_ATTEMPTS = 8;

const FAILED: DecryptResult = Object.freeze({ ok: false, reason: 'failed' });
const NOT_FOR_US: DecryptResult = Object.freeze({ ok: false, reason: 'not-for-us' });

function recoverCek(slot: RecipientSlot, cert: CertificateInfo, privateKey: KeyObject): Buffer | null {
  try {
    return slot.kind === 'ktri'
      ? decryptKeyTransport(slot.algorithmId, slot.params, slot.encryptedKey, privateKey)
      : decryptKeyAgreement(slot, cert, privateKey);
  } catch {
    return null;
  }
}

export function decryptEnveloped(der: Buffer, keys: readonly { readonly certificate: Buffer; readonly privateKey: KeyObject }[]): DecryptResult {
  try {
    const envelope = Buffer.isBuffer(der) ? readEnvelope(der) : null;
    if (!envelope) return FAILED;

    const ours: { cert: CertificateInfo; key: DecryptKey }[] = [];
    for (const key of keys) {
      const cert = describeCertificate(key.certificate);
      if (cert) ours.push({ cert, key });
    }
    const candidates: { slot: RecipientSlot; cert: CertificateInfo; key: DecryptKey }[] = [];
    for (const slot of envelope.recipients) {
      for (const o of ours) if (ridMatches(slot.rid, o.cert)) candidates.push({ slot, ...o });
    }
    if (candidates.length === 0) return NOT_FOR_US;

    const { cipher } = envelope;
    for (const { slot, cert, key } of candidates.slice(0, MAX_ATTEMPTS)) {
      const cek = recoverCek(slot, cert, key.privateKey);
      const cekOk = cek !== null && cek.length === cipher.keyLength;
      // Decrypt in every case (with a random key when the CEK is unusable) so that a bad key
      // costs the same as a bad content; only the combined result is looked at.
      const content = decryptContent(cipher, cekOk ? cek : randomBytes(cipher.keyLength), envelope.cipherParams, envelope.ciphertext, envelope.mac, envelope.aad);
      cek?.fill(0);
      if (cekOk && content) return { ok: true, content, cipher: cipher.name, recipient: key.certificate };
    }
    return FAILED;
  } catch {
    return FAILED;
  }
}
