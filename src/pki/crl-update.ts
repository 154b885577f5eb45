/**
 * pki/crl-update — getting CRLs into the store: from a file (`certs crl FILE`), from the
 * distribution points of every stored certificate (`certs crl --refresh` and the periodic job),
 * and on demand for one certificate during validation.
 *
 * Every CRL is parsed, its issuer looked up among the stored certificates by name, and stored
 * only when the signature verifies with one of them (and that one may sign CRLs). The store keeps
 * the newest per issuer and scope, so refreshing is idempotent and safe on several nodes at once.
 * On-demand fetches are deduplicated (one request per URL in flight) and a failed URL is not
 * retried before `retryAfterMs`, so a dead distribution point cannot slow every message down.
 * SECURITY: fetched bytes are untrusted until the signature check; errors name URLs and
 * issuers, never contents.
 */
import { CertificateParseError, parseCertificate, type ParsedCertificate } from './certificate.js';
import { CrlParseError, parseCrl, verifyCrl } from './crl.js';
import { CrlFetchError, type CrlFetcher } from './crl-fetch.js';
import { decodeCrlFile, DecodeError } from './decode.js';
import type { CertificateStore, CrlStore } from './types.js';

export class CrlImportError extends Error {
  override readonly name = 'CrlImportError';
}

export interface CrlImported {
  readonly id: string;
  readonly issuer: string;
  readonly issuerCertificateId: string;
  readonly thisUpdate: number;
  readonly nextUpdate: number | null;
  readonly revokedCount: number;
  /** false when the store already held a CRL as new or newer for this issuer */
  readonly stored: boolean;
}

export interface RefreshSummary {
  readonly fetched: ReadonlyArray<{ readonly url: string } & CrlImported>;
  readonly failed: ReadonlyArray<{ readonly url: string; readonly reason: string }>;
  readonly skipped: ReadonlyArray<{ readonly url: string; readonly reason: string }>;
}

export interface CrlUpdaterOptions {
  readonly fetcher: CrlFetcher;
  /** on-demand: a failed URL is not fetched again before this long (default 5 min) */
  readonly retryAfterMs?: number;
  readonly now?: () => number;
}

export class CrlUpdater {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #failedAt = new Map<string, number>();

  constructor(
    private readonly certificates: CertificateStore,
    private readonly crls: CrlStore,
    private readonly opts: CrlUpdaterOptions,
  ) {}

  /** Verifies and stores a CRL given as PEM ("X509 CRL") or DER bytes. Throws CrlImportError. */
  async importCrl(bytes: Buffer, sourceUrl: string | null = null): Promise<CrlImported> {
    let crl;
    try {
      crl = parseCrl(decodeCrlFile(bytes));
    } catch (err) {
      if (err instanceof CrlParseError || err instanceof DecodeError) throw new CrlImportError(err.message);
      throw err;
    }
    if (crl.unusable) throw new CrlImportError(`CRL of ${crl.issuer} cannot be used: ${crl.unusable}`);
    const candidates = await this.certificates.bySubject(crl.issuerKey);
    if (candidates.length === 0) throw new CrlImportError(`no stored certificate is the issuer of this CRL (${crl.issuer}); import or trust the CA first`);
    let issuer: ParsedCertificate | null = null;
    const reasons: string[] = [];
    for (const record of candidates) {
      const cert = parseCertificate(record.der);
      if (!cert.isCa && !cert.keyUsage?.has('cRLSign')) {
        reasons.push(`${cert.subject} is not a CA`);
        continue;
      }
      const check = verifyCrl(crl, cert);
      if (check.ok) {
        issuer = cert;
        break;
      }
      reasons.push(check.reason);
    }
    if (!issuer) throw new CrlImportError(`the CRL signature does not verify with any stored certificate of ${crl.issuer}: ${reasons.join('; ')}`);
    const stored = await this.crls.put({ id: crl.id, der: crl.der, issuerKey: crl.issuerKey, scope: crl.scope, issuerCertificateId: issuer.id, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, number: crl.number, sourceUrl });
    return { id: crl.id, issuer: crl.issuer, issuerCertificateId: issuer.id, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revokedCount: crl.revoked.size, stored };
  }

  /** Fetches every http distribution point named by a stored certificate. */
  async refreshAll(): Promise<RefreshSummary> {
    return this.refreshUrls(await this.certificates.crlUrls());
  }

  async refreshUrls(urls: readonly string[]): Promise<RefreshSummary> {
    const fetched: ({ url: string } & CrlImported)[] = [];
    const failed: { url: string; reason: string }[] = [];
    const skipped: { url: string; reason: string }[] = [];
    for (const url of [...new Set(urls)]) {
      if (!url.startsWith('http://')) {
        skipped.push({ url, reason: 'only http:// distribution points are fetched' });
        continue;
      }
      try {
        const body = await this.opts.fetcher.fetch(url);
        fetched.push({ url, ...(await this.importCrl(body, url)) });
        this.#failedAt.delete(url);
      } catch (err) {
        // store failures propagate; a bad or unreachable distribution point is a result
        if (!(err instanceof CrlFetchError || err instanceof CrlImportError || err instanceof CertificateParseError)) throw err;
        this.#failedAt.set(url, (this.opts.now ?? Date.now)());
        failed.push({ url, reason: err.message });
      }
    }
    return { fetched, failed, skipped };
  }

  /** On-demand fetch of one certificate's http distribution points (for StoredCrlRevocation). */
  fetchFor = async (cert: ParsedCertificate): Promise<void> => {
    const now = (this.opts.now ?? Date.now)();
    const retryAfter = this.opts.retryAfterMs ?? 300_000;
    const due = cert.crlUrls.filter((u) => u.startsWith('http://') && now - (this.#failedAt.get(u) ?? -Infinity) >= retryAfter);
    await Promise.all(
      due.map((url) => {
        let p = this.#inFlight.get(url);
        if (!p) {
          p = this.refreshUrls([url])
            .then(() => undefined)
            .catch(() => undefined)
            .finally(() => this.#inFlight.delete(url));
          this.#inFlight.set(url, p);
        }
        return p;
      }),
    );
  };
}
