/**
 * pki/types — the store interfaces of the PKI (certificates, trust anchors, CRLs, wrapped private
 * keys) and the value types validation and selection return. Implementations live in db/
 * (one schema on SQLite and PostgreSQL); stages and the CLI see only these interfaces.
 * SECURITY: private keys never appear here in the clear: the key store holds wrapped bytes
 * (keystore/key-wrap.ts) and only keystore/ unwraps them.
 */

/** Where a certificate came from (shown by `certs list`, kept for audits). */
export type CertificateSource = 'import' | 'pkcs12' | 'trust' | 'learnt' | 'ca';

/** What is indexed per certificate; computed by pki/certificate.ts from the DER. */
export interface NewCertificate {
  /** SHA-256 of the DER, lowercase hex */
  readonly id: string;
  readonly der: Buffer;
  readonly subject: string;
  readonly issuer: string;
  /** canonical name keys (pki/names.ts nameKey) */
  readonly subjectKey: string;
  readonly issuerKey: string;
  /** serial number, lowercase hex without leading zero bytes */
  readonly serial: string;
  readonly subjectKeyId: string | null;
  readonly authorityKeyId: string | null;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly isCa: boolean;
  /** lowercased addresses (SAN rfc822Name + subject emailAddress) */
  readonly emails: readonly string[];
  readonly crlUrls: readonly string[];
  readonly source: CertificateSource;
}

export interface CertificateRecord extends NewCertificate {
  readonly hasPrivateKey: boolean;
  readonly addedAt: number;
}

export interface CertificateStore {
  /** Stores a certificate; the same DER again is a no-op (`created: false`, first source kept). */
  add(cert: NewCertificate): Promise<{ record: CertificateRecord; created: boolean }>;
  get(id: string): Promise<CertificateRecord | null>;
  /** every certificate, newest first (by notBefore), at most `limit` */
  list(limit?: number): Promise<CertificateRecord[]>;
  /** certificates naming this address (case-insensitive) */
  byEmail(address: string): Promise<CertificateRecord[]>;
  /** certificates whose subject has this name key: the issuer candidates of a chain */
  bySubject(subjectKey: string): Promise<CertificateRecord[]>;
  /** CMS IssuerAndSerialNumber lookup */
  byIssuerSerial(issuerKey: string, serial: string): Promise<CertificateRecord[]>;
  /** CMS SubjectKeyIdentifier lookup (hex) */
  bySubjectKeyId(keyId: string): Promise<CertificateRecord[]>;
  /** distinct CRL distribution point URIs of all stored certificates */
  crlUrls(): Promise<string[]>;
  /** removes the certificate with its key, anchor mark and address index */
  remove(id: string): Promise<boolean>;
}

/** The trust anchors: certificates the administrator trusts (`certs trust`). */
export interface RootStore {
  /** marks a stored certificate as a trust anchor; false when it already was one */
  add(certificateId: string): Promise<boolean>;
  remove(certificateId: string): Promise<boolean>;
  has(certificateId: string): Promise<boolean>;
  /** ids of all anchors */
  ids(): Promise<Set<string>>;
}

export interface NewCrl {
  /** SHA-256 of the DER */
  readonly id: string;
  readonly der: Buffer;
  readonly issuerKey: string;
  /** '' = complete CRL, else the issuingDistributionPoint URIs (pki/crl.ts) */
  readonly scope: string;
  /** the certificate whose key verified the signature */
  readonly issuerCertificateId: string;
  readonly thisUpdate: number;
  readonly nextUpdate: number | null;
  readonly number: string | null;
  /** URL it was fetched from, null when imported from a file */
  readonly sourceUrl: string | null;
}

export interface CrlRecord extends NewCrl {
  readonly storedAt: number;
}

export interface CrlStore {
  /**
   * Keeps the newest CRL per issuer and scope: stores `crl` unless one with a later (or the same)
   * thisUpdate is already there. Returns whether it was stored.
   */
  put(crl: NewCrl): Promise<boolean>;
  forIssuer(issuerKey: string): Promise<CrlRecord[]>;
  list(): Promise<Omit<CrlRecord, 'der'>[]>;
}

/** A private key wrapped under the master key (keystore/key-wrap.ts format). */
export interface WrappedKeyRecord {
  readonly certificateId: string;
  readonly wrapped: Buffer;
  /** identifies the key-encryption key (not secret), so a wrong master key is named as such */
  readonly kekId: string;
  readonly createdAt: number;
}

export interface PrivateKeyStore {
  /** stores (or replaces) the wrapped key of a stored certificate */
  put(certificateId: string, wrapped: Buffer, kekId: string): Promise<void>;
  get(certificateId: string): Promise<WrappedKeyRecord | null>;
  remove(certificateId: string): Promise<boolean>;
}

/** The four PKI stores, as the composition root hands them out. */
export interface PkiStores {
  readonly certificates: CertificateStore;
  readonly roots: RootStore;
  readonly crls: CrlStore;
  readonly privateKeys: PrivateKeyStore;
}

export type RevocationMode = 'soft' | 'hard';

/** What the end-entity certificate is to be used for. `any`: path validity only (listing). */
export type Purpose = 'encrypt' | 'sign' | 'any';

export type ValidationStatus =
  | 'valid'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'untrusted'
  | 'bad-usage'
  | 'bad-signature'
  | 'name-constraints'
  /** revocation: hard and a needed CRL could not be had (soft turns this into a warning) */
  | 'revocation-unknown';

export interface ChainCertificate {
  readonly id: string;
  readonly der: Buffer;
  readonly subject: string;
}

export interface ValidationResult {
  readonly status: ValidationStatus;
  /** the path checked: end entity first, trust anchor last (just the certificate when no path reached an anchor) */
  readonly chain: readonly ChainCertificate[];
  readonly warnings: readonly string[];
  /** what failed, for people and traces; absent when valid */
  readonly reason?: string;
}
