/**
 * pgp/types — the OpenPGP keyring's store interfaces and records. Implementations live in db/
 * (pgp-key-store.ts, one schema on SQLite and PostgreSQL); stages and the CLI see only these.
 * SECURITY: secret keys appear here only wrapped under the master key (keystore/key-wrap.ts).
 */

/** How a key reached the keyring. */
export type PgpKeySource = 'import' | 'generate' | 'wkd' | 'hkp' | 'autocrypt';

/**
 * trusted: an administrator imported or generated it — usable for encryption;
 * learnt: found by discovery or Autocrypt — usable only where config allows learnt keys;
 * pending: a looked-up key that differs from a pinned one — never used until an administrator
 * imports it (`pgp import`) or trusts it (`pgp trust`).
 */
export type PgpTrust = 'trusted' | 'learnt' | 'pending';

export interface NewPgpKey {
  /** primary key fingerprint, lowercase hex (40 digits for v4) */
  readonly fingerprint: string;
  /** primary key id (16 hex) */
  readonly keyId: string;
  /** key ids of the primary key and every subkey */
  readonly keyIds: readonly string[];
  /** the transferable public key, binary */
  readonly publicKey: Buffer;
  readonly userIds: readonly string[];
  /** lowercased addresses of valid user IDs */
  readonly emails: readonly string[];
  readonly algorithm: string;
  readonly keyCreatedAt: number;
  readonly expiresAt: number | null;
  readonly revoked: boolean;
  readonly source: PgpKeySource;
  readonly trust: PgpTrust;
}

export interface PgpKeyRecord extends NewPgpKey {
  readonly hasSecret: boolean;
  readonly addedAt: number;
  readonly updatedAt: number;
}

export interface PgpKeyStore {
  /** Stores a key, or replaces the stored one of the same fingerprint (new material, fields, trust). */
  upsert(key: NewPgpKey): Promise<{ record: PgpKeyRecord; created: boolean }>;
  get(fingerprint: string): Promise<PgpKeyRecord | null>;
  /** every key, newest first (by key creation), at most `limit` */
  list(limit?: number): Promise<PgpKeyRecord[]>;
  /** keys with a user ID of this address (case-insensitive) */
  byEmail(address: string): Promise<PgpKeyRecord[]>;
  /** keys whose primary key or a subkey has this key id (16 hex) */
  byKeyId(keyId: string): Promise<PgpKeyRecord[]>;
  setTrust(fingerprint: string, trust: PgpTrust): Promise<boolean>;
  /** removes the key with its secret key and indexes */
  remove(fingerprint: string): Promise<boolean>;
  /** stores (or replaces) the wrapped secret key of a stored key */
  putSecret(fingerprint: string, wrapped: Buffer, kekId: string): Promise<void>;
  getSecret(fingerprint: string): Promise<{ readonly wrapped: Buffer; readonly kekId: string } | null>;
}

export type LookupMethod = 'wkd-advanced' | 'wkd-direct' | 'hkp' | 'autocrypt';
export type LookupOutcome = 'found' | 'not-found' | 'error' | 'changed' | 'cached';

export interface NewLookupAudit {
  readonly address: string;
  readonly method: LookupMethod;
  /** URL asked (no credentials), or the message id for autocrypt */
  readonly url: string;
  readonly outcome: LookupOutcome;
  readonly fingerprints: readonly string[];
  readonly detail: string;
}

export interface LookupAudit extends NewLookupAudit {
  readonly id: string;
  readonly at: number;
}

export interface LookupCacheEntry {
  readonly address: string;
  readonly outcome: 'found' | 'not-found' | 'error';
  readonly fingerprints: readonly string[];
  readonly fetchedAt: number;
  readonly expiresAt: number;
}

export interface PgpLookupStore {
  audit(entry: NewLookupAudit): Promise<void>;
  /** newest first; one address or all */
  audits(address?: string, limit?: number): Promise<LookupAudit[]>;
  cacheGet(address: string): Promise<LookupCacheEntry | null>;
  cachePut(entry: LookupCacheEntry): Promise<void>;
}

export interface PgpStores {
  readonly keys: PgpKeyStore;
  readonly lookups: PgpLookupStore;
}
