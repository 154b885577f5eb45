/**
 * ca/build — the X.509 objects of the built-in CA, made with @peculiar/x509 over WebCrypto:
 * key pairs, the self-signed CA certificate, S/MIME end-entity certificates and CRLs.
 *
 * Keys: CA P-256 (ECDSA-SHA-256) by default — small, fast and read by every current S/MIME
 * client (RFC 8551 §2.2 asks receiving agents for ECDSA) — or RSA-3072 (`--key rsa`, RSA PKCS#1
 * v1.5 with SHA-256) for old clients. End entities: RSA-3072 by default (key transport is what
 * every client encrypts to), or P-256 (ECDH key agreement). Serial numbers: 16 random bytes,
 * positive (RFC 5280 §4.1.2.2). notBefore is a minute in the past for clocks slightly behind.
 * SECURITY: private keys leave here as node KeyObjects only, to be wrapped (keystore/) or written
 * into a password-protected PKCS#12.
 * STANDARDS: RFC 5280, RFC 8550 (S/MIME certificates), RFC 5758 (ECDSA signatures).
 */
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';

type CryptoKey = webcrypto.CryptoKey;
export type KeyKind = 'rsa' | 'ec';

const SKEW_MS = 60_000;
const ALGORITHMS = {
  ec: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  rsa: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
} as const;

export interface GeneratedKey {
  readonly kind: KeyKind;
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
  /** the same private key for node:crypto (vault, PKCS#12) */
  readonly keyObject: KeyObject;
}

export async function generateKey(kind: KeyKind): Promise<GeneratedKey> {
  const pair = (await webcrypto.subtle.generateKey(ALGORITHMS[kind], true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  try {
    return { kind, publicKey: pair.publicKey, privateKey: pair.privateKey, keyObject: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
  } finally {
    pkcs8.fill(0);
  }
}

/** A stored CA key (from the vault) as a WebCrypto signing key. */
export async function signingKeyOf(key: KeyObject): Promise<{ kind: KeyKind; key: CryptoKey }> {
  const kind: KeyKind | null = key.asymmetricKeyType === 'ec' ? 'ec' : key.asymmetricKeyType === 'rsa' ? 'rsa' : null;
  if (!kind) throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? 'unknown'}`);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  try {
    return { kind, key: await webcrypto.subtle.importKey('pkcs8', pkcs8, ALGORITHMS[kind], false, ['sign']) };
  } finally {
    pkcs8.fill(0);
  }
}

export function randomSerial(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and never a leading zero byte
  return serial.toString('hex');
}

export interface CaCertificateOptions {
  readonly subject: string;
  readonly validityMs: number;
  readonly key: GeneratedKey;
  readonly crlUrl?: string;
  readonly now?: number;
}

export async function buildCaCertificate(o: CaCertificateOptions): Promise<Buffer> {
  const now = o.now ?? Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(o.key.publicKey, false, webcrypto),
  ];
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: o.subject,
      notBefore: new Date(now - SKEW_MS),
      notAfter: new Date(now + o.validityMs),
      signingAlgorithm: ALGORITHMS[o.key.kind],
      keys: { publicKey: o.key.publicKey, privateKey: o.key.privateKey },
      extensions,
    },
    webcrypto,
  );
  return Buffer.from(cert.rawData);
}

export interface CaSigner {
  /** the CA certificate, DER */
  readonly certificate: Buffer;
  readonly kind: KeyKind;
  readonly key: CryptoKey;
}

export interface EndEntityOptions {
  readonly email: string;
  readonly validityMs: number;
  readonly key: GeneratedKey;
  readonly ca: CaSigner;
  readonly crlUrl?: string;
  readonly now?: number;
}

export async function buildEndEntity(o: EndEntityOptions): Promise<{ der: Buffer; serial: string }> {
  const now = o.now ?? Date.now();
  const ca = new x509.X509Certificate(o.ca.certificate);
  const notAfter = Math.min(now + o.validityMs, ca.notAfter.getTime());
  const usage = o.key.kind === 'rsa' ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.emailProtection]),
    new x509.SubjectAlternativeNameExtension([{ type: 'email', value: o.email }]),
    await x509.SubjectKeyIdentifierExtension.create(o.key.publicKey, false, webcrypto),
    await authorityKeyId(ca),
  ];
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  const serial = randomSerial();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial,
      subject: [{ CN: [o.email] }],
      issuer: ca.subjectName,
      notBefore: new Date(now - SKEW_MS),
      notAfter: new Date(notAfter),
      signingAlgorithm: ALGORITHMS[o.ca.kind],
      publicKey: o.key.publicKey,
      signingKey: o.ca.key,
      extensions,
    },
    webcrypto,
  );
  return { der: Buffer.from(cert.rawData), serial };
}

/** AKI keyIdentifier = the CA's SKI (so chain building by key id always finds it). */
async function authorityKeyId(ca: x509.X509Certificate): Promise<x509.Extension> {
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId, false) : x509.AuthorityKeyIdentifierExtension.create(ca.publicKey, false, webcrypto);
}

/** CRL entry reasons `ca revoke --reason` offers; unspecified = no reasonCode (RFC 5280 §5.3.1). */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface CrlOptions {
  readonly ca: CaSigner;
  readonly revoked: ReadonlyArray<{ readonly serial: string; readonly at: number; readonly reason?: RevocationReason | null }>;
  readonly number: number;
  readonly validityMs: number;
  readonly now?: number;
}

/** A complete CRL of the CA, with CRL number and AKI (RFC 5280 §5.2.1, §5.2.3). */
export async function buildCrl(o: CrlOptions): Promise<Buffer> {
  const now = o.now ?? Date.now();
  const ca = new x509.X509Certificate(o.ca.certificate);
  const crlNumber = new x509.Extension('2.5.29.20', false, new asn1js.Integer({ value: o.number }).toBER(false));
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: ca.subjectName,
      thisUpdate: new Date(now - SKEW_MS),
      nextUpdate: new Date(now + o.validityMs),
      signingAlgorithm: ALGORITHMS[o.ca.kind],
      signingKey: o.ca.key,
      extensions: [await authorityKeyId(ca), crlNumber],
      // invalidityDate on every entry: @peculiar/x509 would otherwise write an empty (invalid)
      // crlEntryExtensions SEQUENCE for an entry without a reason
      entries: o.revoked.map((r) => ({ serialNumber: r.serial, revocationDate: new Date(r.at), invalidity: new Date(r.at), ...(r.reason && r.reason !== 'unspecified' ? { reason: x509.X509CrlReason[r.reason] } : {}) })),
    },
    webcrypto,
  );
  return Buffer.from(crl.rawData);
}
