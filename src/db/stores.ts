/**
 * db/stores — builds the spool, queue and quarantine stores over one open Database.
 *
 * Only the composition root (src/app.ts) calls this; stages see the store interfaces.
 * `close()` stops taking writes, waits for batches in flight (so no accepted caller is left
 * without an answer) and then closes the database: the bundle owns the Database it was given.
 * SECURITY: see the individual stores; nothing here touches message content.
 */
import type { QueueStore } from '../queue/types.js';
import type { QuarantineStore, SpoolStore } from '../spool/types.js';
import type { Database } from './engine.js';
import type { GroupCommitStats } from './group-commit.js';
import { SqlQuarantineStore } from './quarantine-store.js';
import { SqlQueueStore } from './queue-store.js';
import { SqlSpoolStore } from './spool-store.js';
import { storeContext, type StoreOptions } from './store-support.js';

export type { StoreOptions } from './store-support.js';

export interface StoreStats {
  /** spool.accept: transactions (commits), messages committed, largest batch */
  readonly accept: GroupCommitStats;
  /** spool.settle: transactions and settle calls */
  readonly settle: GroupCommitStats;
}

export interface Stores {
  readonly spool: SpoolStore;
  readonly queue: QueueStore;
  readonly quarantine: QuarantineStore;
  readonly database: Database;
  /** commit counters, for tests and metrics */
  stats(): StoreStats;
  close(): Promise<void>;
}

export function createStores(db: Database, opts: StoreOptions = {}): Stores {
  const ctx = storeContext(db, opts);
  const spool = new SqlSpoolStore(ctx, { accept: opts.acceptBatch, settle: opts.settleBatch });
  const queue = new SqlQueueStore(ctx);
  const quarantine = new SqlQuarantineStore(ctx);
  let closing: Promise<void> | null = null;
  return {
    spool,
    queue,
    quarantine,
    database: db,
    stats: () => spool.stats(),
    close() {
      closing ??= (async () => {
        await spool.close();
        await db.close();
      })();
      return closing;
    },
  };
}
