/**
 * pki/revocation — "is this certificate revoked?" from the stored CRLs (DESIGN §1).
 *
 * For a certificate and its issuer: the issuer's stored CRLs that verify with the issuer's key
 * and cover the certificate are consulted. Listed (with a revocation date not after `now`) →
 * revoked, even by a CRL past its nextUpdate (revocation is final). Not listed by a current CRL →
 * good. Otherwise the state is unknown, and validation applies the soft/hard rule; a certificate
 * without a CRL distribution point and no stored CRL is simply not checked.
 * When a `fetch` hook is given (on-demand fetching, pki.crlFetch.onDemand) an unknown state
 * triggers one fetch of the certificate's http distribution points, then one more look.
 * Parsed CRLs and signature checks are cached by CRL id (a CRL row is immutable per id).
 * SECURITY: a CRL whose signature does not verify with the issuer in the path is ignored.
 */
import type { ParsedCertificate } from './certificate.js';
import { crlCovers, isFresh, parseCrl, verifyCrl, type ParsedCrl } from './crl.js';
import type { CrlStore } from './types.js';

export type RevocationState =
  | { readonly state: 'good' }
  | { readonly state: 'revoked'; readonly revokedAt: number; readonly reason: number | null }
  | { readonly state: 'unknown'; readonly reason: string };

export interface RevocationSource {
  check(cert: ParsedCertificate, issuer: ParsedCertificate, now: number): Promise<RevocationState>;
}

export interface StoredCrlOptions {
  /** fetches the CRLs of `cert` now (on-demand); resolves when done, whatever the outcome */
  readonly fetch?: (cert: ParsedCertificate) => Promise<void>;
  /** parsed CRLs kept in memory (default 64) */
  readonly cacheSize?: number;
}

export class StoredCrlRevocation implements RevocationSource {
  readonly #parsed = new Map<string, ParsedCrl | Error>();
  readonly #verified = new Map<string, boolean>();
  readonly #cacheSize: number;

  constructor(
    private readonly crls: CrlStore,
    private readonly opts: StoredCrlOptions = {},
  ) {
    this.#cacheSize = opts.cacheSize ?? 64;
  }

  async check(cert: ParsedCertificate, issuer: ParsedCertificate, now: number): Promise<RevocationState> {
    const first = await this.#lookup(cert, issuer, now);
    if (first.state !== 'unknown' || !this.opts.fetch || !cert.crlUrls.some((u) => u.startsWith('http://'))) return first;
    await this.opts.fetch(cert);
    return this.#lookup(cert, issuer, now);
  }

  async #lookup(cert: ParsedCertificate, issuer: ParsedCertificate, now: number): Promise<RevocationState> {
    const records = await this.crls.forIssuer(cert.issuerKey);
    let stale: ParsedCrl | null = null;
    let good = false;
    for (const record of records) {
      const crl = this.#parse(record.id, record.der);
      if (!crl || !crlCovers(crl, cert) || !this.#verify(crl, issuer)) continue;
      const entry = crl.revoked.get(cert.serial);
      if (entry && entry.revokedAt <= now) return { state: 'revoked', revokedAt: entry.revokedAt, reason: entry.reason };
      if (isFresh(crl, now)) good = true;
      else stale = crl;
    }
    if (good) return { state: 'good' };
    if (stale) return { state: 'unknown', reason: `the CRL of ${cert.issuer} is out of date (next update was due ${stale.nextUpdate === null ? '?' : new Date(stale.nextUpdate).toISOString()})` };
    return { state: 'unknown', reason: `no CRL of ${cert.issuer} is available${cert.crlUrls.length > 0 ? ` (distribution point ${cert.crlUrls.join(', ')})` : ''}` };
  }

  #parse(id: string, der: Buffer): ParsedCrl | null {
    let hit = this.#parsed.get(id);
    if (hit === undefined) {
      try {
        hit = parseCrl(der);
      } catch (err) {
        hit = err instanceof Error ? err : new Error(String(err));
      }
      if (this.#parsed.size >= this.#cacheSize) this.#parsed.delete(this.#parsed.keys().next().value!);
      this.#parsed.set(id, hit);
    }
    return hit instanceof Error ? null : hit;
  }

  #verify(crl: ParsedCrl, issuer: ParsedCertificate): boolean {
    const key = `${crl.id}:${issuer.id}`;
    let ok = this.#verified.get(key);
    if (ok === undefined) {
      ok = verifyCrl(crl, issuer).ok;
      if (this.#verified.size >= this.#cacheSize * 4) this.#verified.delete(this.#verified.keys().next().value!);
      this.#verified.set(key, ok);
    }
    return ok;
  }
}
