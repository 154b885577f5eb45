/**
 * pki/ — certificates for S/MIME: import, trust anchors, CRLs, full path validation and the
 * choice of encryption certificates and signing keys (DESIGN §1 revocation rule, §7 fail closed).
 *
 * createPki(stores, settings, wrapper) wires the pieces over the store interfaces (pki/types.ts):
 *   validator  — Validator.validate(cert, { now, purpose, address?, revocation }) → ValidationResult
 *   selector   — encryptionCertificatesFor(address, now), signingKeyFor(address, now)
 *   crls       — importCrl(bytes), refreshAll() (the periodic job), on-demand fetch
 *   importer   — certs import / certs trust
 *   keys       — PrivateKeyVault (null without a master key): get(certId), forRecipient(rid)
 * SECURITY: all certificate and CRL bytes are untrusted input (parsers refuse malformed data as
 * a whole); nothing is used for encryption or signing unless a full path to an administrator-
 * trusted anchor validates; private keys are wrapped at rest (keystore/).
 * STANDARDS: RFC 5280 (paths, CRLs), RFC 8550 (S/MIME certificates), RFC 7468 (PEM labels).
 */
import { PrivateKeyVault } from '../keystore/private-keys.js';
import type { KeyWrapper } from '../keystore/key-wrap.js';
import { HttpCrlFetcher, type CrlFetcher } from './crl-fetch.js';
import { CrlUpdater } from './crl-update.js';
import { CertificateImporter } from './importer.js';
import { StoredCrlRevocation } from './revocation.js';
import { Selector, type DomainPkiConfig } from './select.js';
import type { PkiStores, RevocationMode } from './types.js';
import { Validator } from './validate.js';

export * from './types.js';
export { CertificateParseError, parseCertificate, type ParsedCertificate } from './certificate.js';
export { nameKeyFromDer, normalizeAddress, serialHex } from './names.js';
export { endEntityUsages } from './path-checks.js';
export { CrlImportError, CrlUpdater, type CrlImported, type RefreshSummary } from './crl-update.js';
export { CrlFetchError, HttpCrlFetcher, type CrlFetcher } from './crl-fetch.js';
export { CertificateImporter, type ImportResult } from './importer.js';
export { Selector, domainConfigFor, type DomainPkiConfig, type EncryptionSelection, type SelectedCertificate, type SigningSelection, type RejectedCertificate } from './select.js';
export { Validator, type ValidateOptions } from './validate.js';

/** The `pki` section of the configuration, as this module needs it (times in ms, sizes in bytes). */
export interface PkiSettings {
  readonly revocation: RevocationMode;
  readonly selection: 'newest' | 'all';
  readonly domains: readonly DomainPkiConfig[];
  readonly crlFetch: { readonly timeout: number; readonly maxSize: number; readonly onDemand: boolean; readonly retryAfter: number };
}

export const DEFAULT_PKI_SETTINGS: PkiSettings = {
  revocation: 'soft',
  selection: 'newest',
  domains: [],
  crlFetch: { timeout: 10_000, maxSize: 20 * 1024 * 1024, onDemand: true, retryAfter: 300_000 },
};

export interface Pki {
  readonly stores: PkiStores;
  readonly validator: Validator;
  readonly selector: Selector;
  readonly crls: CrlUpdater;
  readonly importer: CertificateImporter;
  /** null when no master key was given: keys can then be neither stored nor used */
  readonly keys: PrivateKeyVault | null;
  readonly settings: PkiSettings;
}

export interface CreatePkiOptions {
  /** the key wrapper over the master key; null = no private keys (e.g. read-only tools) */
  readonly wrapper: KeyWrapper | null;
  /** CRL transport; default HTTP with settings.crlFetch limits */
  readonly fetcher?: CrlFetcher;
  readonly now?: () => number;
}

export function createPki(stores: PkiStores, settings: PkiSettings, opts: CreatePkiOptions): Pki {
  const fetcher = opts.fetcher ?? new HttpCrlFetcher({ timeoutMs: settings.crlFetch.timeout, maxBytes: settings.crlFetch.maxSize });
  const crls = new CrlUpdater(stores.certificates, stores.crls, { fetcher, retryAfterMs: settings.crlFetch.retryAfter, ...(opts.now ? { now: opts.now } : {}) });
  const revocation = new StoredCrlRevocation(stores.crls, settings.crlFetch.onDemand ? { fetch: crls.fetchFor } : {});
  const validator = new Validator({ certificates: stores.certificates, roots: stores.roots, revocation });
  const keys = opts.wrapper ? new PrivateKeyVault(stores.privateKeys, stores.certificates, opts.wrapper) : null;
  const selector = new Selector({ certificates: stores.certificates, validator, keys }, { revocation: settings.revocation, selection: settings.selection, domains: settings.domains });
  return { stores, validator, selector, crls, importer: new CertificateImporter(stores, keys), keys, settings };
}
