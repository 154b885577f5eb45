/**
 * keystore/private-keys — the hosted private keys: stored wrapped under the master key, linked to
 * their certificate, handed out as node:crypto KeyObjects to decryption and signing.
 *
 * `put` refuses a key that does not belong to the certificate (public keys compared), so a
 * PKCS#12 with a mismatched pair cannot plant a key that decrypts nothing or signs as someone
 * else. `forRecipient` answers CMS RecipientIdentifiers (issuer + serial, or subject key id).
 * SECURITY: plaintext keys exist only as KeyObjects in memory; the store sees wrapped bytes
 * (keystore/key-wrap.ts). Errors name certificate ids, never key material.
 */
import { createPublicKey, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { SealpostError } from '../errors/index.js';
import type { CertificateRecord, CertificateStore, PrivateKeyStore } from '../pki/types.js';
import type { KeyWrapper } from './key-wrap.js';

export type RecipientId = { readonly issuerKey: string; readonly serial: string } | { readonly subjectKeyId: string };

function spki(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
}

export class PrivateKeyVault {
  constructor(
    private readonly keys: PrivateKeyStore,
    private readonly certificates: CertificateStore,
    private readonly wrapper: KeyWrapper,
  ) {}

  /** Stores `key` for the stored certificate `certificateId` (replacing an earlier one). */
  async put(certificateId: string, key: KeyObject): Promise<void> {
    if (key.type !== 'private') throw new SealpostError('SP_ERR_CLI_USAGE', 'expected a private key', { certificateId });
    const cert = await this.certificates.get(certificateId);
    if (!cert) throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no certificate ${certificateId} to attach a private key to`, { certificateId });
    if (!spki(new X509Certificate(cert.der).publicKey).equals(spki(key))) {
      throw new SealpostError('SP_ERR_CLI_USAGE', `the private key does not belong to certificate ${certificateId} (${cert.subject})`, { certificateId });
    }
    const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
    try {
      await this.keys.put(certificateId, this.wrapper.wrap(pkcs8, certificateId), this.wrapper.kekId);
    } finally {
      pkcs8.fill(0);
    }
  }

  /** The private key of a certificate, or null when none is held. */
  async get(certificateId: string): Promise<KeyObject | null> {
    const row = await this.keys.get(certificateId);
    if (!row) return null;
    const pkcs8 = this.wrapper.unwrap(row.wrapped, certificateId);
    try {
      return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    } catch (err) {
      throw new SealpostError('SP_ERR_STORE_CORRUPT', `the stored private key of ${certificateId} is not a PKCS#8 key`, { certificateId, stage: 'keystore' }, { cause: err });
    } finally {
      pkcs8.fill(0);
    }
  }

  /** Certificates matching a CMS RecipientIdentifier for which a key is held, with the key. */
  async forRecipient(rid: RecipientId): Promise<{ certificate: CertificateRecord; key: KeyObject }[]> {
    const certs = 'subjectKeyId' in rid ? await this.certificates.bySubjectKeyId(rid.subjectKeyId) : await this.certificates.byIssuerSerial(rid.issuerKey, rid.serial);
    const out: { certificate: CertificateRecord; key: KeyObject }[] = [];
    for (const certificate of certs) {
      if (!certificate.hasPrivateKey) continue;
      const key = await this.get(certificate.id);
      if (key) out.push({ certificate, key });
    }
    return out;
  }
}
