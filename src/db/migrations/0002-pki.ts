/**
 * Migration 0002 — the PKI stores: certificates (+ an address index), trust anchors, CRLs and
 * wrapped private keys.
 *
 * - pki_certificates.id is the SHA-256 of the DER (hex): importing a certificate twice, from
 *   PEM or PKCS#12, yields one row; every node of a cluster computes the same id.
 * - Lookups the chain builder and CMS need are indexed: subject name key (issuer candidates),
 *   issuer name key + serial (IssuerAndSerialNumber), subject key identifier, address.
 * - Anchors, address rows and wrapped keys hang off a certificate with ON DELETE CASCADE, so
 *   removing a certificate removes its key too.
 * - One CRL per (issuer name key, scope) — the newest; the upsert keeps it (db/pki-crl-store.ts).
 * Never edit once released: add 0003-… instead.
 */
import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.js';

export function migration0002(engine: Engine): Migration {
  const { int64, int32, bytes, text } = engine.types;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await engine
        .finishTable(
          db.schema
            .createTable('pki_certificates')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('der', bytes, (c) => c.notNull())
            .addColumn('subject', text, (c) => c.notNull())
            .addColumn('issuer', text, (c) => c.notNull())
            .addColumn('subject_key', text, (c) => c.notNull())
            .addColumn('issuer_key', text, (c) => c.notNull())
            .addColumn('serial', text, (c) => c.notNull())
            .addColumn('subject_key_id', text)
            .addColumn('authority_key_id', text)
            .addColumn('not_before', int64, (c) => c.notNull())
            .addColumn('not_after', int64, (c) => c.notNull())
            .addColumn('is_ca', int32, (c) => c.notNull())
            .addColumn('emails', text, (c) => c.notNull())
            .addColumn('crl_urls', text, (c) => c.notNull())
            .addColumn('source', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('pki_certificates_subject').on('pki_certificates').columns(['subject_key']).execute();
      await db.schema.createIndex('pki_certificates_issuer_serial').on('pki_certificates').columns(['issuer_key', 'serial']).execute();
      await db.schema.createIndex('pki_certificates_ski').on('pki_certificates').columns(['subject_key_id']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('pki_certificate_emails')
            .addColumn('email', text, (c) => c.notNull())
            .addColumn('certificate_id', text, (c) => c.notNull().references('pki_certificates.id').onDelete('cascade'))
            .addPrimaryKeyConstraint('pki_certificate_emails_pk', ['email', 'certificate_id']),
        )
        .execute();
      // the cascade on certificate delete looks rows up by certificate
      await db.schema.createIndex('pki_certificate_emails_certificate').on('pki_certificate_emails').columns(['certificate_id']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('pki_trust_anchors')
            .addColumn('certificate_id', text, (c) => c.primaryKey().references('pki_certificates.id').onDelete('cascade'))
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();

      await engine
        .finishTable(
          db.schema
            .createTable('pki_crls')
            .addColumn('issuer_key', text, (c) => c.notNull())
            .addColumn('scope', text, (c) => c.notNull())
            .addColumn('id', text, (c) => c.notNull())
            .addColumn('der', bytes, (c) => c.notNull())
            .addColumn('issuer_certificate_id', text, (c) => c.notNull())
            .addColumn('this_update', int64, (c) => c.notNull())
            .addColumn('next_update', int64)
            .addColumn('crl_number', text)
            .addColumn('source_url', text)
            .addColumn('stored_at', int64, (c) => c.notNull())
            .addPrimaryKeyConstraint('pki_crls_pk', ['issuer_key', 'scope']),
        )
        .execute();

      await engine
        .finishTable(
          db.schema
            .createTable('pki_private_keys')
            .addColumn('certificate_id', text, (c) => c.primaryKey().references('pki_certificates.id').onDelete('cascade'))
            .addColumn('wrapped', bytes, (c) => c.notNull())
            .addColumn('kek_id', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['pki_private_keys', 'pki_crls', 'pki_trust_anchors', 'pki_certificate_emails', 'pki_certificates']) await db.schema.dropTable(t).execute();
    },
  };
}
