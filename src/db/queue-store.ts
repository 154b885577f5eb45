/**
 * db/queue-store — QueueStore on kysely: per-recipient items, shared bodies, leased claims.
 *
 * claimDue leases due items atomically (the candidate SELECT gets the engine's row lock: none on
 * SQLite under BEGIN IMMEDIATE, FOR UPDATE SKIP LOCKED on PostgreSQL). A crashed worker's items
 * become claimable again when lease_until passes. recordResults writes a batch of attempt results
 * and the items they generated (DSNs, notices) in one transaction, so a bounce is never recorded
 * without its DSN. Every result counts one attempt.
 * Results are applied only to items still active (queued/deferred): an operator's delete wins
 * over a late deferral, but "delivered" is recorded even on a deleted item — it is what happened.
 * A worker that lost its lease may still record a result (at-least-once delivery); its lease
 * columns are simply cleared.
 * SECURITY: bodies are opaque bytes; errors carry ids, never content.
 */
import { sql, type Transaction } from 'kysely';
import { GroupCommit } from './group-commit.js';
import type { Schema } from './schema.js';
import { SealpostError, isSealpostError } from '../errors/index.js';
import { ACTIVE_QUEUE_STATES, type DeliveryResult, type NewQueueBody, type NewQueueItem, type QueueItem, type QueueListFilter, type QueueState, type QueueStore } from '../queue/types.js';
import { bodyFromRow, queueItemFromRow } from './codecs.js';
import { insertQueueRows } from './inserts.js';
import { CORRUPT_LEASE_OWNER, claimable, effectiveDue, reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { writeMillis } from './values.js';

const FINAL_STATES: readonly QueueState[] = ['delivered', 'bounced', 'expired', 'deleted'];
const active = [...ACTIVE_QUEUE_STATES];
// Written as literals, not bound parameters: only then can SQLite use the partial index
// queue_items_active_due (migration 0003), which keeps a claim's cost independent of history.
const ACTIVE_LITERAL = sql<boolean>`state in ('queued', 'deferred')`;

type Generated = { readonly bodies: readonly NewQueueBody[]; readonly items: readonly NewQueueItem[] };

export class SqlQueueStore implements QueueStore {
  /**
   * Delivery results of concurrent transactions share one commit (as accepts and settles do):
   * one transaction per delivered message was the largest SQLite cost per message in the bench.
   * A failing batch is retried call by call, so one bad result cannot fail its neighbours.
   */
  private readonly records: GroupCommit<{ results: readonly DeliveryResult[]; generated: Generated }, undefined>;

  constructor(private readonly ctx: StoreContext) {
    this.records = new GroupCommit(
      (calls) =>
        ctx.db.kysely.transaction().execute(async (trx) => {
          for (const c of calls) await this.recordIn(trx, c.results, c.generated);
          return calls.map(() => undefined);
        }),
      (c, cause) => writeFailed('SP_ERR_STORE_WRITE_FAILED', ctx.db, cause, { queueId: c.results[0]?.id, results: c.results.length }),
      { maxBatch: 64, isolateFailures: true },
    );
  }

  async claimDue(owner: string, limit: number, leaseMs: number, now: number): Promise<QueueItem[]> {
    if (limit <= 0) return [];
    const { db } = this.ctx;
    const until = writeMillis(now + leaseMs, 'lease end');
    try {
      // one UPDATE … RETURNING: atomic by itself, write lock held only inside that call
      const rows = await db.kysely
        .updateTable('queue_items')
        .set({ lease_owner: owner, lease_until: until })
        .where((eb) =>
          db.engine.idAmong(
            db.engine.lockForClaim(
              eb.selectFrom('queue_items').select('id').where(ACTIVE_LITERAL).where((w) => claimable(w, now)).orderBy('next_attempt_at').orderBy('id').limit(Math.floor(limit)),
            ),
          ),
        )
        // re-checked on the outer row (PostgreSQL re-evaluates it after a lock wait)
        .where('state', 'in', active)
        .where((eb) => claimable(eb, now))
        .returningAll()
        .execute();
      const items: QueueItem[] = [];
      for (const row of rows) {
        try {
          items.push(queueItemFromRow(row));
        } catch (err) {
          if (!isSealpostError(err)) throw err;
          // set aside rather than fail every claim (and every other item) until it is repaired
          await db.kysely.updateTable('queue_items').set({ lease_owner: CORRUPT_LEASE_OWNER, lease_until: now + this.ctx.corruptParkMs }).where('id', '=', String(row.id)).execute();
          this.ctx.onCorruptRow(err);
        }
      }
      return items.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'queue-claim' });
    }
  }

  getBody(bodyId: string): Promise<Buffer | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('queue_bodies').select(['id', 'bytes']).where('id', '=', bodyId).executeTakeFirst();
      return row ? bodyFromRow('queue_bodies', bodyId, row.bytes) : null;
    });
  }

  async recordResults(results: readonly DeliveryResult[], generated: Generated): Promise<void> {
    if (results.length === 0 && generated.bodies.length === 0 && generated.items.length === 0) return;
    await this.records.submit({ results, generated });
  }

  /** Waits for result batches in flight, then refuses new ones. */
  async close(): Promise<void> {
    await this.records.close(() => new SealpostError('SP_ERR_STORE_UNAVAILABLE', 'the store is closed', { path: this.ctx.db.location }));
  }

  /** One call's results inside the shared transaction of a group commit. */
  private async recordIn(trx: Transaction<Schema>, results: readonly DeliveryResult[], generated: Generated): Promise<void> {
    const now = this.ctx.now();
    for (const r of results) {
      const delivery = r.delivery === null ? {} : { last_delivery: JSON.stringify(r.delivery) };
      const base = trx.updateTable('queue_items').where('id', '=', r.id);
      let q;
      if (r.state === 'delivered') {
        q = base
          .set((eb) => ({ state: 'delivered', attempts: eb('attempts', '+', 1).$castTo<number>(), last_response: r.delivery.response, ...delivery, finished_at: writeMillis(r.delivery.at, 'delivery.at'), lease_owner: null, lease_until: null }))
          .where('state', 'in', [...active, 'deleted']);
      } else if (r.state === 'deferred') {
        q = base
          .set((eb) => ({ state: 'deferred', attempts: eb('attempts', '+', 1).$castTo<number>(), next_attempt_at: writeMillis(r.nextAttemptAt, 'nextAttemptAt'), last_response: r.response, ...delivery, lease_owner: null, lease_until: null }))
          .where('state', 'in', active);
      } else {
        const at = r.delivery ? writeMillis(r.delivery.at, 'delivery.at') : now;
        q = base
          .set((eb) => ({ state: r.state, attempts: eb('attempts', '+', 1).$castTo<number>(), last_response: r.response, ...delivery, finished_at: at, lease_owner: null, lease_until: null }))
          .where('state', 'in', active);
      }
      if (rowsAffected(await q.executeTakeFirst()) === 0) {
        // already final (deleted by an operator): keep its state, just drop the lease
        await trx.updateTable('queue_items').set({ lease_owner: null, lease_until: null }).where('id', '=', r.id).execute();
      }
    }
    await insertQueueRows(trx, generated.bodies, generated.items, now);
  }

  get(id: string): Promise<QueueItem | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('queue_items').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? queueItemFromRow(row) : null;
    });
  }

  list(filter: QueueListFilter = {}): Promise<QueueItem[]> {
    return reading(this.ctx.db, async () => {
      let q = this.ctx.db.kysely.selectFrom('queue_items').selectAll();
      if (filter.states) {
        if (filter.states.length === 0) return [];
        q = q.where('state', 'in', [...filter.states]);
      }
      if (filter.messageId !== undefined) q = q.where('message_id', '=', filter.messageId);
      const rows = await q.orderBy('created_at').orderBy('id').limit(Math.max(0, Math.floor(filter.limit ?? 100))).execute();
      const out: QueueItem[] = [];
      for (const row of rows) {
        try {
          out.push(queueItemFromRow(row));
        } catch (err) {
          if (!isSealpostError(err)) throw err;
          this.ctx.onCorruptRow(err); // listed rows stay visible even when one is damaged
        }
      }
      return out;
    });
  }

  async retry(id: string, now: number): Promise<boolean> {
    return this.update(id, () => this.ctx.db.kysely.updateTable('queue_items').set({ next_attempt_at: writeMillis(now, 'now') }).where('id', '=', id).where('state', 'in', active).executeTakeFirst());
  }

  async delete(id: string): Promise<boolean> {
    const now = this.ctx.now();
    return this.update(id, () => this.ctx.db.kysely.updateTable('queue_items').set({ state: 'deleted', finished_at: now }).where('id', '=', id).where('state', 'in', active).executeTakeFirst());
  }

  private async update(id: string, run: () => Promise<{ numUpdatedRows: bigint }>): Promise<boolean> {
    try {
      return rowsAffected(await run()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { queueId: id });
    }
  }

  nextDueAt(): Promise<number | null> {
    return reading(this.ctx.db, async () => {
      const r = await this.ctx.db.kysely.selectFrom('queue_items').select(effectiveDue.as('due')).where('state', 'in', active).executeTakeFirst();
      return r?.due === null || r?.due === undefined ? null : Number(r.due);
    });
  }

  async releaseLeases(owner: string): Promise<number> {
    const { db } = this.ctx;
    try {
      return rowsAffected(await db.kysely.updateTable('queue_items').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst());
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'queue-release-leases' });
    }
  }

  async purge(before: number): Promise<number> {
    const { db } = this.ctx;
    const cutoff = writeMillis(before, 'before');
    try {
      return await db.kysely.transaction().execute(async (trx) => {
        const items = await trx
          .deleteFrom('queue_items')
          .where('state', 'in', [...FINAL_STATES])
          .where(sql<number>`coalesce(finished_at, created_at)`, '<', cutoff)
          .executeTakeFirst();
        // bodies nobody references any more; the age guard keeps a body whose items are being
        // inserted by a concurrent transaction (PostgreSQL) out of reach
        await trx
          .deleteFrom('queue_bodies')
          .where('created_at', '<', cutoff)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('queue_items').select('queue_items.id').whereRef('queue_items.body_id', '=', 'queue_bodies.id'))))
          .where((eb) => eb.not(eb.exists(eb.selectFrom('queue_items').select('queue_items.id').whereRef('queue_items.fallback_body_id', '=', 'queue_bodies.id'))))
          .execute();
        return rowsAffected(items);
      });
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'queue-purge' });
    }
  }
}
