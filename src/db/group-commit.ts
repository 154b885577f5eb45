/**
 * db/group-commit — many callers, one transaction, one fsync.
 *
 * Why: with synchronous=FULL every commit costs an fsync (milliseconds on real disks), which caps
 * a one-commit-per-message spool at a few hundred messages per second no matter how many SMTP
 * sessions are waiting. Callers that arrive while the loop is busy are collected and written
 * together; each caller's promise settles only after *its* transaction returned — resolve means
 * committed, reject means nothing of that batch was written.
 *
 * Batching window: items submitted during one turn of the event loop are flushed together on the
 * next `setImmediate` (or after `maxDelayMs` when set), at most `maxBatch` per transaction.
 * While a batch is being written newcomers wait for the next one, so batch size grows with load
 * and an idle gateway pays no added latency.
 * SECURITY: items are opaque here; nothing is logged.
 */

export interface GroupCommitOptions<T = never> {
  /** most items per transaction (default 64); 1 disables batching */
  readonly maxBatch?: number;
  /**
   * cap on the summed `weigh(item)` of one batch (at least one item always goes): keeps a burst of
   * 25 MB messages from becoming one gigabyte-sized statement and WAL frame run
   */
  readonly maxBatchWeight?: number;
  readonly weigh?: (item: T) => number;
  /** wait this long for more items after the first one (default 0: just the current event-loop turn) */
  readonly maxDelayMs?: number;
  /**
   * When a batch of several callers fails, write each caller alone before giving up, so one bad
   * item (a constraint it violates) does not fail its neighbours. Off for the spool's accept: there
   * a failure is nearly always the disk, and the contract is "nothing of the batch is acknowledged".
   */
  readonly isolateFailures?: boolean;
}

/** what callers of the stores may tune (the weight function is the store's business) */
export type BatchOptions = Omit<GroupCommitOptions, 'weigh'>;

export interface GroupCommitStats {
  /** transactions attempted (committed + failed) */
  readonly commits: number;
  readonly failedCommits: number;
  /** items in committed transactions */
  readonly items: number;
  readonly largestBatch: number;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly isolateFailures: boolean;
  private readonly maxBatchWeight: number;
  private readonly weigh: (item: T) => number;
  private scheduled = false;
  /** pending maxDelayMs timer, so a batch that fills up early is flushed without waiting */
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closedReason: (() => unknown) | null = null;
  private stat = { commits: 0, failedCommits: 0, items: 0, largestBatch: 0 };

  constructor(
    /** writes all items in ONE transaction and returns one result per item, in order */
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    /** the error each caller of a failed batch receives */
    private readonly failure: (item: T, cause: unknown) => unknown,
    opts: GroupCommitOptions<T> = {},
  ) {
    this.maxBatch = Math.max(1, Math.floor(opts.maxBatch ?? 64));
    this.maxDelayMs = Math.max(0, opts.maxDelayMs ?? 0);
    this.isolateFailures = opts.isolateFailures ?? false;
    this.maxBatchWeight = opts.maxBatchWeight ?? Infinity;
    this.weigh = opts.weigh ?? (() => 0);
  }

  submit(item: T): Promise<R> {
    if (this.closedReason) return Promise.reject(this.failure(item, this.closedReason()));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  stats(): GroupCommitStats {
    return { ...this.stat };
  }

  /** Refuses new items and waits until everything already submitted has been written. */
  async close(reason: () => unknown): Promise<void> {
    this.closedReason = reason;
    while (this.flushing || this.queue.length > 0 || this.scheduled) {
      if (this.flushing) await this.flushing;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private schedule(): void {
    if (this.timer && this.queue.length >= this.maxBatch) {
      // full before the delay ran out: flush on the next turn instead
      clearTimeout(this.timer);
      this.timer = null;
      this.scheduled = false;
    }
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const run = () => {
      this.timer = null;
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    };
    if (this.maxDelayMs > 0 && this.queue.length < this.maxBatch) this.timer = setTimeout(run, this.maxDelayMs);
    else setImmediate(run);
  }

  private async flush(): Promise<void> {
    let take = 0;
    for (let weight = 0; take < Math.min(this.maxBatch, this.queue.length); take++) {
      weight += this.weigh(this.queue[take]!.item);
      if (take > 0 && weight > this.maxBatchWeight) break;
    }
    const batch = this.queue.splice(0, take);
    if (batch.length === 0) return;
    if (!(await this.writeBatch(batch)) && this.isolateFailures && batch.length > 1) {
      for (const w of batch) await this.writeBatch([w]);
    }
  }

  /** One transaction for `batch`; settles the callers unless the batch fails and will be retried alone. */
  private async writeBatch(batch: Waiting<T, R>[]): Promise<boolean> {
    const retryAlone = this.isolateFailures && batch.length > 1;
    this.stat.commits++;
    let results: readonly R[];
    try {
      results = await this.write(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
    } catch (err) {
      this.stat.failedCommits++;
      if (!retryAlone) for (const w of batch) w.reject(this.failure(w.item, err));
      return false;
    }
    this.stat.items += batch.length;
    this.stat.largestBatch = Math.max(this.stat.largestBatch, batch.length);
    batch.forEach((w, i) => w.resolve(results[i]!));
    return true;
  }
}
