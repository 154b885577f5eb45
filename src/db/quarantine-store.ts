/**
 * db/quarantine-store — the quarantine: entries are written by spool.settle (in the pipeline's
 * transaction); operators list, show, release and delete them; a periodic job purges old ones.
 *
 * Release is one transaction: a new spool entry (resuming after the policy stage with the saved
 * decision, or from the start when the entry was held before any decision) and the removal of
 * the quarantine row — so a message is never both held and released, nor lost in between.
 * SECURITY: quarantined bytes are untrusted mail held back on purpose; they leave this store only
 * through `get` for an operator or `release` back into the pipeline, which protects them as decided.
 */
import { SealpostError, isSealpostError } from '../errors/index.js';
import type { TraceEntry } from '../mail/trace.js';
import type { QuarantineEntry, QuarantineStore, QuarantineSummary } from '../spool/types.js';
import { quarantineEntryFromRow, quarantineSummaryFromRow, releaseBodyFromRow } from './codecs.js';
import { acceptRow } from './spool-store.js';
import { reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { writeMillis } from './values.js';

class ReleasedElsewhere extends Error {}

export class SqlQuarantineStore implements QuarantineStore {
  constructor(private readonly ctx: StoreContext) {}

  list(limit = 100): Promise<QuarantineSummary[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.ctx.db.kysely
        .selectFrom('quarantine')
        // the summary does not need the bytes: keep a long list cheap
        .select(['id', 'message_id', 'recipients', 'reason', 'sender', 'created_at', 'rules', 'release'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      const out: QuarantineSummary[] = [];
      for (const row of rows) {
        try {
          out.push(quarantineSummaryFromRow(row));
        } catch (err) {
          if (!isSealpostError(err)) throw err;
          this.ctx.onCorruptRow(err);
        }
      }
      return out;
    });
  }

  get(id: string): Promise<QuarantineEntry | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('quarantine').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? quarantineEntryFromRow(row) : null;
    });
  }

  async release(id: string, spoolId: string, now: number): Promise<{ spoolId: string; resumesAt: string | null } | null> {
    const { db } = this.ctx;
    let result: { spoolId: string; resumesAt: string | null } | null;
    try {
      result = await db.kysely.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('quarantine').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) return null;
        const entry = quarantineEntryFromRow(row);
        if (!entry.release) throw new SealpostError('SP_ERR_CLI_USAGE', `quarantine entry ${id} was stored without release data (before migration 0005) and cannot be released`, { quarantineId: id });
        const { envelope, session, resume } = entry.release;
        const released: TraceEntry = { at: now, stage: 'quarantine', event: 'released', detail: resume ? `resumes at ${resume.processor} (quarantine ${id})` : `runs again from the start (quarantine ${id})`, recipients: envelope.recipients.map((r) => r.address) };
        const spoolRow = { ...acceptRow({ id: spoolId, envelope, session, body: releaseBodyFromRow(row), resume }, writeMillis(now, 'now')), trace: JSON.stringify([...entry.trace, released]) };
        await trx.insertInto('spool_entries').values(spoolRow).execute();
        // compare-and-delete: two operators releasing at once create one spool entry, not two
        const deleted = rowsAffected(await trx.deleteFrom('quarantine').where('id', '=', id).executeTakeFirst());
        // another release won the race: roll this one back (its spool row too) and report "gone"
        if (deleted !== 1) throw new ReleasedElsewhere();
        return { spoolId, resumesAt: resume?.processor ?? null };
      });
    } catch (err) {
      if (err instanceof ReleasedElsewhere) return null;
      if (isSealpostError(err) && err.code === 'SP_ERR_CLI_USAGE') throw err;
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { quarantineId: id, stage: 'quarantine-release' });
    }
    return result;
  }

  async delete(id: string): Promise<boolean> {
    const { db } = this.ctx;
    try {
      return rowsAffected(await db.kysely.deleteFrom('quarantine').where('id', '=', id).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { quarantineId: id, stage: 'quarantine-delete' });
    }
  }

  async purge(before: number): Promise<number> {
    const { db } = this.ctx;
    try {
      return rowsAffected(await db.kysely.deleteFrom('quarantine').where('created_at', '<', writeMillis(before, 'before')).executeTakeFirst());
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', db, err, { stage: 'quarantine-purge' });
    }
  }
}
