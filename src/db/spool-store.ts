/**
 * db/spool-store — SpoolStore on kysely: group-committed accepts, leased claims, atomic settles.
 *
 * accept: many concurrent callers share one transaction (db/group-commit.ts); a caller's promise
 * resolves only after the commit that holds its row returned, so receive/ may answer 250.
 * settle: the pipeline's whole result for a message (queue bodies + items, quarantine entries,
 * the recipients it settled, a deferral) is one transaction; concurrent settles are batched too.
 * Fencing: a commit carrying `owner` applies only while that owner holds the lease, and every
 * write to the entry is compare-and-set on the pending list it was computed from, so a worker
 * that lost its lease (or a commit applied twice) cannot queue a message a second time; queue
 * and quarantine rows are additionally inserted with ON CONFLICT DO NOTHING on their ids.
 * A replay after a crash (a new run, new item ids) may still queue twice: at-least-once.
 * SECURITY: bodies are untrusted bytes stored as is; errors carry message ids, never content.
 * STANDARDS: none on the wire; durability per DESIGN §6 (250 only after commit).
 */
import type { ExpressionBuilder, Insertable, Transaction } from 'kysely';
import { SealpostError, isSealpostError } from '../errors/index.js';
import type { PipelineCommit, ReceivedMessage, SettleResult, SpoolEntry, SpoolStore } from '../spool/types.js';
import { pendingFromRow, spoolEntryFromRow } from './codecs.js';
import { insertQuarantine, insertQueueRows } from './inserts.js';
import { GroupCommit, type BatchOptions, type GroupCommitStats } from './group-commit.js';
import type { Schema } from './schema.js';
import { CORRUPT_LEASE_OWNER, claimable, effectiveDue, reading, rowsAffected, uniqueStrings, writeFailed, type StoreContext } from './store-support.js';
import { writeMillis } from './values.js';

type Trx = Transaction<Schema>;
type SpoolRow = Schema['spool_entries'];

export class SqlSpoolStore implements SpoolStore {
  private readonly accepts: GroupCommit<Insertable<SpoolRow>, undefined>;
  private readonly settles: GroupCommit<readonly PipelineCommit[], SettleResult>;

  constructor(
    private readonly ctx: StoreContext,
    opts: { accept?: BatchOptions; settle?: BatchOptions } = {},
  ) {
    const { db } = ctx;
    this.accepts = new GroupCommit<Insertable<SpoolRow>, undefined>(
      async (rows) => {
        // ONE multi-row INSERT statement: atomic on its own (all rows or none), one fsync for the
        // batch. No explicit BEGIN…COMMIT around it, so the write lock is held only inside this
        // one synchronous call — never across an await where other code could run.
        await db.kysely.insertInto('spool_entries').values([...rows]).execute();
        return rows.map(() => undefined);
      },
      (row, cause) => writeFailed('SP_ERR_SPOOL_COMMIT_FAILED', db, cause, { messageId: row.id }),
      { maxBatch: 64, maxBatchWeight: 32 * 1024 * 1024, ...opts.accept, weigh: (row: Insertable<SpoolRow>) => row.body.length, isolateFailures: false },
    );
    this.settles = new GroupCommit<readonly PipelineCommit[], SettleResult>(
      (calls) => db.kysely.transaction().execute(async (trx) => {
        const out: SettleResult[] = [];
        for (const commits of calls) out.push(await this.settleAll(trx, commits));
        return out;
      }),
      (commits, cause) => writeFailed('SP_ERR_STORE_WRITE_FAILED', db, cause, { messageId: commits[0]?.messageId, commits: commits.length }),
      { maxBatch: 64, isolateFailures: true, ...opts.settle },
    );
  }

  async accept(message: ReceivedMessage): Promise<void> {
    let row: Insertable<SpoolRow>;
    try {
      // serialise before queueing, so a bad message fails alone instead of failing its batch
      row = acceptRow(message, this.ctx.now());
    } catch (err) {
      throw writeFailed('SP_ERR_SPOOL_COMMIT_FAILED', this.ctx.db, err, { messageId: String(message?.id) });
    }
    await this.accepts.submit(row);
  }

  async claim(owner: string, limit: number, leaseMs: number, now: number): Promise<SpoolEntry[]> {
    if (limit <= 0) return [];
    const { db } = this.ctx;
    const until = writeMillis(now + leaseMs, 'lease end');
    try {
      // A single UPDATE … RETURNING statement is atomic by itself (and the write lock is held only
      // for that one call, not across awaits); PostgreSQL adds SKIP LOCKED through lockForClaim.
      const rows = await db.kysely
        .updateTable('spool_entries')
        .set((eb) => ({ lease_owner: owner, lease_until: until, claims: eb('claims', '+', 1).$castTo<number>() }))
        .where((eb) => db.engine.idAmong(db.engine.lockForClaim(eb.selectFrom('spool_entries').select('id').where((w) => claimable(w, now)).orderBy('next_attempt_at').orderBy('id').limit(Math.floor(limit)))))
        // checked again on the outer row: PostgreSQL re-evaluates it after waiting on a lock
        .where((eb) => claimable(eb, now))
        .returningAll()
        .execute();
      const entries: SpoolEntry[] = [];
      for (const row of rows) {
        try {
          entries.push(spoolEntryFromRow(row));
        } catch (err) {
          await this.park(String(row.id), err, now);
        }
      }
      return entries.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'spool-claim' });
    }
  }

  /**
   * Sets an unreadable row aside (no live worker owns it) instead of failing every claim. A
   * separate statement: if it fails, the row is still leased to the claimer until its lease ends.
   */
  private async park(id: string, err: unknown, now: number): Promise<void> {
    if (!isSealpostError(err)) throw err;
    await this.ctx.db.kysely
      .updateTable('spool_entries')
      .set({ lease_owner: CORRUPT_LEASE_OWNER, lease_until: now + this.ctx.corruptParkMs, last_error: err.message.slice(0, 1000) })
      .where('id', '=', id)
      .execute();
    this.ctx.onCorruptRow(err);
  }

  settle(commits: readonly PipelineCommit[]): Promise<SettleResult> {
    if (commits.length === 0) return Promise.resolve({ applied: [], stale: [] });
    return this.settles.submit(commits);
  }

  private async settleAll(trx: Trx, commits: readonly PipelineCommit[]): Promise<SettleResult> {
    const applied: string[] = [];
    const stale: string[] = [];
    for (const c of commits) ((await this.settleOne(trx, c)) ? applied : stale).push(c.messageId);
    return { applied, stale };
  }

  private async settleOne(trx: Trx, c: PipelineCommit): Promise<boolean> {
    const row = await trx.selectFrom('spool_entries').select(['id', 'pending', 'lease_owner']).where('id', '=', c.messageId).executeTakeFirst();
    if (!row) return false; // deleted by an operator, or this commit was already applied
    if (c.owner !== undefined && row.lease_owner !== c.owner) return false; // lease taken over
    const settled = new Set(c.settled);
    const remaining = pendingFromRow(row).filter((r) => !settled.has(r));
    // compare-and-set on what the decision was computed from (pending + lease holder)
    const guard = (eb: ExpressionBuilder<Schema, 'spool_entries'>) =>
      eb.and([eb('id', '=', c.messageId), eb('pending', '=', row.pending), row.lease_owner === null ? eb('lease_owner', 'is', null) : eb('lease_owner', '=', row.lease_owner)]);
    let changed: number;
    if (remaining.length === 0) {
      changed = rowsAffected(await trx.deleteFrom('spool_entries').where(guard).executeTakeFirst());
    } else {
      const until = c.deferral ? writeMillis(c.deferral.until, 'deferral.until') : this.ctx.now() + this.ctx.defaultRetryMs;
      const reason = c.deferral ? c.deferral.reason : 'pipeline left recipients pending without a deferral';
      changed = rowsAffected(
        await trx
          .updateTable('spool_entries')
          .set((eb) => ({
            pending: JSON.stringify(remaining),
            attempts: eb('attempts', '+', 1).$castTo<number>(),
            next_attempt_at: until,
            last_error: reason,
            lease_owner: null,
            lease_until: null,
            trace: JSON.stringify(c.trace),
          }))
          .where(guard)
          .executeTakeFirst(),
      );
    }
    if (changed === 0) return false;
    await insertQueueRows(trx, c.bodies, c.items, this.ctx.now());
    await insertQuarantine(trx, c.quarantine);
    return true;
  }

  get(id: string): Promise<SpoolEntry | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('spool_entries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? spoolEntryFromRow(row) : null;
    });
  }

  list(limit = 100): Promise<SpoolEntry[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.ctx.db.kysely.selectFrom('spool_entries').selectAll().orderBy('received_at').orderBy('id').limit(Math.max(0, Math.floor(limit))).execute();
      const out: SpoolEntry[] = [];
      for (const row of rows) {
        try {
          out.push(spoolEntryFromRow(row));
        } catch (err) {
          if (!isSealpostError(err)) throw err;
          this.ctx.onCorruptRow(err); // one bad row must not hide the others from `queue list`
        }
      }
      return out;
    });
  }

  async retry(id: string, now: number): Promise<boolean> {
    const { db } = this.ctx;
    try {
      const r = await db.kysely.updateTable('spool_entries').set({ next_attempt_at: writeMillis(now, 'now') }).where('id', '=', id).executeTakeFirst();
      return rowsAffected(r) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { messageId: id });
    }
  }

  async delete(id: string): Promise<boolean> {
    const { db } = this.ctx;
    try {
      return rowsAffected(await db.kysely.deleteFrom('spool_entries').where('id', '=', id).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { messageId: id });
    }
  }

  nextDueAt(): Promise<number | null> {
    return reading(this.ctx.db, async () => {
      const r = await this.ctx.db.kysely.selectFrom('spool_entries').select(effectiveDue.as('due')).executeTakeFirst();
      return r?.due === null || r?.due === undefined ? null : Number(r.due);
    });
  }

  async releaseLeases(owner: string): Promise<number> {
    const { db } = this.ctx;
    try {
      return rowsAffected(await db.kysely.updateTable('spool_entries').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst());
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'spool-release-leases' });
    }
  }

  stats(): { accept: GroupCommitStats; settle: GroupCommitStats } {
    return { accept: this.accepts.stats(), settle: this.settles.stats() };
  }

  /** Stops taking accepts/settles and waits for the ones in flight. */
  async close(): Promise<void> {
    const closed = () => new SealpostError('SP_ERR_STORE_UNAVAILABLE', 'the store is closed', { path: this.ctx.db.location });
    await Promise.all([this.accepts.close(closed), this.settles.close(closed)]);
  }
}

/** The row for a received message (also used by quarantine release, which enters a message in the spool). */
export function acceptRow(m: ReceivedMessage, now: number): Insertable<SpoolRow> {
  if (typeof m.id !== 'string' || m.id === '') throw new TypeError('message id must be a non-empty string');
  if (!Buffer.isBuffer(m.body)) throw new TypeError('message body must be a Buffer');
  const pending = uniqueStrings(m.envelope.recipients.map((r) => r.address));
  if (pending.length === 0) throw new TypeError('message has no recipients');
  const at = writeMillis(now, 'now');
  return {
    id: m.id,
    received_at: at,
    envelope: JSON.stringify(m.envelope),
    session: JSON.stringify(m.session),
    body: m.body,
    pending: JSON.stringify(pending),
    attempts: 0,
    claims: 0,
    next_attempt_at: at,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    trace: '[]',
    resume: m.resume ? JSON.stringify(m.resume) : null,
  };
}
