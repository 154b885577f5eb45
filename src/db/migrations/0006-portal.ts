/**
 * Migration 0006 — the recipients' portal (portal/store.ts).
 *
 * - portal_bodies holds only AES-256-GCM ciphertext; portal_keys holds the per-message keys
 *   wrapped under the master key. They are separate tables on purpose (the key-server model:
 *   a dump of the ciphertext alone is useless; deleting a key row shreds the message). Both are
 *   keyed by the id of the portal message or sent item they belong to; no foreign keys, because
 *   the store deletes them explicitly in the same transaction as the state change.
 * - (spool_id, recipient) is unique in portal_messages: a pipeline replay deposits once.
 * - Tokens and sessions are keyed by the SHA-256 of the random value (never the value itself).
 * - Booleans are int32 0/1, JSON arrays/objects are text, times are int64 milliseconds.
 * Never edit once released: add a later migration instead.
 */
import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.js';

export function migration0006(engine: Engine): Migration {
  const { int64, int32, bytes, text } = engine.types;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await engine
        .finishTable(
          db.schema
            .createTable('portal_accounts')
            .addColumn('address', text, (c) => c.primaryKey())
            .addColumn('password_hash', text)
            .addColumn('password_changed_at', int64)
            .addColumn('totp_secret', bytes)
            .addColumn('pdf_password', bytes)
            .addColumn('locale', text)
            .addColumn('failed_logins', int32, (c) => c.notNull())
            .addColumn('locked_until', int64)
            .addColumn('last_login_at', int64)
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_passkeys')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('address', text, (c) => c.notNull().references('portal_accounts.address').onDelete('cascade'))
            .addColumn('public_key', bytes, (c) => c.notNull())
            .addColumn('counter', int64, (c) => c.notNull())
            .addColumn('transports', text, (c) => c.notNull())
            .addColumn('name', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('last_used_at', int64),
        )
        .execute();
      await db.schema.createIndex('portal_passkeys_address').on('portal_passkeys').columns(['address']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_messages')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('spool_id', text, (c) => c.notNull())
            .addColumn('recipient', text, (c) => c.notNull())
            .addColumn('sender', text, (c) => c.notNull())
            .addColumn('from_header', text, (c) => c.notNull())
            .addColumn('subject', text, (c) => c.notNull())
            .addColumn('original_message_id', text, (c) => c.notNull())
            .addColumn('to_addrs', text, (c) => c.notNull())
            .addColumn('cc_addrs', text, (c) => c.notNull())
            .addColumn('profile', text, (c) => c.notNull())
            .addColumn('security', text, (c) => c.notNull())
            .addColumn('allow_reply', int32, (c) => c.notNull())
            .addColumn('allow_reply_all', int32, (c) => c.notNull())
            .addColumn('allow_forward', int32, (c) => c.notNull())
            .addColumn('read_receipts', int32, (c) => c.notNull())
            .addColumn('locale', text, (c) => c.notNull())
            .addColumn('branding', text)
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('expires_at', int64)
            .addColumn('read_at', int64)
            .addColumn('recalled_at', int64)
            .addColumn('deleted_at', int64)
            .addColumn('size', int64, (c) => c.notNull())
            .addColumn('attachments', text, (c) => c.notNull())
            .addColumn('reminders_sent', int32, (c) => c.notNull())
            .addColumn('last_reminder_at', int64)
            .addColumn('expired_notice_at', int64)
            .addUniqueConstraint('portal_messages_spool_recipient', ['spool_id', 'recipient']),
        )
        .execute();
      await db.schema.createIndex('portal_messages_recipient').on('portal_messages').columns(['recipient', 'created_at']).execute();
      await db.schema.createIndex('portal_messages_sender').on('portal_messages').columns(['sender', 'created_at']).execute();
      await db.schema.createIndex('portal_messages_expires').on('portal_messages').columns(['expires_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_bodies')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('ciphertext', bytes, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();
      await engine
        .finishTable(
          db.schema
            .createTable('portal_keys')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('wrapped', bytes, (c) => c.notNull())
            .addColumn('kek_id', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_sent')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('account', text, (c) => c.notNull())
            .addColumn('kind', text, (c) => c.notNull())
            .addColumn('in_reply_to', text)
            .addColumn('to_addrs', text, (c) => c.notNull())
            .addColumn('cc_addrs', text, (c) => c.notNull())
            .addColumn('subject', text, (c) => c.notNull())
            .addColumn('spool_id', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('size', int64, (c) => c.notNull())
            .addColumn('attachments', text, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('portal_sent_account').on('portal_sent').columns(['account', 'created_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_tokens')
            .addColumn('hash', text, (c) => c.primaryKey())
            .addColumn('purpose', text, (c) => c.notNull())
            .addColumn('address', text, (c) => c.notNull())
            .addColumn('message_id', text)
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('expires_at', int64, (c) => c.notNull())
            .addColumn('used_at', int64),
        )
        .execute();
      await db.schema.createIndex('portal_tokens_expires').on('portal_tokens').columns(['expires_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_sessions')
            .addColumn('hash', text, (c) => c.primaryKey())
            .addColumn('kind', text, (c) => c.notNull())
            .addColumn('address', text, (c) => c.notNull())
            .addColumn('auth', text, (c) => c.notNull())
            .addColumn('data', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('last_seen_at', int64, (c) => c.notNull())
            .addColumn('expires_at', int64, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('portal_sessions_address').on('portal_sessions').columns(['address']).execute();
      await db.schema.createIndex('portal_sessions_expires').on('portal_sessions').columns(['expires_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('portal_audit')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('at', int64, (c) => c.notNull())
            .addColumn('event', text, (c) => c.notNull())
            .addColumn('address', text)
            .addColumn('message_id', text)
            .addColumn('ip', text)
            .addColumn('detail', text, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('portal_audit_at').on('portal_audit').columns(['at']).execute();
      await db.schema.createIndex('portal_audit_address').on('portal_audit').columns(['address', 'at']).execute();
      await db.schema.createIndex('portal_audit_message').on('portal_audit').columns(['message_id']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['portal_audit', 'portal_sessions', 'portal_tokens', 'portal_sent', 'portal_keys', 'portal_bodies', 'portal_messages', 'portal_passkeys', 'portal_accounts']) await db.schema.dropTable(t).execute();
    },
  };
}
