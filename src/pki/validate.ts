/**
 * pki/validate — full path validation of a certificate to a trusted root (a chain *builder* is not
 * a validator: every link of every candidate path is checked here).
 *
 * 1. Build candidate paths: from the certificate, issuer candidates are the stored certificates
 *    (plus intermediates the caller supplies, e.g. from a CMS message) whose subject name equals
 *    the issuer name and whose key identifier does not contradict the authority key identifier —
 *    preferring a matching key identifier, then those valid now, then the newest. A path is complete when it reaches a trust anchor (the anchor may be the
 *    certificate itself: a directly trusted partner certificate). Depth and path count are
 *    bounded, loops are cut.
 * 2. Check each complete path (pki/path-checks.ts), then revocation of every non-anchor link
 *    (pki/revocation.ts) with the DESIGN §1 rule: no distribution point → not checked; CRL
 *    unavailable → `soft` adds a warning, `hard` fails with `revocation-unknown`.
 * 3. The first valid path wins; else the first complete path's failure is reported; no complete
 *    path at all → `untrusted`.
 * Expected outcomes are values (ValidationResult); only store failures throw.
 * SECURITY: every input certificate is untrusted until a path to an anchor checks out; an
 * unparsable certificate is `untrusted`, never an exception that a caller might treat as success.
 * STANDARDS: RFC 5280 §6, RFC 8550 §4.
 */
import { CertificateParseError, parseCertificate, type ParsedCertificate } from './certificate.js';
import { normalizeAddress } from './names.js';
import { checkPath, type PathFailure } from './path-checks.js';
import type { RevocationSource } from './revocation.js';
import type { CertificateStore, ChainCertificate, Purpose, RevocationMode, RootStore, ValidationResult } from './types.js';

export interface ValidateOptions {
  readonly now: number;
  readonly purpose: Purpose;
  /** the end entity must name this address (rfc822Name or emailAddress, case-insensitive) */
  readonly address?: string;
  readonly revocation: RevocationMode;
  /** certificates that may serve as intermediates (never as anchors), e.g. from a signed message */
  readonly intermediates?: readonly Buffer[];
}

export interface ValidatorDeps {
  readonly certificates: CertificateStore;
  readonly roots: RootStore;
  readonly revocation: RevocationSource;
}

export interface ValidatorLimits {
  /** longest path, anchor included (default 8) */
  readonly maxDepth?: number;
  /** complete paths checked before giving up (default 8) */
  readonly maxPaths?: number;
  /** parsed certificates kept in memory (default 2000) */
  readonly cacheSize?: number;
}

const chainOf = (path: readonly ParsedCertificate[]): ChainCertificate[] => path.map((c) => ({ id: c.id, der: c.der, subject: c.subject }));

export class Validator {
  readonly #cache = new Map<string, ParsedCertificate>();
  readonly #maxDepth: number;
  readonly #maxPaths: number;
  readonly #cacheSize: number;

  constructor(
    private readonly deps: ValidatorDeps,
    limits: ValidatorLimits = {},
  ) {
    this.#maxDepth = limits.maxDepth ?? 8;
    this.#maxPaths = limits.maxPaths ?? 8;
    this.#cacheSize = limits.cacheSize ?? 2000;
  }

  /** Parses (memoised by id) a stored or given certificate; throws CertificateParseError. */
  parse(der: Buffer, id?: string): ParsedCertificate {
    const hit = id === undefined ? undefined : this.#cache.get(id);
    if (hit) return hit;
    const parsed = parseCertificate(der);
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(parsed.id, parsed);
    return parsed;
  }

  /** Validates DER, a parsed certificate, or a stored record ({ id, der }: parsed once per id). */
  async validate(certificate: Buffer | ParsedCertificate | { readonly id: string; readonly der: Buffer }, opts: ValidateOptions): Promise<ValidationResult> {
    let ee: ParsedCertificate;
    try {
      ee = Buffer.isBuffer(certificate) ? this.parse(certificate) : 'publicKey' in certificate ? certificate : this.parse(certificate.der, certificate.id);
    } catch (err) {
      if (!(err instanceof CertificateParseError)) throw err;
      return { status: 'untrusted', chain: [], warnings: [], reason: err.message };
    }
    const address = opts.address === undefined ? undefined : (normalizeAddress(opts.address) ?? opts.address.toLowerCase());
    const extra = this.#parseExtra(opts.intermediates ?? []);
    const anchors = await this.deps.roots.ids();
    const { complete, longest } = await this.#paths(ee, anchors, extra, opts.now);
    if (complete.length === 0) {
      return { status: 'untrusted', chain: chainOf(longest), warnings: [], reason: `no path from ${ee.subject} to a trusted root (last issuer looked for: ${longest[longest.length - 1]!.issuer})` };
    }
    let firstFailure: ValidationResult | null = null;
    for (const path of complete) {
      const result = await this.#checkComplete(path, { now: opts.now, purpose: opts.purpose, ...(address === undefined ? {} : { address }) }, opts.revocation);
      if (result.status === 'valid') return result;
      firstFailure ??= result;
    }
    return firstFailure!;
  }

  async #checkComplete(path: ParsedCertificate[], ctx: { now: number; purpose: Purpose; address?: string }, mode: RevocationMode): Promise<ValidationResult> {
    const failure: PathFailure | null = checkPath(path, ctx);
    if (failure) return { status: failure.status, chain: chainOf(path), warnings: [], reason: failure.reason };
    const warnings: string[] = [];
    for (let i = 0; i < path.length - 1; i++) {
      const cert = path[i]!;
      const state = await this.deps.revocation.check(cert, path[i + 1]!, ctx.now);
      if (state.state === 'revoked') return { status: 'revoked', chain: chainOf(path), warnings, reason: `${cert.subject} was revoked ${new Date(state.revokedAt).toISOString()}${state.reason === null ? '' : ` (reason ${state.reason})`}` };
      if (state.state === 'unknown' && cert.hasCrlDistributionPoints) {
        if (mode === 'hard') return { status: 'revocation-unknown', chain: chainOf(path), warnings, reason: `revocation of ${cert.subject} cannot be checked: ${state.reason}` };
        warnings.push(`revocation of ${cert.subject} not checked: ${state.reason}`);
      }
    }
    return { status: 'valid', chain: chainOf(path), warnings };
  }

  #parseExtra(ders: readonly Buffer[]): Map<string, ParsedCertificate[]> {
    const bySubject = new Map<string, ParsedCertificate[]>();
    for (const der of ders) {
      try {
        const c = this.parse(der);
        bySubject.set(c.subjectKey, [...(bySubject.get(c.subjectKey) ?? []), c]);
      } catch (err) {
        if (!(err instanceof CertificateParseError)) throw err;
      }
    }
    return bySubject;
  }

  async #issuers(cert: ParsedCertificate, extra: Map<string, ParsedCertificate[]>, now: number): Promise<ParsedCertificate[]> {
    const found = new Map<string, ParsedCertificate>();
    for (const record of await this.deps.certificates.bySubject(cert.issuerKey)) {
      try {
        found.set(record.id, this.parse(record.der, record.id));
      } catch (err) {
        if (!(err instanceof CertificateParseError)) throw err;
      }
    }
    for (const c of extra.get(cert.issuerKey) ?? []) found.set(c.id, c);
    // a candidate whose key id contradicts the authority key id cannot be the issuer (as OpenSSL's
    // X509_check_akid): a same-named CA with another key is not tried, matching key ids first
    const candidates = [...found.values()].filter((c) => !(cert.authorityKeyId && c.subjectKeyId && cert.authorityKeyId !== c.subjectKeyId));
    const rank = (c: ParsedCertificate) => (cert.authorityKeyId && c.subjectKeyId ? 0 : 2) + (c.notBefore <= now && now <= c.notAfter ? 0 : 1);
    return candidates.sort((a, b) => rank(a) - rank(b) || b.notBefore - a.notBefore || a.id.localeCompare(b.id));
  }

  async #paths(ee: ParsedCertificate, anchors: Set<string>, extra: Map<string, ParsedCertificate[]>, now: number): Promise<{ complete: ParsedCertificate[][]; longest: ParsedCertificate[] }> {
    const complete: ParsedCertificate[][] = [];
    let longest: ParsedCertificate[] = [ee];
    // issuer lookups allowed per validation: bounds the work a crafted store or message can cause
    let budget = this.#maxPaths * this.#maxDepth * 2;
    const walk = async (path: ParsedCertificate[]): Promise<void> => {
      if (complete.length >= this.#maxPaths || budget <= 0) return;
      const last = path[path.length - 1]!;
      if (anchors.has(last.id)) {
        complete.push(path);
        return;
      }
      if (path.length > longest.length) longest = path;
      if (path.length >= this.#maxDepth) return;
      // a self-signed certificate that is not an anchor ends the path (it issued itself); a
      // self-issued key-rollover certificate (authority key id ≠ its own) may go on
      if (last.selfIssued && (last.authorityKeyId === null || last.authorityKeyId === last.subjectKeyId)) return;
      budget--;
      for (const issuer of await this.#issuers(last, extra, now)) {
        if (path.some((c) => c.id === issuer.id)) continue;
        await walk([...path, issuer]);
      }
    };
    await walk([ee]);
    return { complete, longest };
  }
}
