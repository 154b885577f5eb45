/**
 * db/inserts — inserts shared by settle (spool) and recordResults (queue).
 *
 * Every row is keyed by the id its producer chose and inserted with ON CONFLICT DO NOTHING
 * (portable: SQLite ≥ 3.24 and PostgreSQL spell it the same): applying the same commit twice is
 * a no-op instead of a second delivery or a constraint error that would fail a whole batch.
 * SECURITY: bodies are stored as given; nothing is logged.
 */
import type { Transaction } from 'kysely';
import type { NewQueueBody, NewQueueItem } from '../queue/types.js';
import type { NewQuarantineEntry } from '../spool/types.js';
import type { Schema } from './schema.js';
import { writeMillis } from './values.js';

type Trx = Transaction<Schema>;

/** Queue rows are keyed by the producer's ids: inserting the same commit twice is a no-op. */
export async function insertQueueRows(trx: Trx, bodies: readonly NewQueueBody[], items: readonly NewQueueItem[], now: number): Promise<void> {
  for (const b of bodies) {
    await trx.insertInto('queue_bodies').values({ id: b.id, message_id: b.messageId, bytes: b.bytes, created_at: now }).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
  for (const i of items) {
    await trx
      .insertInto('queue_items')
      .values({
        id: i.id,
        message_id: i.messageId,
        body_id: i.bodyId,
        kind: i.kind,
        sender: i.sender,
        recipient: i.recipient,
        direction: i.direction,
        route: i.route,
        state: 'queued',
        attempts: 0,
        created_at: writeMillis(i.createdAt, 'createdAt'),
        next_attempt_at: writeMillis(i.nextAttemptAt, 'nextAttemptAt'),
        give_up_at: writeMillis(i.giveUpAt, 'giveUpAt'),
        finished_at: null,
        last_response: null,
        last_delivery: null,
        trace: JSON.stringify(i.trace),
        lease_owner: null,
        lease_until: null,
        require_tls: i.tlsInstead ? 'verified' : null,
        fallback_body_id: i.tlsInstead?.fallbackBodyId ?? null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

export async function insertQuarantine(trx: Trx, entries: readonly NewQuarantineEntry[]): Promise<void> {
  for (const q of entries) {
    await trx
      .insertInto('quarantine')
      .values({
        id: q.id,
        message_id: q.messageId,
        recipients: JSON.stringify(q.recipients),
        reason: q.reason,
        sender: q.sender,
        bytes: q.bytes,
        trace: JSON.stringify(q.trace),
        created_at: writeMillis(q.createdAt, 'createdAt'),
        rules: JSON.stringify(q.rules ?? []),
        release: q.release ? JSON.stringify(q.release) : null,
        resume_body: q.resumeBody ?? null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
