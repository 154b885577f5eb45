/**
 * Migration 0004 — the OpenPGP keyring: public keys (+ address and key-id indexes), wrapped
 * secret keys, the key-discovery cache and its audit log.
 *
 * - pgp_keys.fingerprint (lowercase hex) is the key's identity; re-importing the same key
 *   replaces its material (new self-signatures, revocations) in place.
 * - Index rows and wrapped secret keys hang off the key with ON DELETE CASCADE.
 * - pgp_lookups is append-only (one row per WKD/HKP/Autocrypt lookup); pgp_lookup_cache holds
 *   the latest result per address until it expires (pgp.discovery.ttl).
 * Never edit once released: add 0005-… instead.
 */
import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.js';

export function migration0004(engine: Engine): Migration {
  const { int64, int32, bytes, text } = engine.types;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_keys')
            .addColumn('fingerprint', text, (c) => c.primaryKey())
            .addColumn('key_id', text, (c) => c.notNull())
            .addColumn('key_ids', text, (c) => c.notNull())
            .addColumn('public_key', bytes, (c) => c.notNull())
            .addColumn('user_ids', text, (c) => c.notNull())
            .addColumn('emails', text, (c) => c.notNull())
            .addColumn('algorithm', text, (c) => c.notNull())
            .addColumn('key_created_at', int64, (c) => c.notNull())
            .addColumn('expires_at', int64)
            .addColumn('revoked', int32, (c) => c.notNull())
            .addColumn('source', text, (c) => c.notNull())
            .addColumn('trust', text, (c) => c.notNull())
            .addColumn('added_at', int64, (c) => c.notNull())
            .addColumn('updated_at', int64, (c) => c.notNull()),
        )
        .execute();
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_key_emails')
            .addColumn('email', text, (c) => c.notNull())
            .addColumn('fingerprint', text, (c) => c.notNull().references('pgp_keys.fingerprint').onDelete('cascade'))
            .addPrimaryKeyConstraint('pgp_key_emails_pk', ['email', 'fingerprint']),
        )
        .execute();
      await db.schema.createIndex('pgp_key_emails_fingerprint').on('pgp_key_emails').columns(['fingerprint']).execute();
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_key_ids')
            .addColumn('key_id', text, (c) => c.notNull())
            .addColumn('fingerprint', text, (c) => c.notNull().references('pgp_keys.fingerprint').onDelete('cascade'))
            .addPrimaryKeyConstraint('pgp_key_ids_pk', ['key_id', 'fingerprint']),
        )
        .execute();
      await db.schema.createIndex('pgp_key_ids_fingerprint').on('pgp_key_ids').columns(['fingerprint']).execute();
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_secret_keys')
            .addColumn('fingerprint', text, (c) => c.primaryKey().references('pgp_keys.fingerprint').onDelete('cascade'))
            .addColumn('wrapped', bytes, (c) => c.notNull())
            .addColumn('kek_id', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_lookups')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('address', text, (c) => c.notNull())
            .addColumn('method', text, (c) => c.notNull())
            .addColumn('url', text, (c) => c.notNull())
            .addColumn('outcome', text, (c) => c.notNull())
            .addColumn('fingerprints', text, (c) => c.notNull())
            .addColumn('detail', text, (c) => c.notNull())
            .addColumn('at', int64, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('pgp_lookups_address_at').on('pgp_lookups').columns(['address', 'at']).execute();
      await engine
        .finishTable(
          db.schema
            .createTable('pgp_lookup_cache')
            .addColumn('address', text, (c) => c.primaryKey())
            .addColumn('outcome', text, (c) => c.notNull())
            .addColumn('fingerprints', text, (c) => c.notNull())
            .addColumn('fetched_at', int64, (c) => c.notNull())
            .addColumn('expires_at', int64, (c) => c.notNull()),
        )
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['pgp_lookup_cache', 'pgp_lookups', 'pgp_secret_keys', 'pgp_key_ids', 'pgp_key_emails', 'pgp_keys']) await db.schema.dropTable(t).execute();
    },
  };
}
