/**
 * 0003: a partial index over the active queue, in claim order. Without it a claim sorts every
 * queued/deferred row through the state index; with it a claim reads the first due rows directly,
 * whatever the number of delivered rows kept for `queue show`. Same SQL on SQLite and PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function migration0003(): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`create index queue_items_active_due on queue_items (next_attempt_at, id) where state in ('queued', 'deferred')`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      await sql`drop index queue_items_active_due`.execute(db);
    },
  };
}
