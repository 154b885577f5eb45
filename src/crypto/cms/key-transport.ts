/**
 * RSA key transport (KeyTransRecipientInfo, RFC 5652 §6.2.1): RSAES-PKCS1-v1_5 (RFC 8017 §7.2,
 * RFC 3370 §4.2.1) and RSAES-OAEP (RFC 8017 §7.1, RFC 3560).
 * SECURITY: PKCS#1 v1.5 is decrypted only through implicit rejection; OAEP through OpenSSL's
 * constant-time decoder. Both return null on failure and the caller treats null exactly like a
 * CEK of the wrong length (a random key, then a content failure), so no path differs by reason.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import type * as asn1js from 'asn1js';
import { rsaPkcs1v15DecryptImplicit } from '../rsa-implicit-rejection.js';
import type { CertificateInfo } from './certificate.js';
import { NULL, algorithm, children, ctx, int, octetStringValue, octets, oidValue, seq, tagOf } from './der.js';
import { DIGEST_BY_OID, OID, type DigestName } from './oids.js';

export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep';

/** The OAEP hash we write (RFC 8551 §2.7.1: SHA-256 with MGF1-SHA-256). */
const OAEP_HASH: DigestName = 'sha256';

/** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber } */
export const issuerAndSerial = (cert: CertificateInfo): Buffer => seq(cert.issuer, cert.serial);

/** DER KeyTransRecipientInfo (a RecipientInfo CHOICE arm without a tag), version 0, issuerAndSerialNumber. */
export function buildKeyTransRecipient(cert: CertificateInfo, transport: KeyTransport, cek: Buffer): Buffer {
  if (transport === 'rsa-oaep') {
    const hash = algorithm(OID.sha256);
    const params = seq(ctx(0, true, hash), ctx(1, true, algorithm(OID.mgf1, hash)));
    const encryptedKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH }, cek);
    return seq(int(0), issuerAndSerial(cert), algorithm(OID.rsaesOaep, params), octets(encryptedKey));
  }
  const encryptedKey = publicEncrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  return seq(int(0), issuerAndSerial(cert), algorithm(OID.rsaEncryption, NULL), octets(encryptedKey));
}

interface OaepParams {
  readonly hash: DigestName;
  readonly label: Buffer | null;
}

/** RSAES-OAEP-params (RFC 8017 A.2.1); null when unsupported (MGF1 hash ≠ hash: node ties them). */
function parseOaepParams(params: asn1js.AsnType | undefined): OaepParams | null {
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  let label: Buffer | null = null;
  if (params && tagOf(params).num !== 5) {
    const fields = children(params);
    if (!fields) return null;
    for (const field of fields) {
      const tag = tagOf(field);
      const inner = children(field)?.[0];
      const parts = children(inner);
      if (tag.cls !== 3 || !parts) return null;
      const id = oidValue(parts[0]);
      if (tag.num === 0) {
        const h = id ? DIGEST_BY_OID.get(id) : undefined;
        if (!h) return null;
        hash = h;
      } else if (tag.num === 1) {
        const h = oidValue(children(parts[1])?.[0]);
        const mh = h ? DIGEST_BY_OID.get(h) : undefined;
        if (id !== OID.mgf1 || !mh) return null;
        mgfHash = mh;
      } else if (tag.num === 2) {
        if (id !== OID.pSpecified) return null;
        const value = octetStringValue(parts[1]);
        if (value === null) return null;
        label = value.length ? value : null;
      } else {
        return null;
      }
    }
  }
  return hash === mgfHash ? { hash, label } : null;
}

/**
 * Recovers the CEK. For PKCS#1 v1.5 the result is the implicit-rejection output, which may be a
 * synthetic value; the caller checks its length without revealing anything.
 */
export function decryptKeyTransport(
  algorithmId: string,
  params: asn1js.AsnType | undefined,
  encryptedKey: Buffer,
  privateKey: KeyObject,
): Buffer | null {
  if (privateKey.asymmetricKeyType !== 'rsa') return null;
  if (algorithmId === OID.rsaEncryption) return rsaPkcs1v15DecryptImplicit(privateKey, encryptedKey);
  if (algorithmId !== OID.rsaesOaep) return null;
  const oaep = parseOaepParams(params);
  if (!oaep) return null;
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaep.hash, ...(oaep.label ? { oaepLabel: oaep.label } : {}) },
      encryptedKey,
    );
  } catch {
    return null;
  }
}
