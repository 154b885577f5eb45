/**
 * pki/certificate — one X.509 certificate parsed once into what storage, validation and selection
 * need: names and their keys, serial, key identifiers, validity, CA flags, key usage, extended key
 * usage, e-mail addresses, name constraints, CRL distribution points.
 *
 * Parsing is pkijs (structures) + node:crypto (the public key). The id of a certificate is the
 * SHA-256 of its DER, hex: the same certificate imported twice, from PEM or PKCS#12, is one row.
 * SECURITY: input is untrusted (certificates learnt from signatures, files from anywhere). A
 * certificate that does not parse, or whose extensions do not, is refused here as a whole
 * (CertificateParseError) — never half-read. Nothing is trusted by being parsed.
 * STANDARDS: RFC 5280, RFC 8550 §3 (addresses in rfc822Name and, for old certificates, in the
 * subject's emailAddress attribute).
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { formatName, nameAttributes, nameKey, normalizeAddress, serialHex } from './names.js';
import { KEY_USAGE, OID, UNDERSTOOD_CERT_EXTENSIONS, type KeyUsageName } from './oids.js';

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
}

export interface NameConstraintSet {
  /** rfc822Name subtrees: "user@host", "host" or ".domain" */
  readonly permittedEmail: readonly string[];
  readonly excludedEmail: readonly string[];
  readonly permittedDirectory: readonly pkijs.RelativeDistinguishedNames[];
  readonly excludedDirectory: readonly pkijs.RelativeDistinguishedNames[];
}

export interface ParsedCertificate {
  /** SHA-256 of the DER, lowercase hex */
  readonly id: string;
  readonly der: Buffer;
  readonly version: number;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectName: pkijs.RelativeDistinguishedNames;
  readonly subjectKey: string;
  readonly issuerKey: string;
  readonly serial: string;
  readonly subjectKeyId: string | null;
  readonly authorityKeyId: string | null;
  readonly notBefore: number;
  readonly notAfter: number;
  /** basicConstraints cA */
  readonly isCa: boolean;
  readonly pathLen: number | null;
  /** key usage bits present, or null when the certificate has no keyUsage extension */
  readonly keyUsage: ReadonlySet<KeyUsageName> | null;
  /** extended key usage OIDs, or null when absent */
  readonly extKeyUsage: readonly string[] | null;
  /** lowercased addresses from SAN rfc822Name and the subject's emailAddress, deduplicated */
  readonly emails: readonly string[];
  /** rfc822Name values exactly as written (name constraints apply to these) */
  readonly rawEmails: readonly string[];
  readonly nameConstraints: NameConstraintSet | null;
  /** URIs of the CRL distribution points (every scheme; fetching takes only http) */
  readonly crlUrls: readonly string[];
  /** true when a CRL distribution point extension is present at all */
  readonly hasCrlDistributionPoints: boolean;
  /** critical extensions this code does not understand: the certificate must not be relied on */
  readonly unknownCriticalExtensions: readonly string[];
  /** same subject and issuer name */
  readonly selfIssued: boolean;
  readonly publicKey: KeyObject;
  /** 'rsa', 'ec', 'ed25519', … (node:crypto asymmetricKeyType) */
  readonly keyType: string;
  readonly signatureAlgorithm: pkijs.AlgorithmIdentifier;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

function keyUsageBits(value: unknown): Set<KeyUsageName> {
  if (!(value instanceof asn1js.BitString)) throw new CertificateParseError('keyUsage is not a BIT STRING');
  const bytes = value.valueBlock.valueHexView;
  const set = new Set<KeyUsageName>();
  for (const [name, bit] of Object.entries(KEY_USAGE) as [KeyUsageName, number][]) {
    const byte = bytes[bit >> 3];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) set.add(name);
  }
  return set;
}

function intValue(v: number | asn1js.Integer | undefined): number | null {
  if (v === undefined) return null;
  return typeof v === 'number' ? v : v.valueBlock.valueDec;
}

function subtrees(list: pkijs.GeneralSubtree[] | undefined): { email: string[]; dir: pkijs.RelativeDistinguishedNames[] } {
  const email: string[] = [];
  const dir: pkijs.RelativeDistinguishedNames[] = [];
  for (const s of list ?? []) {
    if (s.base.type === 1) email.push(String(s.base.value));
    else if (s.base.type === 4) dir.push(s.base.value as pkijs.RelativeDistinguishedNames);
  }
  return { email, dir };
}

/** The value pkijs parsed for an extension; a parse failure refuses the whole certificate. */
function parsed<T>(ext: pkijs.Extension, type: new (...args: never[]) => T): T {
  const v = ext.parsedValue as unknown;
  if (!(v instanceof type) || (v as { parsingError?: string }).parsingError) throw new CertificateParseError(`extension ${ext.extnID} does not parse`);
  return v;
}

/** Parses DER; throws CertificateParseError on anything malformed. */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  const der = Buffer.from(input);
  let cert: pkijs.Certificate;
  let publicKey: KeyObject;
  try {
    cert = pkijs.Certificate.fromBER(der);
    // OpenSSL reads the key (and must be able to read the whole certificate too)
    publicKey = new X509Certificate(der).publicKey;
  } catch (err) {
    throw new CertificateParseError(`not an X.509 certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
  let isCa = false;
  let pathLen: number | null = null;
  let keyUsage: Set<KeyUsageName> | null = null;
  let extKeyUsage: string[] | null = null;
  let subjectKeyId: string | null = null;
  let authorityKeyId: string | null = null;
  let nameConstraints: NameConstraintSet | null = null;
  const crlUrls: string[] = [];
  let hasCrlDistributionPoints = false;
  const rawEmails: string[] = [];
  const unknownCritical: string[] = [];
  const seen = new Set<string>();
  for (const ext of cert.extensions ?? []) {
    if (seen.has(ext.extnID)) throw new CertificateParseError(`extension ${ext.extnID} appears twice`);
    seen.add(ext.extnID);
    if (ext.critical && !UNDERSTOOD_CERT_EXTENSIONS.has(ext.extnID)) unknownCritical.push(ext.extnID);
    switch (ext.extnID) {
      case OID.basicConstraints: {
        const bc = parsed(ext, pkijs.BasicConstraints);
        isCa = bc.cA === true;
        pathLen = intValue(bc.pathLenConstraint);
        break;
      }
      case OID.keyUsage:
        keyUsage = keyUsageBits(ext.parsedValue);
        break;
      case OID.extKeyUsage:
        extKeyUsage = [...parsed(ext, pkijs.ExtKeyUsage).keyPurposes];
        break;
      case OID.subjectKeyIdentifier:
        subjectKeyId = hex(parsed(ext, asn1js.OctetString).valueBlock.valueHexView);
        break;
      case OID.authorityKeyIdentifier: {
        const aki = parsed(ext, pkijs.AuthorityKeyIdentifier);
        if (aki.keyIdentifier) authorityKeyId = hex(aki.keyIdentifier.valueBlock.valueHexView);
        break;
      }
      case OID.subjectAltName:
        for (const n of parsed(ext, pkijs.AltName).altNames) if (n.type === 1) rawEmails.push(String(n.value));
        break;
      case OID.nameConstraints: {
        const nc = parsed(ext, pkijs.NameConstraints);
        const p = subtrees(nc.permittedSubtrees);
        const x = subtrees(nc.excludedSubtrees);
        nameConstraints = { permittedEmail: p.email, excludedEmail: x.email, permittedDirectory: p.dir, excludedDirectory: x.dir };
        break;
      }
      case OID.crlDistributionPoints:
        hasCrlDistributionPoints = true;
        for (const dp of parsed(ext, pkijs.CRLDistributionPoints).distributionPoints) {
          if (Array.isArray(dp.distributionPoint)) for (const n of dp.distributionPoint) if (n.type === 6) crlUrls.push(String(n.value));
        }
        break;
      default:
        break;
    }
  }
  const subjectEmails = nameAttributes(cert.subject).filter((a) => a.type === OID.emailAddress).map((a) => a.value);
  const emails = [...new Set([...rawEmails, ...subjectEmails].map(normalizeAddress).filter((a): a is string => a !== null))];
  const subjectKey = nameKey(cert.subject);
  const issuerKey = nameKey(cert.issuer);
  return {
    id: createHash('sha256').update(der).digest('hex'),
    der,
    version: cert.version + 1,
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    subjectName: cert.subject,
    subjectKey,
    issuerKey,
    serial: serialHex(cert.serialNumber.valueBlock.valueHexView),
    subjectKeyId,
    authorityKeyId,
    notBefore: cert.notBefore.value.getTime(),
    notAfter: cert.notAfter.value.getTime(),
    isCa,
    pathLen,
    keyUsage,
    extKeyUsage,
    emails,
    rawEmails: [...rawEmails, ...subjectEmails],
    nameConstraints,
    crlUrls: [...new Set(crlUrls)],
    hasCrlDistributionPoints,
    unknownCriticalExtensions: unknownCritical,
    selfIssued: subjectKey === issuerKey,
    publicKey,
    keyType: publicKey.asymmetricKeyType ?? 'unknown',
    signatureAlgorithm: cert.signatureAlgorithm,
    tbs: cert.tbsView,
    signature: cert.signatureValue.valueBlock.valueHexView,
  };
}

/** The SubjectPublicKeyInfo DER of a certificate, to match a private key against it. */
export function spkiOf(cert: ParsedCertificate): Buffer {
  return cert.publicKey.export({ format: 'der', type: 'spki' });
}
