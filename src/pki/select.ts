/**
 * pki/select — which certificates encrypt to a recipient, which key signs for a sender.
 *
 * Encryption (`encryptionCertificatesFor`):
 * - personal: stored certificates naming the address (SAN rfc822Name or subject emailAddress,
 *   whole address compared case-insensitively — see pki/names.ts), each fully validated now for
 *   encryption with the address check (trusted, valid, not revoked, keyEncipherment/keyAgreement,
 *   EKU emailProtection or absent/any);
 * - domain: the certificates configured for the recipient's domain (`pki.domains[].encryptTo`,
 *   domain-to-domain: the partner's gateway decrypts), validated for encryption without an
 *   address check;
 * - additional (escrow): `pki.domains[].additional`, added whenever the recipient is served.
 * When several personal certificates are valid, `pki.selection: newest` (default) takes the one
 * with the latest notBefore (a renewed certificate replaces the old one, and the recipient still
 * has the key for it); `all` takes them all (a recipient with several devices/keys). Domain
 * certificates are all used. The recipient can be served when a personal or domain certificate
 * was found; escrow certificates alone never make a recipient servable.
 * Signing (`signingKeyFor`): the newest valid signing certificate of the sender that has a
 * private key, else the domain's `signWith` certificate.
 * Everything rejected is reported with its validation status, for the trace.
 * SECURITY: fail closed — nothing is returned that did not validate; a key that cannot be
 * unwrapped is an error (wrong master key), not "no key".
 */
import type { KeyObject } from 'node:crypto';
import type { PrivateKeyVault } from '../keystore/private-keys.js';
import { domainOf, normalizeAddress } from './names.js';
import type { CertificateRecord, CertificateStore, ChainCertificate, Purpose, RevocationMode, ValidationResult, ValidationStatus } from './types.js';
import type { Validator } from './validate.js';

export interface DomainPkiConfig {
  /** "partner.test", or "*.partner.test" for its subdomains */
  readonly domain: string;
  /** certificate ids (SHA-256 fingerprints) that encrypt every message to the domain */
  readonly encryptTo: readonly string[];
  /** escrow certificate ids added to every encryption for the domain */
  readonly additional: readonly string[];
  /** certificate id (with a private key) that signs for senders of the domain who have none */
  readonly signWith?: string;
}

export interface SelectorOptions {
  readonly revocation: RevocationMode;
  readonly selection: 'newest' | 'all';
  readonly domains: readonly DomainPkiConfig[];
}

export type CertificateRole = 'personal' | 'domain' | 'additional';

export interface SelectedCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly subject: string;
  readonly role: CertificateRole;
  readonly notBefore: number;
  /** end entity first, trust anchor last */
  readonly chain: readonly ChainCertificate[];
  readonly warnings: readonly string[];
}

export interface RejectedCertificate {
  readonly id: string;
  readonly subject: string;
  readonly role: CertificateRole;
  readonly status: Exclude<ValidationStatus, 'valid'> | 'not-found' | 'no-key';
  readonly reason: string;
}

export interface EncryptionSelection {
  readonly certificates: readonly SelectedCertificate[];
  /** a personal or domain certificate was found (escrow alone does not count) */
  readonly canEncrypt: boolean;
  readonly rejected: readonly RejectedCertificate[];
}

export interface SigningSelection {
  readonly signer: (SelectedCertificate & { readonly privateKey: KeyObject }) | null;
  readonly rejected: readonly RejectedCertificate[];
}

/** Exact domain entry first, then the most specific "*." pattern. */
export function domainConfigFor(domains: readonly DomainPkiConfig[], domain: string): DomainPkiConfig | null {
  const d = domain.toLowerCase();
  const exact = domains.find((c) => c.domain === d);
  if (exact) return exact;
  const patterns = domains.filter((c) => c.domain.startsWith('*.') && d.endsWith(c.domain.slice(1))).sort((a, b) => b.domain.length - a.domain.length);
  return patterns[0] ?? null;
}

const VERDICT_TTL_MS = 1000;

export class Selector {
  constructor(
    private readonly deps: { readonly certificates: CertificateStore; readonly validator: Validator; readonly keys: PrivateKeyVault | null },
    private readonly opts: SelectorOptions,
  ) {}

  async encryptionCertificatesFor(address: string, now: number): Promise<EncryptionSelection> {
    const rejected: RejectedCertificate[] = [];
    const addr = normalizeAddress(address);
    if (!addr) return { certificates: [], canEncrypt: false, rejected };
    const personal = await this.#valid(await this.deps.certificates.byEmail(addr), 'personal', 'encrypt', now, addr, rejected);
    const chosen = this.opts.selection === 'all' ? personal : personal.slice(0, 1);
    const domain = domainConfigFor(this.opts.domains, domainOf(addr));
    const domainCerts = domain ? await this.#valid(await this.#byIds(domain.encryptTo, 'domain', rejected), 'domain', 'encrypt', now, undefined, rejected) : [];
    const canEncrypt = chosen.length + domainCerts.length > 0;
    const escrow = canEncrypt && domain ? await this.#valid(await this.#byIds(domain.additional, 'additional', rejected), 'additional', 'encrypt', now, undefined, rejected) : [];
    const seen = new Set<string>();
    const certificates = [...chosen, ...domainCerts, ...escrow].filter((c) => !seen.has(c.id) && seen.add(c.id));
    return { certificates, canEncrypt, rejected };
  }

  async signingKeyFor(address: string, now: number): Promise<SigningSelection> {
    const rejected: RejectedCertificate[] = [];
    const addr = normalizeAddress(address);
    if (!addr || !this.deps.keys) return { signer: null, rejected };
    const withKey = (records: CertificateRecord[], role: CertificateRole) =>
      records.filter((r) => {
        if (!r.hasPrivateKey) rejected.push({ id: r.id, subject: r.subject, role, status: 'no-key', reason: `no private key is held for ${r.subject}` });
        return r.hasPrivateKey;
      });
    const personal = await this.#valid(withKey(await this.deps.certificates.byEmail(addr), 'personal'), 'personal', 'sign', now, addr, rejected);
    let signer = personal[0] ?? null;
    if (!signer) {
      const domain = domainConfigFor(this.opts.domains, domainOf(addr));
      if (domain?.signWith) signer = (await this.#valid(withKey(await this.#byIds([domain.signWith], 'domain', rejected), 'domain'), 'domain', 'sign', now, undefined, rejected))[0] ?? null;
    }
    if (!signer) return { signer: null, rejected };
    const privateKey = await this.deps.keys.get(signer.id);
    if (!privateKey) return { signer: null, rejected: [...rejected, { id: signer.id, subject: signer.subject, role: signer.role, status: 'no-key', reason: 'the private key was removed' }] };
    return { signer: { ...signer, privateKey }, rejected };
  }

  async #byIds(ids: readonly string[], role: CertificateRole, rejected: RejectedCertificate[]): Promise<CertificateRecord[]> {
    const out: CertificateRecord[] = [];
    for (const id of ids) {
      const r = await this.deps.certificates.get(id);
      if (r) out.push(r);
      else rejected.push({ id, subject: '', role, status: 'not-found', reason: `configured certificate ${id} is not in the certificate store (import it with \`sealpost certs import\`)` });
    }
    return out;
  }

  /** The records that validate, newest first; the rest go to `rejected`. */
  /**
   * Path validation reads the stores on every call; a relay under load asks the same question for
   * the same recipient many times a second (select, then protect). A verdict is reused for up to
   * VERDICT_TTL_MS, which keeps DESIGN §3's promise that store changes apply within a second.
   */
  readonly #verdicts = new Map<string, { at: number; result: Promise<ValidationResult> }>();

  #validate(r: CertificateRecord, purpose: Purpose, now: number, address: string | undefined): Promise<ValidationResult> {
    const key = `${r.id}|${purpose}|${address ?? ''}`;
    const hit = this.#verdicts.get(key);
    if (hit && Math.abs(now - hit.at) < VERDICT_TTL_MS) return hit.result;
    if (this.#verdicts.size >= 10_000) this.#verdicts.clear();
    const result = this.deps.validator.validate(r, { now, purpose, revocation: this.opts.revocation, ...(address === undefined ? {} : { address }) });
    this.#verdicts.set(key, { at: now, result });
    result.catch(() => this.#verdicts.delete(key));
    return result;
  }

  async #valid(records: readonly CertificateRecord[], role: CertificateRole, purpose: Purpose, now: number, address: string | undefined, rejected: RejectedCertificate[]): Promise<SelectedCertificate[]> {
    const ok: SelectedCertificate[] = [];
    for (const r of records) {
      const v = await this.#validate(r, purpose, now, address);
      if (v.status === 'valid') ok.push({ id: r.id, der: r.der, subject: r.subject, role, notBefore: r.notBefore, chain: v.chain, warnings: v.warnings });
      else rejected.push({ id: r.id, subject: r.subject, role, status: v.status, reason: v.reason ?? v.status });
    }
    return ok.sort((a, b) => b.notBefore - a.notBefore || a.id.localeCompare(b.id));
  }
}
