/**
 * spool/ — received messages, durable before the 250 reply.
 *
 * A spool entry is the received bytes plus the recipients the pipeline has not settled yet. The
 * pipeline's result (queue items, quarantine entries, recipients settled or rescheduled) is
 * committed in one transaction with `settle`, so a crash replays from the last commit.
 */
import type { BranchFacts, MessageFacts } from '../mail/context.js';
import type { Envelope, SessionInfo } from '../mail/envelope.js';
import type { TraceEntry } from '../mail/trace.js';
import type { NewQueueBody, NewQueueItem } from '../queue/types.js';

export interface ReceivedMessage {
  readonly id: string;
  readonly envelope: Envelope;
  readonly session: SessionInfo;
  /** exactly what will be processed: our Received header already prepended */
  readonly body: Buffer;
  /** a released quarantine entry: continue at this point instead of the start (absent = from the start) */
  readonly resume?: ResumePoint | null;
}

/**
 * Where a released message continues: the processor after the policy stage, with the branch's
 * decision (protection, route, matched rules …) and the message facts classify found, so the
 * message is not decided again and is protected exactly as its policy said.
 */
export interface ResumePoint {
  readonly processor: string;
  readonly facts: ResumableFacts;
  readonly messageFacts: MessageFacts;
}

/** The branch facts a resume carries (no notices: they were sent with the quarantine). */
export type ResumableFacts = Pick<BranchFacts, 'protection' | 'route' | 'signRequested' | 'rules' | 'evaluated'>;

/** What `quarantine release` needs to hand a quarantined message back to the spool. */
export interface QuarantineRelease {
  readonly envelope: Envelope;
  readonly session: SessionInfo;
  /** null: the message was held before any decision (a failing step): it runs again from the start */
  readonly resume: ResumePoint | null;
}

export interface SpoolEntry extends ReceivedMessage {
  readonly receivedAt: number;
  /** pipeline runs so far (runs that ended in a settle) */
  readonly attempts: number;
  /**
   * times the entry was leased, this lease included. Grows while `attempts` does not when runs
   * crash before settling (a message that kills the process): the pipeline can hold such an
   * entry instead of replaying it forever. Optional so fakes built before it existed still fit.
   */
  readonly claims?: number;
  /** recipients (addresses) that still need a pipeline decision */
  readonly pending: readonly string[];
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly trace: readonly TraceEntry[];
}

export interface NewQuarantineEntry {
  readonly id: string;
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly reason: string;
  readonly sender: string;
  readonly bytes: Buffer;
  readonly trace: readonly TraceEntry[];
  readonly createdAt: number;
  /** rules that held it */
  readonly rules?: readonly string[];
  readonly release?: QuarantineRelease | null;
  /** the message after the policy's edits (released instead of `bytes` when resuming) */
  readonly resumeBody?: Buffer | null;
}

/** Everything one pipeline run decided, committed atomically. */
export interface PipelineCommit {
  readonly messageId: string;
  /**
   * The lease owner that ran the pipeline (the `owner` given to `claim`). When set, the commit is
   * applied only while that owner still holds the entry; a commit from a worker whose lease was
   * taken over (or that was already applied) is skipped and reported as stale, so no queue items
   * are duplicated. Omit only for tools that act on an entry without claiming it.
   */
  readonly owner?: string;
  /** recipients that reached a terminal state in this run (queued, bounced, quarantined, dropped) */
  readonly settled: readonly string[];
  /** when recipients remain pending: when to run again, and why */
  readonly deferral: { readonly until: number; readonly reason: string } | null;
  readonly bodies: readonly NewQueueBody[];
  readonly items: readonly NewQueueItem[];
  readonly quarantine: readonly NewQuarantineEntry[];
  /** the full trace so far (replaces the stored one) */
  readonly trace: readonly TraceEntry[];
}

export interface SettleResult {
  /** message ids whose commit was applied */
  readonly applied: readonly string[];
  /** message ids whose commit was skipped: entry gone, or its lease now belongs to another owner */
  readonly stale: readonly string[];
}

export interface SpoolStore {
  /**
   * Commits a received message durably (fsync'd); concurrent calls may share one commit.
   * Rejects with SP_ERR_SPOOL_COMMIT_FAILED when the write fails: the caller answers 451.
   */
  accept(message: ReceivedMessage): Promise<void>;
  /** Leases up to `limit` entries with pending recipients that are due. */
  claim(owner: string, limit: number, leaseMs: number, now: number): Promise<SpoolEntry[]>;
  /**
   * Applies pipeline results in one transaction; entries with no pending recipient left are
   * removed from the spool. Commits whose entry is gone (deleted, already settled) or leased to
   * another owner are not applied and come back in `stale`. Rejects with
   * SP_ERR_STORE_WRITE_FAILED when the transaction fails (nothing of the batch is applied).
   */
  settle(commits: readonly PipelineCommit[]): Promise<SettleResult>;
  get(id: string): Promise<SpoolEntry | null>;
  list(limit?: number): Promise<SpoolEntry[]>;
  /** Makes a pending entry due now. */
  retry(id: string, now: number): Promise<boolean>;
  /** Removes the entry without processing it. */
  delete(id: string): Promise<boolean>;
  nextDueAt(): Promise<number | null>;
  /**
   * Drops every lease held by `owner` (a node starting up owns nothing yet: its previous run's
   * leases would otherwise block those entries until they expire). Returns how many were released.
   * Node names must be unique within a cluster.
   */
  releaseLeases(owner: string): Promise<number>;
}

export interface QuarantineSummary {
  readonly id: string;
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly sender: string;
  readonly reason: string;
  readonly createdAt: number;
  readonly rules: readonly string[];
  /** the message can be released (stored with what a release needs) */
  readonly releasable: boolean;
}

export interface QuarantineEntry extends QuarantineSummary {
  readonly bytes: Buffer;
  readonly trace: readonly TraceEntry[];
  readonly release: QuarantineRelease | null;
}

export interface QuarantineStore {
  list(limit?: number): Promise<QuarantineSummary[]>;
  get(id: string): Promise<QuarantineEntry | null>;
  /**
   * Hands the entry back to the spool as a new entry `spoolId` (resuming after the policy stage
   * when the entry has a resume point) and removes it, in one transaction. null = no such entry;
   * throws SP_ERR_CLI_USAGE for entries stored without release data (before migration 0005).
   */
  release(id: string, spoolId: string, now: number): Promise<{ readonly spoolId: string; readonly resumesAt: string | null } | null>;
  delete(id: string): Promise<boolean>;
  /** Removes entries created before `before`; returns how many. */
  purge(before: number): Promise<number>;
}
