/**
 * db/quarantine-store — read side of the quarantine (entries are written by spool.settle, in the
 * pipeline's transaction). Release/delete come with the policy engine's commands.
 * SECURITY: quarantined bytes are untrusted mail held back on purpose; they leave this store only
 * through `get` for an operator.
 */
import { isSealpostError } from '../errors/index.js';
import type { QuarantineStore, QuarantineSummary } from '../spool/types.js';
import type { TraceEntry } from '../mail/trace.js';
import { quarantineEntryFromRow, quarantineSummaryFromRow } from './codecs.js';
import { reading, type StoreContext } from './store-support.js';

export class SqlQuarantineStore implements QuarantineStore {
  constructor(private readonly ctx: StoreContext) {}

  list(limit = 100): Promise<QuarantineSummary[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.ctx.db.kysely
        .selectFrom('quarantine')
        // the summary does not need the bytes: keep a long list cheap
        .select(['id', 'message_id', 'recipients', 'reason', 'sender', 'created_at'])
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

  get(id: string): Promise<(QuarantineSummary & { bytes: Buffer; trace: readonly TraceEntry[] }) | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('quarantine').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? quarantineEntryFromRow(row) : null;
    });
  }
}
