/**
 * pki/path-checks — the synchronous checks of one candidate certification path, in RFC 5280 §6.1
 * order: signatures and name chaining, validity at the given time, CA constraints (basicConstraints,
 * pathLen, keyCertSign), extended key usage, name constraints, then the end entity's use.
 *
 * Choices (documented in docs/security.md terms):
 * - EKU (RFC 8550 §4.4.4): an end entity whose extendedKeyUsage is present must list
 *   emailProtection or anyExtendedKeyUsage; absent = any use. The same rule is applied to
 *   intermediates ("EKU chaining", as OpenSSL's S/MIME purpose and Windows do): a CA restricted
 *   to serverAuth cannot vouch for mail certificates. The trust anchor's EKU is not checked.
 * - Key usage (RFC 8550 §4.4.2): absent = any use. Encryption needs keyEncipherment for RSA keys
 *   and keyAgreement for EC keys; signing needs digitalSignature or nonRepudiation. Issuers with
 *   a keyUsage extension need keyCertSign.
 * - basicConstraints: every issuer needs cA=TRUE, except a version 1 trust anchor (old roots);
 *   pathLenConstraint counts the non-self-issued intermediates below.
 * - Name constraints: rfc822Name and directoryName subtrees of every issuer (the anchor's
 *   included) apply to the addresses (SAN rfc822Name *and* subject emailAddress) and subject
 *   names of the certificates below it; self-issued intermediates are exempt (§6.1.3(b)).
 * - Unknown critical extensions make the certificate unusable (§4.2).
 */
import type { ParsedCertificate } from './certificate.js';
import { nameWithin } from './names.js';
import { OID } from './oids.js';
import { verifySignature } from './signature.js';
import type { Purpose, ValidationStatus } from './types.js';

export interface PathFailure {
  readonly status: Exclude<ValidationStatus, 'valid'>;
  readonly reason: string;
}

export interface PathContext {
  readonly now: number;
  readonly purpose: Purpose;
  /** normalized address the end entity must name, when given */
  readonly address?: string;
}

const fail = (status: PathFailure['status'], reason: string): PathFailure => ({ status, reason });

function ekuAllowsEmail(eku: readonly string[] | null): boolean {
  return eku === null || eku.includes(OID.emailProtection) || eku.includes(OID.anyExtendedKeyUsage);
}

/** Why `cert` cannot be used for `purpose` (key type, keyUsage, EKU), or null when it can. */
export function usageProblem(cert: ParsedCertificate, purpose: Purpose): string | null {
  if (!ekuAllowsEmail(cert.extKeyUsage)) return `${cert.subject}: extendedKeyUsage lacks emailProtection`;
  const ku = cert.keyUsage;
  if (purpose === 'encrypt') {
    if (cert.keyType === 'rsa') return ku && !ku.has('keyEncipherment') ? `${cert.subject}: keyUsage lacks keyEncipherment` : null;
    if (cert.keyType === 'ec') return ku && !ku.has('keyAgreement') ? `${cert.subject}: keyUsage lacks keyAgreement` : null;
    return `${cert.subject}: a ${cert.keyType} key cannot be used for S/MIME encryption`;
  }
  if (purpose === 'sign') return ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation') ? `${cert.subject}: keyUsage lacks digitalSignature and nonRepudiation` : null;
  return null;
}

/** What an end entity may be used for, judged from the certificate alone (no path). */
export function endEntityUsages(cert: ParsedCertificate): ('encrypt' | 'sign')[] {
  return (['encrypt', 'sign'] as const).filter((p) => usageProblem(cert, p) === null);
}

/** RFC 5280 §4.2.1.10 rfc822Name subtree: "user@host" (mailbox), "host" (all at host), ".domain" (subdomains). */
export function emailInSubtree(address: string, subtree: string): boolean {
  const a = address.toLowerCase();
  const c = subtree.toLowerCase();
  if (c.includes('@')) return a === c;
  const domain = a.slice(a.lastIndexOf('@') + 1);
  return c.startsWith('.') ? domain.endsWith(c) : domain === c;
}

function nameConstraintProblem(issuer: ParsedCertificate, subject: ParsedCertificate): string | null {
  const nc = issuer.nameConstraints;
  if (!nc) return null;
  for (const email of subject.rawEmails) {
    if (nc.excludedEmail.some((s) => emailInSubtree(email, s))) return `${email} is excluded by the name constraints of ${issuer.subject}`;
    if (nc.permittedEmail.length > 0 && !nc.permittedEmail.some((s) => emailInSubtree(email, s))) return `${email} is outside the names ${issuer.subject} may certify`;
  }
  if (subject.subjectName.typesAndValues.length > 0) {
    if (nc.excludedDirectory.some((d) => nameWithin(subject.subjectName, d))) return `${subject.subject} is excluded by the name constraints of ${issuer.subject}`;
    if (nc.permittedDirectory.length > 0 && !nc.permittedDirectory.some((d) => nameWithin(subject.subjectName, d))) return `${subject.subject} is outside the names ${issuer.subject} may certify`;
  }
  return null;
}

/**
 * Checks a complete path (end entity first, trust anchor last). Returns the first failure, or
 * null when everything but revocation holds.
 */
export function checkPath(path: readonly ParsedCertificate[], ctx: PathContext): PathFailure | null {
  const last = path.length - 1;
  for (const [i, cert] of path.entries()) {
    if (cert.unknownCriticalExtensions.length > 0) return fail('bad-usage', `${cert.subject}: unsupported critical extension ${cert.unknownCriticalExtensions.join(', ')}`);
    if (i < last) {
      const issuer = path[i + 1]!;
      if (cert.issuerKey !== issuer.subjectKey) return fail('untrusted', `${cert.subject}: issuer name does not match ${issuer.subject}`);
      const sig = verifySignature(cert.signatureAlgorithm, cert.tbs, cert.signature, issuer.publicKey);
      if (!sig.ok) return fail('bad-signature', `${cert.subject}: ${sig.reason}`);
    }
  }
  for (const cert of path) {
    if (ctx.now < cert.notBefore) return fail('not-yet-valid', `${cert.subject} is valid only from ${new Date(cert.notBefore).toISOString()}`);
    if (ctx.now > cert.notAfter) return fail('expired', `${cert.subject} expired ${new Date(cert.notAfter).toISOString()}`);
  }
  for (let i = 1; i <= last; i++) {
    const ca = path[i]!;
    const v1Anchor = i === last && ca.version === 1;
    if (!ca.isCa && !v1Anchor) return fail('bad-usage', `${ca.subject} issued ${path[i - 1]!.subject} but is not a CA (basicConstraints)`);
    if (ca.keyUsage && !ca.keyUsage.has('keyCertSign')) return fail('bad-usage', `${ca.subject} may not sign certificates (keyUsage lacks keyCertSign)`);
    const below = path.slice(1, i).filter((c) => !c.selfIssued).length;
    if (ca.pathLen !== null && below > ca.pathLen) return fail('bad-usage', `${ca.subject} allows ${ca.pathLen} intermediate(s) below it, the path has ${below}`);
    if (i < last && !ekuAllowsEmail(ca.extKeyUsage)) return fail('bad-usage', `${ca.subject}: intermediate's extendedKeyUsage excludes emailProtection`);
    for (let j = 0; j < i; j++) {
      const subject = path[j]!;
      if (j > 0 && subject.selfIssued) continue;
      const problem = nameConstraintProblem(ca, subject);
      if (problem) return fail('name-constraints', problem);
    }
  }
  const ee = path[0]!;
  const usage = usageProblem(ee, ctx.purpose);
  if (usage) return fail('bad-usage', usage);
  if (ctx.address !== undefined && !ee.emails.includes(ctx.address)) return fail('bad-usage', `${ee.subject} does not name ${ctx.address}`);
  return null;
}
