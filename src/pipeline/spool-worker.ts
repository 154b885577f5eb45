/**
 * Drains the spool: claims due entries, runs each through the processors, and settles the whole
 * batch in one transaction (one commit for many messages keeps the disk from being the limit).
 * A run that throws is committed as a deferral with its error in the trace; after `maxAttempts`
 * failed runs the message is quarantined — never dropped, never delivered half-processed.
 */
import type { Logger } from 'pino';
import type { MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { resumeProcessors } from '../quarantine/resume.js';
import type { Processor } from '../mail/step.js';
import { Trace } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import type { PipelineCommit, SpoolEntry, SpoolStore } from '../spool/types.js';
import { buildCommit, type CommitOptions } from './commit-builder.js';
import { runPipeline, type TerminalBranch } from './runner.js';
import { START_PROCESSOR } from './processors.js';
import { PollingWorker } from '../workers/polling-worker.js';

export interface SpoolWorkerOptions extends CommitOptions {
  readonly owner: string;
  readonly processors: ReadonlyMap<string, Processor>;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly leaseMs: number;
  readonly stepTimeoutMs: number;
  readonly maxAttempts: number;
  readonly idlePollMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** called after every settled batch, so delivery can start at once */
  readonly onSettled?: () => void;
  /** rewrites recipients before a run (policy suffix routing: bob@x.example.secure → bob@x.example) */
  readonly rewriteRecipients?: (recipients: readonly EnvelopeRecipient[]) => EnvelopeRecipient[];
}

const INITIAL_FACTS = { processedMarker: null, encrypted: null, signed: null, autoSubmitted: false, notification: null, hops: 0 } as const;

export class SpoolWorker extends PollingWorker {
  private readonly now: () => number;

  constructor(private readonly spool: SpoolStore, private readonly options: SpoolWorkerOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /** Processes whatever is due now; returns how many entries were handled (tests and `start`). */
  async drainOnce(): Promise<number> {
    const entries = await this.spool.claim(this.options.owner, this.options.batchSize, this.options.leaseMs, this.now());
    if (entries.length === 0) return 0;
    const commits: PipelineCommit[] = [];
    let next = 0;
    const workers = Array.from({ length: Math.min(this.options.concurrency, entries.length) }, async () => {
      while (next < entries.length) commits.push({ ...(await this.process(entries[next++]!)), owner: this.options.owner });
    });
    await Promise.all(workers);
    await this.spool.settle(commits);
    for (const c of commits) this.logCommit(c);
    this.options.onSettled?.();
    return entries.length;
  }

  protected async cycle(): Promise<number> {
    try {
      if ((await this.drainOnce()) > 0) return 0;
    } catch (err) {
      // The batch was not settled; its leases expire and it is claimed again. Nothing is lost.
      this.options.logger.error({ event: 'pipeline.batch.failed', err }, 'pipeline batch failed; will retry after lease expiry');
      return Math.min(this.options.leaseMs, 5000);
    }
    const due = await this.spool.nextDueAt().catch(() => null);
    return due === null ? this.options.idlePollMs : Math.max(1, Math.min(this.options.idlePollMs, due - this.now()));
  }

  private async process(entry: SpoolEntry): Promise<PipelineCommit> {
    const trace = new Trace(this.now);
    trace.entries.push(...entry.trace);
    // failures before a quarantine release do not count against the released message
    const released = entry.trace.map((e) => e.event).lastIndexOf('released');
    const previousFailures = entry.trace.slice(released + 1).filter((e) => e.event === 'run-failed').length;
    const msg: MessageContext = {
      id: entry.id,
      envelope: entry.envelope,
      session: entry.session,
      original: MessageDraft.parse(entry.body),
      receivedAt: entry.receivedAt,
      attempts: entry.attempts,
      trace,
      now: this.now,
      // a released message resumes with the facts classify found when it first ran
      facts: entry.resume ? { ...entry.resume.messageFacts } : { ...INITIAL_FACTS },
    };
    const waiting = entry.envelope.recipients.filter((r) => entry.pending.includes(r.address));
    const pending = entry.resume || !this.options.rewriteRecipients ? waiting : this.options.rewriteRecipients(waiting);
    const run = entry.resume ? resumeProcessors(this.options.processors, entry.resume) : { processors: this.options.processors, start: START_PROCESSOR };
    let done: TerminalBranch[];
    try {
      done = await runPipeline(msg, pending, { processors: run.processors, start: run.start, stepTimeoutMs: this.options.stepTimeoutMs, maxAttempts: this.options.maxAttempts, previousFailures });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      trace.add('pipeline', 'run-failed', reason);
      this.options.logger.warn({ event: 'pipeline.run.failed', messageId: entry.id, err }, 'pipeline run failed');
      const outcome = previousFailures + 1 >= this.options.maxAttempts ? ({ kind: 'quarantine', reason: `pipeline failed ${previousFailures + 1} times: ${reason}` } as const) : ({ kind: 'defer', reason } as const);
      // a released message keeps its resume point: its stored bytes no longer carry the triggers
      const facts = entry.resume ? { ...structuredClone(entry.resume.facts), resumeAt: entry.resume.processor } : {};
      done = [{ recipients: pending, outcome, draft: msg.original, facts, decidedAt: 'pipeline' }];
    }
    // A drop is only allowed with a logged reason (DESIGN §2): the trace goes with the spool entry.
    for (const b of done) {
      if (b.outcome.kind === 'drop') this.options.logger.warn({ event: 'pipeline.dropped', messageId: entry.id, recipients: b.recipients.map((r) => r.address), stage: b.decidedAt, reason: b.outcome.reason }, 'dropped');
    }
    // One 'run-failed' per failed run: that count, not the number of holds, drives quarantine.
    const thisRun = trace.entries.slice(entry.trace.length);
    if (thisRun.some((e) => e.event === 'error') && !thisRun.some((e) => e.event === 'run-failed')) {
      trace.add('pipeline', 'run-failed', 'a step failed; the message will be retried');
    }
    return buildCommit(msg, done, this.options, previousFailures);
  }

  private logCommit(commit: PipelineCommit): void {
    const log = this.options.logger;
    for (const item of commit.items) log.info({ event: 'pipeline.queued', messageId: commit.messageId, queueId: item.id, recipient: item.recipient, kind: item.kind, route: item.route }, 'queued for delivery');
    for (const q of commit.quarantine) log.warn({ event: 'pipeline.quarantined', messageId: commit.messageId, quarantineId: q.id, reason: q.reason }, 'quarantined');
    if (commit.deferral) log.info({ event: 'pipeline.deferred', messageId: commit.messageId, until: new Date(commit.deferral.until).toISOString(), reason: commit.deferral.reason }, 'deferred');
  }
}

