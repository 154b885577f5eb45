/**
 * db/schema — the kysely table types shared by every engine.
 *
 * Column conventions (one schema, two engines):
 * - times are integer milliseconds since the epoch (`bigint` on PostgreSQL, `integer` on SQLite);
 *   node-postgres hands int8 back as a string, so the *read* type of a time column is
 *   `number | string | bigint` and every read goes through `toMillis` (db/values.ts) — the type
 *   system refuses a raw row value where a number is expected;
 * - bytes are BLOB (SQLite) / bytea (PostgreSQL) and read back through `toBytes`;
 * - structured values (envelope, session, trace, pending recipients, delivery record) are JSON
 *   in TEXT columns, validated on read (db/codecs.ts), never trusted as typed.
 * SECURITY: rows hold message bodies; nothing in db/ logs row contents.
 */
import type { ColumnType } from 'kysely';

/** integer milliseconds: written as number, read as whatever the driver returns for int8 */
export type Millis = ColumnType<number | string | bigint, number, number>;
export type NullableMillis = ColumnType<number | string | bigint | null, number | null, number | null>;
/** small counters (attempts): int4 on PostgreSQL, so drivers already return numbers, normalised anyway */
export type Counter = ColumnType<number | string | bigint, number, number>;
export type Bytes = ColumnType<Buffer | Uint8Array, Buffer, Buffer>;

export interface SpoolEntriesTable {
  id: string;
  received_at: Millis;
  /** JSON Envelope */
  envelope: string;
  /** JSON SessionInfo */
  session: string;
  body: Bytes;
  /** JSON array of recipient addresses still waiting for a pipeline decision */
  pending: string;
  /** pipeline runs that ended in a settle */
  attempts: Counter;
  /** times the entry was leased (a crash loop shows as claims growing while attempts do not) */
  claims: Counter;
  next_attempt_at: Millis;
  lease_owner: string | null;
  lease_until: NullableMillis;
  last_error: string | null;
  /** JSON TraceEntry[] */
  trace: string;
  /** JSON ResumePoint: a released quarantine entry continues at this processor (0005); null = from the start */
  resume: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface QueueBodiesTable {
  id: string;
  message_id: string;
  bytes: Bytes;
  created_at: Millis;
}

export interface QueueItemsTable {
  id: string;
  message_id: string;
  body_id: string;
  kind: string;
  sender: string;
  recipient: string;
  direction: string;
  route: string;
  state: string;
  attempts: Counter;
  created_at: Millis;
  next_attempt_at: Millis;
  give_up_at: Millis;
  /** when the item reached a final state (delivered, bounced, expired, deleted); purge keys on it */
  finished_at: NullableMillis;
  last_response: string | null;
  /** JSON DeliveryRecord */
  last_delivery: string | null;
  /** JSON TraceEntry[] */
  trace: string;
  lease_owner: string | null;
  lease_until: NullableMillis;
  /** 'verified' = the body may only travel over a verified TLS session (TLS instead of encryption) */
  require_tls: string | null;
  /** body sent instead when the session is not verified (the encrypted form); null = defer */
  fallback_body_id: string | null;
}

export interface QuarantineTable {
  id: string;
  message_id: string;
  /** JSON array of addresses */
  recipients: string;
  reason: string;
  sender: string;
  bytes: Bytes;
  /** JSON TraceEntry[] */
  trace: string;
  created_at: Millis;
  /** JSON array of the rule names that held it (0005) */
  rules: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON QuarantineRelease: envelope, session, resume point (0005); null = cannot be released */
  release: ColumnType<string | null, string | null | undefined, string | null>;
  /** the message after the policy's edits, released instead of `bytes` when resuming (0005) */
  resume_body: ColumnType<Buffer | Uint8Array | null, Buffer | null | undefined, Buffer | null>;
}

/** small key/value facts about the store itself (schema notes, last open, node registrations later) */
export interface MetaTable {
  key: string;
  value: string;
  updated_at: Millis;
}

/** X.509 certificates (end entities, intermediates, roots); id = SHA-256 of the DER (migration 0002) */
export interface PkiCertificatesTable {
  id: string;
  der: Bytes;
  subject: string;
  issuer: string;
  subject_key: string;
  issuer_key: string;
  serial: string;
  subject_key_id: string | null;
  authority_key_id: string | null;
  not_before: Millis;
  not_after: Millis;
  /** 0/1 */
  is_ca: Counter;
  /** JSON array of lowercased addresses (the lookup index is pki_certificate_emails) */
  emails: string;
  /** JSON array of CRL distribution point URIs */
  crl_urls: string;
  source: string;
  created_at: Millis;
}

export interface PkiCertificateEmailsTable {
  email: string;
  certificate_id: string;
}

export interface PkiTrustAnchorsTable {
  certificate_id: string;
  created_at: Millis;
}

export interface PkiCrlsTable {
  issuer_key: string;
  scope: string;
  id: string;
  der: Bytes;
  issuer_certificate_id: string;
  this_update: Millis;
  next_update: NullableMillis;
  crl_number: string | null;
  source_url: string | null;
  stored_at: Millis;
}

/** private keys wrapped under the master key (keystore/key-wrap.ts); never plaintext */
export interface PkiPrivateKeysTable {
  certificate_id: string;
  wrapped: Bytes;
  kek_id: string;
  created_at: Millis;
}

/** portal (migration 0006, portal/store.ts): accounts of recipients; secrets hashed or wrapped */
export interface PortalAccountsTable {
  address: string;
  password_hash: string | null;
  password_changed_at: NullableMillis;
  totp_secret: ColumnType<Buffer | Uint8Array | null, Buffer | null, Buffer | null>;
  pdf_password: ColumnType<Buffer | Uint8Array | null, Buffer | null, Buffer | null>;
  locale: string | null;
  failed_logins: Counter;
  locked_until: NullableMillis;
  last_login_at: NullableMillis;
  created_at: Millis;
}

export interface PortalPasskeysTable {
  id: string;
  address: string;
  public_key: Bytes;
  counter: Millis;
  /** JSON array */
  transports: string;
  name: string;
  created_at: Millis;
  last_used_at: NullableMillis;
}

export interface PortalMessagesTable {
  id: string;
  spool_id: string;
  recipient: string;
  sender: string;
  from_header: string;
  subject: string;
  original_message_id: string;
  /** JSON arrays of addresses */
  to_addrs: string;
  cc_addrs: string;
  profile: string;
  security: string;
  /** 0/1 */
  allow_reply: Counter;
  allow_reply_all: Counter;
  allow_forward: Counter;
  read_receipts: Counter;
  locale: string;
  branding: string | null;
  created_at: Millis;
  expires_at: NullableMillis;
  read_at: NullableMillis;
  recalled_at: NullableMillis;
  deleted_at: NullableMillis;
  size: Millis;
  /** JSON PortalAttachmentMeta[] */
  attachments: string;
  reminders_sent: Counter;
  last_reminder_at: NullableMillis;
  expired_notice_at: NullableMillis;
}

/** ciphertext only (portal/crypto.ts); the key is in portal_keys */
export interface PortalBodiesTable {
  id: string;
  ciphertext: Bytes;
  created_at: Millis;
}

/** per-message keys wrapped under the master key; apart from the ciphertext on purpose */
export interface PortalKeysTable {
  id: string;
  wrapped: Bytes;
  kek_id: string;
  created_at: Millis;
}

export interface PortalSentTable {
  id: string;
  account: string;
  kind: string;
  in_reply_to: string | null;
  to_addrs: string;
  cc_addrs: string;
  subject: string;
  spool_id: string;
  created_at: Millis;
  size: Millis;
  attachments: string;
}

/** keyed by SHA-256 (hex) of the token handed out */
export interface PortalTokensTable {
  hash: string;
  purpose: string;
  address: string;
  message_id: string | null;
  created_at: Millis;
  expires_at: Millis;
  used_at: NullableMillis;
}

/** keyed by SHA-256 (hex) of the session id in the cookie */
export interface PortalSessionsTable {
  hash: string;
  kind: string;
  address: string;
  auth: string;
  /** JSON object */
  data: string;
  created_at: Millis;
  last_seen_at: Millis;
  expires_at: Millis;
}

/** never bodies, subjects or passwords */
export interface PortalAuditTable {
  id: string;
  at: Millis;
  event: string;
  address: string | null;
  message_id: string | null;
  ip: string | null;
  /** JSON object of small facts */
  detail: string;
}

/** OpenPGP keyring (migration 0004): transferable public keys, binary */
export interface PgpKeysTable {
  fingerprint: string;
  key_id: string;
  /** JSON array of key ids (primary + subkeys); the lookup index is pgp_key_ids */
  key_ids: string;
  public_key: Bytes;
  /** JSON array of user ID strings */
  user_ids: string;
  /** JSON array of lowercased addresses; the lookup index is pgp_key_emails */
  emails: string;
  algorithm: string;
  key_created_at: Millis;
  expires_at: NullableMillis;
  /** 0/1 */
  revoked: Counter;
  source: string;
  trust: string;
  added_at: Millis;
  updated_at: Millis;
}

export interface PgpKeyEmailsTable {
  email: string;
  fingerprint: string;
}

export interface PgpKeyIdsTable {
  key_id: string;
  fingerprint: string;
}

/** OpenPGP secret keys wrapped under the master key; never plaintext */
export interface PgpSecretKeysTable {
  fingerprint: string;
  wrapped: Bytes;
  kek_id: string;
  created_at: Millis;
}

/** one row per key-discovery lookup (audit) */
export interface PgpLookupsTable {
  id: string;
  address: string;
  method: string;
  url: string;
  outcome: string;
  /** JSON array */
  fingerprints: string;
  detail: string;
  at: Millis;
}

export interface PgpLookupCacheTable {
  address: string;
  outcome: string;
  fingerprints: string;
  fetched_at: Millis;
  expires_at: Millis;
}

export interface Schema {
  pki_certificates: PkiCertificatesTable;
  pki_certificate_emails: PkiCertificateEmailsTable;
  pki_trust_anchors: PkiTrustAnchorsTable;
  pki_crls: PkiCrlsTable;
  pki_private_keys: PkiPrivateKeysTable;
  pgp_keys: PgpKeysTable;
  pgp_key_emails: PgpKeyEmailsTable;
  pgp_key_ids: PgpKeyIdsTable;
  pgp_secret_keys: PgpSecretKeysTable;
  pgp_lookups: PgpLookupsTable;
  pgp_lookup_cache: PgpLookupCacheTable;
  spool_entries: SpoolEntriesTable;
  queue_bodies: QueueBodiesTable;
  queue_items: QueueItemsTable;
  quarantine: QuarantineTable;
  meta: MetaTable;
  portal_accounts: PortalAccountsTable;
  portal_passkeys: PortalPasskeysTable;
  portal_messages: PortalMessagesTable;
  portal_bodies: PortalBodiesTable;
  portal_keys: PortalKeysTable;
  portal_sent: PortalSentTable;
  portal_tokens: PortalTokensTable;
  portal_sessions: PortalSessionsTable;
  portal_audit: PortalAuditTable;
}
