/**
 * 0007: TLS instead of encryption (profile `tlsInsteadOfEncryption`). A queue item may demand a
 * verified TLS session for its body (`require_tls = 'verified'`) and carry a second, encrypted
 * body to send when the session is not verified (`fallback_body_id`; null = no fallback, so an
 * unverified session defers). Bodies referenced only as a fallback must survive the purge.
 */
import type { Kysely, Migration } from 'kysely';

export function migration0007(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('queue_items').addColumn('require_tls', 'text').execute();
      await db.schema.alterTable('queue_items').addColumn('fallback_body_id', 'text').execute();
      await db.schema.createIndex('queue_items_fallback_body').on('queue_items').column('fallback_body_id').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('queue_items_fallback_body').execute();
      await db.schema.alterTable('queue_items').dropColumn('fallback_body_id').execute();
      await db.schema.alterTable('queue_items').dropColumn('require_tls').execute();
    },
  };
}
