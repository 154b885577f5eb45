/**
 * db/stores — builds the spool, queue, quarantine and PKI stores over one open Database.
 *
 * Only the composition root (src/app.ts) calls this; stages see the store interfaces.
 * `close()` stops taking writes, waits for batches in flight (so no accepted caller is left
 * without an answer) and then closes the database: the bundle owns the Database it was given.
 * SECURITY: see the individual stores; nothing here touches message content.
 */
import type { PgpStores } from '../pgp/types.js';
import type { PkiStores } from '../pki/types.js';
import type { PortalStore } from '../portal/store.js';
import type { QueueStore } from '../queue/types.js';
import type { QuarantineStore, SpoolStore } from '../spool/types.js';
import type { Database, SingletonRun } from './engine.js';
import type { GroupCommitStats } from './group-commit.js';
import { SqlPgpKeyStore, SqlPgpLookupStore } from './pgp-key-store.js';
import { SqlCertificateStore, SqlRootStore } from './pki-certificate-store.js';
import { SqlCrlStore, SqlPrivateKeyStore } from './pki-crl-store.js';
import { createPortalStore } from './portal-store.js';
import { SqlQuarantineStore } from './quarantine-store.js';
import { SqlQueueStore } from './queue-store.js';
import { SqlSpoolStore } from './spool-store.js';
import { storeContext, type StoreOptions } from './store-support.js';
import { toMillis, writeMillis } from './values.js';

export type { StoreOptions } from './store-support.js';

export interface StoreStats {
  /** spool.accept: transactions (commits), messages committed, largest batch */
  readonly accept: GroupCommitStats;
  /** spool.settle: transactions and settle calls */
  readonly settle: GroupCommitStats;
}

export interface SingletonOptions {
  /**
   * Skip the run when the job last *finished* (on any node) less than this long ago. The finish
   * time is kept in the `meta` table (key `singleton:<name>`), so a cluster whose nodes each fire
   * the job on their own timer still runs it about once per interval.
   */
  readonly minIntervalMs?: number;
}

export interface Stores {
  readonly spool: SpoolStore;
  readonly queue: QueueStore;
  readonly quarantine: QuarantineStore;
  /** certificates, trust anchors, CRLs, wrapped private keys (pki/types.ts) */
  readonly pki: PkiStores;
  /** the OpenPGP keyring and the key-discovery cache/audit (pgp/types.ts) */
  readonly pgp: PgpStores;
  /** the recipients' portal: accounts, messages (sealed), tokens, sessions, audit (portal/store.ts) */
  readonly portal: PortalStore;
  readonly database: Database;
  /**
   * Runs a periodic job on one node of the cluster at a time (PostgreSQL advisory lock; SQLite:
   * just runs). `{ ran: false }` when another node runs it right now or, with `minIntervalMs`,
   * when it finished recently. The job must be idempotent (see Database.runSingleton).
   */
  runSingleton<T>(name: string, fn: () => Promise<T>, opts?: SingletonOptions): Promise<SingletonRun<T>>;
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
    pki: { certificates: new SqlCertificateStore(ctx), roots: new SqlRootStore(ctx), crls: new SqlCrlStore(ctx), privateKeys: new SqlPrivateKeyStore(ctx) },
    pgp: { keys: new SqlPgpKeyStore(ctx), lookups: new SqlPgpLookupStore(ctx) },
    portal: createPortalStore(ctx),
    database: db,
    async runSingleton<T>(name: string, fn: () => Promise<T>, options: SingletonOptions = {}): Promise<SingletonRun<T>> {
      const key = `singleton:${name}`;
      const minInterval = options.minIntervalMs ?? 0;
      const run = await db.runSingleton(name, async (): Promise<{ skipped: true } | { skipped: false; value: T }> => {
        if (minInterval > 0) {
          const last = await db.kysely.selectFrom('meta').select('updated_at').where('key', '=', key).executeTakeFirst();
          if (last && ctx.now() - toMillis(last.updated_at) < minInterval) return { skipped: true };
        }
        const value = await fn();
        const at = writeMillis(ctx.now(), 'now');
        await db.kysely
          .insertInto('meta')
          .values({ key, value: JSON.stringify({ finishedAt: at }), updated_at: at })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
          .execute();
        return { skipped: false, value };
      });
      if (!run.ran) return run;
      return run.value.skipped ? { ran: false, reason: 'ran-recently' } : { ran: true, value: run.value.value };
    },
    stats: () => spool.stats(),
    close() {
      closing ??= (async () => {
        await Promise.all([spool.close(), queue.close()]);
        await db.close();
      })();
      return closing;
    },
  };
}
