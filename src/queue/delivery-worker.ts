/**
 * Delivers due queue items: claims them, groups items that share a body, sender and next hop into
 * one SMTP transaction, and writes the per-recipient results back in batches. 4xx and connection
 * failures defer on the retry schedule until giveUpAt (then: expired + DSN); 5xx bounces with a
 * DSN. Our own DSNs and notices never cause another DSN, and nothing is ever sent to `<>`.
 */
import type { Logger } from 'pino';
import type { DeliveryJob, DeliveryOutcome, RecipientResult } from '../deliver/types.js';
import type { NextHop } from '../deliver/next-hop.js';
import type { DeliveryRecord, DeliveryResult, NewQueueBody, NewQueueItem, QueueItem, QueueStore } from './types.js';
import { nextAttemptAt } from './retry-schedule.js';
import { PollingWorker } from '../workers/polling-worker.js';

export interface HopDeliverer {
  deliver(job: DeliveryJob): Promise<DeliveryOutcome>;
}

export interface DeliveryFailure {
  readonly recipient: string;
  readonly action: 'failed';
  readonly response: string;
  readonly enhanced?: string;
  readonly remote?: string;
}

export interface DsnFactory {
  /** one DSN for the failed recipients of one message; null when none is due */
  forDeliveryFailure(first: QueueItem, failures: readonly DeliveryFailure[], body: Buffer): { body: NewQueueBody; item: NewQueueItem } | null;
}

export interface DeliveryWorkerOptions {
  readonly owner: string;
  readonly deliverer: HopDeliverer;
  readonly resolveHop: (item: QueueItem) => NextHop;
  readonly dsn: DsnFactory;
  readonly retrySchedule: readonly number[];
  readonly concurrency: number;
  readonly leaseMs: number;
  readonly idlePollMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface Job {
  readonly items: QueueItem[];
  readonly hop: NextHop;
}

export class DeliveryWorker extends PollingWorker {
  private inFlight = 0;
  private readonly active = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly queue: QueueStore, private readonly options: DeliveryWorkerOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /** Stops claiming new work and waits for the transactions in flight (graceful drain). */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all([...this.active]);
  }

  protected async cycle(): Promise<number> {
    const free = this.options.concurrency - this.inFlight;
    if (free <= 0) return this.options.idlePollMs; // a finishing delivery pokes us
    // Claim in batches: one claim per finished delivery made claims the largest database cost.
    if (this.inFlight > 0 && free < Math.min(8, Math.ceil(this.options.concurrency / 2))) return this.options.idlePollMs;
    let claimed: QueueItem[];
    try {
      claimed = await this.queue.claimDue(this.options.owner, free, this.options.leaseMs, this.now());
    } catch (err) {
      // Storage busy or down: back off so the event loop stays free for SMTP sessions.
      this.options.logger.error({ event: 'queue.claim.failed', err }, 'could not claim queue items');
      return 2000;
    }
    for (const job of this.group(claimed)) this.launch(job);
    if (claimed.length > 0) return this.inFlight < this.options.concurrency ? 0 : this.options.idlePollMs;
    const due = await this.queue.nextDueAt().catch(() => null);
    return due === null ? this.options.idlePollMs : Math.max(1, Math.min(this.options.idlePollMs, due - this.now()));
  }

  private launch(job: Job): void {
    this.inFlight++;
    const p = this.attempt(job)
      .catch((err) => this.options.logger.error({ event: 'queue.delivery.crashed', err, queueIds: job.items.map((i) => i.id) }, 'delivery attempt failed unexpectedly; lease will expire and it is retried'))
      .finally(() => {
        this.inFlight--;
        this.active.delete(p);
        this.poke();
      });
    this.active.add(p);
  }

  /** Items sharing body, sender and hop travel in one transaction. */
  private group(items: readonly QueueItem[]): Job[] {
    const jobs = new Map<string, Job>();
    for (const item of items) {
      let hop: NextHop;
      try {
        hop = this.options.resolveHop(item);
      } catch (err) {
        this.options.logger.error({ event: 'queue.route.invalid', queueId: item.id, err }, 'no valid next hop');
        continue;
      }
      // Direct (MX) delivery goes per recipient domain; a smarthost takes every domain at once.
      const domain = hop.kind === 'mx' ? item.recipient.slice(item.recipient.lastIndexOf('@') + 1).toLowerCase() : '';
      const tls = item.tlsInstead ? `tls:${item.tlsInstead.fallbackBodyId ?? '-'}` : '';
      const key = `${item.bodyId}\0${tls}\0${item.sender}\0${JSON.stringify(hop)}\0${domain}`;
      const job = jobs.get(key);
      if (job) job.items.push(item);
      else jobs.set(key, { items: [item], hop });
    }
    return [...jobs.values()];
  }

  private async attempt(job: Job): Promise<void> {
    const first = job.items[0]!;
    const body = await this.queue.getBody(first.bodyId);
    const fallbackId = first.tlsInstead?.fallbackBodyId ?? null;
    const fallback = fallbackId ? await this.queue.getBody(fallbackId) : null;
    const log = this.options.logger.child({ messageId: first.messageId });
    let outcome: DeliveryOutcome;
    if (!body || (fallbackId && !fallback)) {
      outcome = { hop: 'none', tls: null, results: job.items.map((i) => ({ recipient: i.recipient, status: 'deferred', response: 'queue body missing' })) };
      log.error({ event: 'queue.body.missing', bodyId: body ? fallbackId : first.bodyId }, 'queue body missing');
    } else {
      const requireVerifiedTls = first.tlsInstead ? { requireVerifiedTls: { fallback } } : {};
      outcome = await this.options.deliverer.deliver({ hop: job.hop, sender: first.sender, recipients: job.items.map((i) => i.recipient), body, messageId: first.messageId, queueIds: job.items.map((i) => i.id), ...requireVerifiedTls });
    }
    const now = this.now();
    const results: DeliveryResult[] = [];
    const failures: DeliveryFailure[] = [];
    job.items.forEach((item, index) => {
      const r: RecipientResult = outcome.results[index] ?? { recipient: item.recipient, status: 'deferred', response: 'no result from deliverer' };
      const record: DeliveryRecord = { at: now, hop: outcome.hop, tls: outcome.tls, response: r.response, ...(outcome.remote ? { remote: outcome.remote } : {}), ...(outcome.form ? { form: outcome.form } : {}) };
      const base = { queueId: item.id, recipient: item.recipient, response: r.response, hop: outcome.hop, tls: outcome.tls?.protocol ?? 'none', ...(outcome.form ? { form: outcome.form } : {}) };
      if (r.status === 'delivered') {
        results.push({ id: item.id, state: 'delivered', delivery: record });
        log.info({ event: 'queue.delivery.delivered', ...base }, 'delivered');
      } else if (r.status === 'bounced' || now >= item.giveUpAt) {
        const state = r.status === 'bounced' ? 'bounced' : 'expired';
        results.push({ id: item.id, state, response: r.response, delivery: record });
        failures.push({ recipient: item.recipient, action: 'failed', response: state === 'expired' ? `gave up after ${item.attempts + 1} attempts; last reply: ${r.response}` : r.response, ...(r.enhanced ? { enhanced: r.enhanced } : {}), ...(outcome.remote ? { remote: outcome.remote } : {}) });
        log.warn({ event: `queue.delivery.${state}`, ...base }, state);
      } else {
        const next = nextAttemptAt(this.options.retrySchedule, item.attempts + 1, now);
        results.push({ id: item.id, state: 'deferred', nextAttemptAt: Math.min(next, Math.max(item.giveUpAt, now)), response: r.response, delivery: record });
        log.info({ event: 'queue.delivery.deferred', ...base, nextAttemptAt: new Date(next).toISOString() }, 'deferred');
      }
    });
    const generated = { bodies: [] as NewQueueBody[], items: [] as NewQueueItem[] };
    if (failures.length > 0 && body) {
      const dsn = this.options.dsn.forDeliveryFailure(first, failures, body);
      if (dsn) {
        generated.bodies.push(dsn.body);
        generated.items.push(dsn.item);
        log.info({ event: 'queue.dsn.queued', queueId: dsn.item.id, to: dsn.item.recipient }, 'DSN queued');
      }
    }
    await this.queue.recordResults(results, generated);
  }
}
