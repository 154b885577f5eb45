/**
 * What CMS needs from an X.509 certificate (RFC 5280 §4.1): the raw issuer Name and serial number
 * (IssuerAndSerialNumber, RFC 5652 §10.2.4), the subject key identifier, and the public key.
 * SECURITY: certificates inside received messages are hostile input; `describeCertificate`
 * returns null rather than throwing. No trust decision is made here (that is pki/'s job).
 */
import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { children, octetStringValue, oidValue, parseDer, rawOf, tagOf } from './der.js';

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

export type KeyKind =
  | { readonly type: 'rsa'; readonly bits: number }
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384' | 'P-521' };

export interface CertificateInfo {
  readonly der: Buffer;
  /** the issuer Name, exactly as encoded in the certificate */
  readonly issuer: Buffer;
  /** the serialNumber INTEGER, full TLV as encoded */
  readonly serial: Buffer;
  /** subjectKeyIdentifier extension value, when present */
  readonly subjectKeyIdentifier: Buffer | null;
  readonly publicKey: KeyObject;
  /** null when the key is of a type CMS here cannot use */
  readonly keyKind: KeyKind | null;
}

const CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** Parsed certificates by content: the same few certificates (ours, frequent signers) recur. */
const cache = new Map<string, CertificateInfo | null>();
const CACHE_SIZE = 512;

export function describeCertificate(der: Buffer): CertificateInfo | null {
  if (!Buffer.isBuffer(der)) return null;
  const key = createHash('sha256').update(der).digest('base64');
  if (cache.has(key)) {
    const hit = cache.get(key) ?? null;
    // hand out our own copy of the bytes, so that a caller mutating its buffer cannot change it
    return hit && { ...hit, der: Buffer.from(der) };
  }
  const info = parseCertificate(Buffer.from(der));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, info);
  return info;
}

function parseCertificate(der: Buffer): CertificateInfo | null {
  const root = parseDer(der);
  const tbs = children(children(root ?? undefined)?.[0]);
  if (!tbs) return null;
  // TBSCertificate: [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, spki, …
  let i = 0;
  const first = tbs[0];
  if (first && tagOf(first).cls === 3 && tagOf(first).num === 0) i = 1;
  const serial = tbs[i];
  const issuer = tbs[i + 2];
  if (!serial || !issuer || tagOf(serial).num !== 2 || tagOf(issuer).num !== 16) return null;

  let subjectKeyIdentifier: Buffer | null = null;
  for (const field of tbs.slice(i + 6)) {
    const tag = tagOf(field);
    if (tag.cls !== 3 || tag.num !== 3) continue;
    for (const ext of children(children(field)?.[0]) ?? []) {
      const parts = children(ext);
      if (!parts || oidValue(parts[0]) !== SUBJECT_KEY_IDENTIFIER) continue;
      const wrapped = octetStringValue(parts[parts.length - 1]);
      const inner = wrapped ? parseDer(wrapped) : null;
      subjectKeyIdentifier = inner ? octetStringValue(inner) : null;
    }
  }

  let publicKey: KeyObject;
  try {
    publicKey = new X509Certificate(der).publicKey;
  } catch {
    return null;
  }
  return {
    der,
    issuer: rawOf(issuer),
    serial: rawOf(serial),
    subjectKeyIdentifier,
    publicKey,
    keyKind: keyKindOf(publicKey),
  };
}

export function keyKindOf(key: KeyObject): KeyKind | null {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength) return { type: 'rsa', bits: details.modulusLength };
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve) {
    const curve = CURVES[details.namedCurve];
    return curve ? { type: 'ec', curve } : null;
  }
  return null;
}

/** True when the certificate's key is the public half of `privateKey`. */
export function keyMatches(info: CertificateInfo, privateKey: KeyObject): boolean {
  try {
    const mine = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    return mine.equals(info.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}
