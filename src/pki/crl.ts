/**
 * pki/crl — certificate revocation lists: parse, check the signature against the issuer, decide
 * whether a CRL covers a certificate and whether it lists it.
 *
 * Supported: complete CRLs (v1/v2) signed by the certificate's own issuer, optionally
 * partitioned by an issuingDistributionPoint (then a CRL covers a certificate when one of the
 * certificate's distribution point URIs is among the CRL's, or it has no distribution point
 * name). Not supported (the CRL is refused, so revocation counts as unknown): delta CRLs,
 * indirect CRLs, CRLs limited to some reasons or to attribute certificates, and any unknown
 * critical extension, as RFC 5280 §5.2/§5.3 requires.
 * SECURITY: CRL bytes come from the network; a CRL is believed only after its signature verifies
 * with the issuer's key and the issuer may sign CRLs (cRLSign when keyUsage is present).
 * STANDARDS: RFC 5280 §5, §6.3.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { ParsedCertificate } from './certificate.js';
import { formatName, nameKey, serialHex } from './names.js';
import { OID, UNDERSTOOD_CRL_EXTENSIONS } from './oids.js';
import { verifySignature, type SignatureCheck } from './signature.js';

export class CrlParseError extends Error {
  override readonly name = 'CrlParseError';
}

export interface RevokedEntry {
  readonly revokedAt: number;
  /** CRLReason code (RFC 5280 §5.3.1), null when absent */
  readonly reason: number | null;
}

export interface ParsedCrl {
  /** SHA-256 of the DER, hex */
  readonly id: string;
  readonly der: Buffer;
  readonly issuer: string;
  readonly issuerKey: string;
  readonly authorityKeyId: string | null;
  readonly thisUpdate: number;
  readonly nextUpdate: number | null;
  /** cRLNumber as hex, null when absent */
  readonly number: string | null;
  /** '' for a CRL covering everything the issuer signs, else its distribution point URIs joined by space */
  readonly scope: string;
  readonly onlyUserCerts: boolean;
  readonly onlyCaCerts: boolean;
  /** why this CRL cannot be used for revocation checking, or null */
  readonly unusable: string | null;
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
  readonly signatureAlgorithm: pkijs.AlgorithmIdentifier;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
}

const ENTRY_EXTENSIONS = new Set<string>([OID.crlReason, OID.invalidityDate]);

function parseEntries(list: pkijs.RevokedCertificate[] | undefined): { revoked: Map<string, RevokedEntry>; unusable: string | null } {
  const revoked = new Map<string, RevokedEntry>();
  let unusable: string | null = null;
  for (const entry of list ?? []) {
    let reason: number | null = null;
    for (const ext of entry.crlEntryExtensions?.extensions ?? []) {
      if (ext.extnID === OID.crlReason && ext.parsedValue instanceof asn1js.Enumerated) reason = ext.parsedValue.valueBlock.valueDec;
      else if (ext.critical && !ENTRY_EXTENSIONS.has(ext.extnID)) unusable = `CRL entry extension ${ext.extnID} is critical and not supported`;
    }
    revoked.set(serialHex(entry.userCertificate.valueBlock.valueHexView), { revokedAt: entry.revocationDate.value.getTime(), reason });
  }
  return { revoked, unusable };
}

/** Parses a DER CRL; throws CrlParseError when malformed. */
export function parseCrl(input: Uint8Array): ParsedCrl {
  const der = Buffer.from(input);
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(der);
  } catch (err) {
    throw new CrlParseError(`not an X.509 CRL: ${err instanceof Error ? err.message : String(err)}`);
  }
  let number: string | null = null;
  let scope = '';
  let onlyUserCerts = false;
  let onlyCaCerts = false;
  let authorityKeyId: string | null = null;
  let unusable: string | null = null;
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.extnID)) unusable = ext.extnID === OID.deltaCrlIndicator ? 'delta CRLs are not supported' : `critical CRL extension ${ext.extnID} is not supported`;
    if (ext.extnID === OID.crlNumber && ext.parsedValue instanceof asn1js.Integer) number = serialHex(ext.parsedValue.valueBlock.valueHexView);
    if (ext.extnID === OID.authorityKeyIdentifier && ext.parsedValue instanceof pkijs.AuthorityKeyIdentifier && ext.parsedValue.keyIdentifier) {
      authorityKeyId = Buffer.from(ext.parsedValue.keyIdentifier.valueBlock.valueHexView).toString('hex');
    }
    if (ext.extnID === OID.issuingDistributionPoint) {
      const idp = ext.parsedValue;
      if (!(idp instanceof pkijs.IssuingDistributionPoint)) throw new CrlParseError('issuingDistributionPoint does not parse');
      if (idp.indirectCRL) unusable = 'indirect CRLs are not supported';
      if (idp.onlySomeReasons !== undefined) unusable = 'CRLs limited to some revocation reasons are not supported';
      if (idp.onlyContainsAttributeCerts) unusable = 'attribute certificate CRLs do not apply to S/MIME certificates';
      onlyUserCerts = idp.onlyContainsUserCerts;
      onlyCaCerts = idp.onlyContainsCACerts;
      if (Array.isArray(idp.distributionPoint)) {
        scope = idp.distributionPoint.filter((n) => n.type === 6).map((n) => String(n.value)).sort().join(' ');
      } else if (idp.distributionPoint) {
        unusable = 'distribution point names relative to the issuer are not supported';
      }
    }
  }
  const entries = parseEntries(crl.revokedCertificates);
  return {
    id: createHash('sha256').update(der).digest('hex'),
    der,
    issuer: formatName(crl.issuer),
    issuerKey: nameKey(crl.issuer),
    authorityKeyId,
    thisUpdate: crl.thisUpdate.value.getTime(),
    nextUpdate: crl.nextUpdate ? crl.nextUpdate.value.getTime() : null,
    number,
    scope,
    onlyUserCerts,
    onlyCaCerts,
    unusable: unusable ?? entries.unusable,
    revoked: entries.revoked,
    signatureAlgorithm: crl.signatureAlgorithm,
    tbs: crl.tbsView,
    signature: crl.signatureValue.valueBlock.valueHexView,
  };
}

/** Was this CRL issued by `issuer` (name, key id, cRLSign, signature)? */
export function verifyCrl(crl: ParsedCrl, issuer: ParsedCertificate): SignatureCheck {
  if (crl.issuerKey !== issuer.subjectKey) return { ok: false, reason: `CRL issuer ${crl.issuer} is not ${issuer.subject}` };
  if (crl.authorityKeyId && issuer.subjectKeyId && crl.authorityKeyId !== issuer.subjectKeyId) return { ok: false, reason: 'CRL authority key id does not match the issuer' };
  if (issuer.keyUsage && !issuer.keyUsage.has('cRLSign')) return { ok: false, reason: `${issuer.subject} may not sign CRLs (no cRLSign)` };
  return verifySignature(crl.signatureAlgorithm, crl.tbs, crl.signature, issuer.publicKey);
}

/** Does `crl` (already known to be the issuer's) cover `cert`? */
export function crlCovers(crl: ParsedCrl, cert: ParsedCertificate): boolean {
  if (crl.unusable) return false;
  if (crl.onlyUserCerts && cert.isCa) return false;
  if (crl.onlyCaCerts && !cert.isCa) return false;
  if (crl.scope === '') return true;
  const urls = new Set(crl.scope.split(' '));
  return cert.crlUrls.some((u) => urls.has(u));
}

/** Issued already and not past its nextUpdate: a CRL that may say "not revoked" at `now`. */
export function isFresh(crl: ParsedCrl, now: number): boolean {
  return crl.thisUpdate <= now && (crl.nextUpdate === null || now <= crl.nextUpdate);
}
