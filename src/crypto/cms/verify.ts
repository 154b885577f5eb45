/**
 * verifySignedData: the cryptographic check of a CMS SignedData (RFC 5652 §5.6): every
 * SignerInfo's signer certificate is found among the included certificates, the messageDigest
 * and contentType attributes match, and the signature verifies (RSA PKCS#1 v1.5, RSASSA-PSS,
 * ECDSA; SHA-224/256/384/512). Trust, validity dates, key usage and revocation are pki/'s job:
 * `signer` is handed back for that.
 * SECURITY: hostile input; never throws — anything malformed or unsupported is 'invalid'. SHA-1
 * and MD5 digests are not accepted. A detached signature that also embeds content is invalid
 * (it would vouch for other bytes than the ones shown). Signed attributes are verified over the
 * bytes received, re-tagged as SET OF, never over a re-encoding.
 */
import { constants, createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import type * as asn1js from 'asn1js';
import { describeCertificate, type CertificateInfo } from './certificate.js';
import { children, octetStringValue, oidValue, parseDer, rawOf, smallInteger, tagOf } from './der.js';
import { DIGEST_BY_OID, OID, type DigestName } from './oids.js';
import { recipientIdOf, ridMatches } from './recipients.js';

export interface VerifyResult {
  readonly status: 'valid' | 'invalid';
  /** the first signer's certificate (DER), when it was found */
  readonly signer: Buffer | null;
  /** every certificate carried in the message (DER) */
  readonly certificates: Buffer[];
  /** the embedded content of an opaque signature; null for a detached one */
  readonly content: Buffer | null;
  /** the first signer's digest algorithm ('sha256', …), or '' when unknown */
  readonly digest: string;
}

/** Bounds on hostile input: more certificates or signers than any real message carries. */
const MAX_CERTIFICATES = 64;
const MAX_SIGNERS = 8;

const ACCEPTED_DIGESTS: ReadonlySet<DigestName> = new Set(['sha224', 'sha256', 'sha384', 'sha512']);

/** Signature algorithm OIDs that name their own digest (must equal the SignerInfo's). */
const SIGNATURE_DIGEST: ReadonlyMap<string, DigestName> = new Map([
  [OID.sha1WithRsa, 'sha1'],
  [OID.sha224WithRsa, 'sha224'],
  [OID.sha256WithRsa, 'sha256'],
  [OID.sha384WithRsa, 'sha384'],
  [OID.sha512WithRsa, 'sha512'],
  [OID.ecdsaWithSha1, 'sha1'],
  [OID.ecdsaWithSha224, 'sha224'],
  [OID.ecdsaWithSha256, 'sha256'],
  [OID.ecdsaWithSha384, 'sha384'],
  [OID.ecdsaWithSha512, 'sha512'],
]);
const RSA_PKCS1 = new Set<string>([OID.rsaEncryption, OID.sha224WithRsa, OID.sha256WithRsa, OID.sha384WithRsa, OID.sha512WithRsa]);
const ECDSA = new Set<string>([OID.ecPublicKey, OID.ecdsaWithSha224, OID.ecdsaWithSha256, OID.ecdsaWithSha384, OID.ecdsaWithSha512]);

function digestOf(algorithmId: unknown): DigestName | null {
  return typeof algorithmId === 'string' ? DIGEST_BY_OID.get(algorithmId) ?? null : null;
}

/** RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 hash (must match: node ties them), salt length. */
function pssParams(params: asn1js.AsnType | undefined): { hash: DigestName; saltLength: number } | null {
  let hash: DigestName = 'sha1';
  let mgfHash: DigestName = 'sha1';
  let saltLength = 20;
  for (const field of children(params) ?? []) {
    const tag = tagOf(field);
    const inner = children(field)?.[0];
    if (tag.cls !== 3) return null;
    if (tag.num === 0) hash = digestOf(oidValue(children(inner)?.[0])) ?? ('' as DigestName);
    else if (tag.num === 1) mgfHash = digestOf(oidValue(children(children(inner)?.[1])?.[0])) ?? ('' as DigestName);
    else if (tag.num === 2) saltLength = smallInteger(inner) ?? -1;
    else if (tag.num !== 3) return null;
  }
  return hash && hash === mgfHash && saltLength >= 0 ? { hash, saltLength } : null;
}

function signatureOk(algorithmId: string, params: asn1js.AsnType | undefined, digest: DigestName, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const implied = SIGNATURE_DIGEST.get(algorithmId);
  if (implied && implied !== digest) return false;
  if (RSA_PKCS1.has(algorithmId)) {
    return key.asymmetricKeyType === 'rsa' && cryptoVerify(digest, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
  if (ECDSA.has(algorithmId)) return key.asymmetricKeyType === 'ec' && cryptoVerify(digest, data, { key, dsaEncoding: 'der' }, signature);
  if (algorithmId === OID.rsassaPss) {
    const pss = pssParams(params);
    if (!pss || pss.hash !== digest) return false;
    return cryptoVerify(digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
  }
  return false;
}

/** The single value of a signed attribute, or null when absent or not single-valued. */
function attributeValue(attrs: readonly pkijs.Attribute[], type: string): asn1js.AsnType | null | 'repeated' {
  const found = attrs.filter((a) => a.type === type);
  if (found.length === 0) return null;
  if (found.length > 1 || found[0]!.values.length !== 1) return 'repeated';
  return found[0]!.values[0] as asn1js.AsnType;
}

function verifySigner(si: pkijs.SignerInfo, certs: readonly CertificateInfo[], eContentType: string, content: Buffer): { cert: CertificateInfo | null; digest: string; ok: boolean } {
  const sid = recipientIdOf(si.sid);
  const cert = sid ? certs.find((c) => ridMatches(sid, c)) ?? null : null;
  const digest = digestOf(si.digestAlgorithm?.algorithmId);
  if (!cert || !digest || !ACCEPTED_DIGESTS.has(digest)) return { cert, digest: digest ?? '', ok: false };
  const computed = createHash(digest).update(content).digest();
  let signed: Buffer;
  if (si.signedAttrs) {
    const attrs = si.signedAttrs.attributes;
    const type = attributeValue(attrs, OID.contentType);
    const md = attributeValue(attrs, OID.messageDigest);
    if (!type || type === 'repeated' || oidValue(type) !== eContentType) return { cert, digest, ok: false };
    if (!md || md === 'repeated' || !octetStringValue(md)?.equals(computed)) return { cert, digest, ok: false };
    signed = Buffer.from(si.signedAttrs.encodedValue); // pkijs already re-tagged it 0x31
    if (signed[0] !== 0x31) return { cert, digest, ok: false };
  } else {
    if (eContentType !== OID.data) return { cert, digest, ok: false };
    signed = content;
  }
  const signature = octetStringValue(si.signature);
  const algorithmId = si.signatureAlgorithm?.algorithmId;
  if (!signature || typeof algorithmId !== 'string') return { cert, digest, ok: false };
  try {
    return { cert, digest, ok: signatureOk(algorithmId, si.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined, digest, cert.publicKey, signed, signature) };
  } catch {
    return { cert, digest, ok: false };
  }
}

/** Raw DER of every X.509 certificate in SignedData.certificates ([0] IMPLICIT SET). */
function rawCertificates(signedData: asn1js.AsnType): Buffer[] {
  const set = children(signedData)?.find((f) => tagOf(f).cls === 3 && tagOf(f).num === 0);
  return (children(set) ?? []).filter((c) => tagOf(c).cls === 1 && tagOf(c).num === 16).map((c) => Buffer.from(rawOf(c)));
}

export function verifySignedData(der: Buffer, detachedContent?: Buffer): VerifyResult {
  const invalid = (partial: Partial<VerifyResult> = {}): VerifyResult => ({ status: 'invalid', signer: null, certificates: [], content: null, digest: '', ...partial });
  try {
    if (!Buffer.isBuffer(der) || (detachedContent !== undefined && !Buffer.isBuffer(detachedContent))) return invalid();
    const root = children(parseDer(der) ?? undefined);
    const wrapper = root?.[1];
    if (!root || root.length !== 2 || oidValue(root[0]) !== OID.signedData || !wrapper || tagOf(wrapper).cls !== 3 || tagOf(wrapper).num !== 0) return invalid();
    const inner = children(wrapper)?.[0];
    if (!inner) return invalid();
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0]
    //   IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos } — walked here; pkijs parses the
    // parts we read (its whole-SignedData parse also decodes every certificate, 2 ms a message).
    const fields = children(inner);
    const signerSet = fields?.[fields.length - 1];
    if (!fields || fields.length < 4 || !signerSet || tagOf(signerSet).num !== 17 || tagOf(fields[1]!).num !== 17) return invalid();
    const encap = new pkijs.EncapsulatedContentInfo({ schema: fields[2] });
    const signerBlocks = children(signerSet) ?? [];
    const certificates = rawCertificates(inner);
    if (signerBlocks.length > MAX_SIGNERS || certificates.length > MAX_CERTIFICATES) return invalid();
    const signerInfos = signerBlocks.map((si) => new pkijs.SignerInfo({ schema: si }));
    const certs = certificates.map(describeCertificate).filter((c): c is CertificateInfo => c !== null);

    const eContentType = encap.eContentType;
    const embedded = encap.eContent ? octetStringValue(encap.eContent) : null;
    if (encap.eContent && embedded === null) return invalid({ certificates });
    if (embedded !== null && detachedContent !== undefined) return invalid({ certificates });
    const content = embedded ?? detachedContent;
    if (content === undefined || signerInfos.length === 0) return invalid({ certificates, content: embedded });

    const results = signerInfos.map((si) => verifySigner(si, certs, eContentType, content));
    const first = results[0]!;
    return {
      status: results.every((r) => r.ok) ? 'valid' : 'invalid',
      signer: first.cert?.der ?? null,
      certificates,
      content: embedded,
      digest: first.digest,
    };
  } catch {
    return invalid();
  }
}
