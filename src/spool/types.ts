/**
 * spool/ — received messages, durable before the 250 reply.
 *
 * A spool entry is the received bytes plus the recipients the pipeline has not settled yet. The
 * pipeline's result (queue items, quarantine entries, recipients settled or rescheduled) is
 * committed in one transaction with `settle`, so a crash replays from the last commit.
 */
import type { Envelope, SessionInfo } from '../mail/envelope.js';
import type { TraceEntry } from '../mail/trace.js';
import type { NewQueueBody, NewQueueItem } from '../queue/types.js';

export interface ReceivedMessage {
  readonly id: string;
  readonly envelope: Envelope;
  readonly session: SessionInfo;
  /** exactly what will be processed: our Received header already prepended */
  readonly body: Buffer;
}

export interface SpoolEntry extends ReceivedMessage {
  readonly receivedAt: number;
  /** pipeline runs so far */
  readonly attempts: number;
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
}

/** Everything one pipeline run decided, committed atomically. */
export interface PipelineCommit {
  readonly messageId: string;
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

export interface SpoolStore {
  /**
   * Commits a received message durably (fsync'd); concurrent calls may share one commit.
   * Rejects with SP_ERR_SPOOL_COMMIT_FAILED when the write fails: the caller answers 451.
   */
  accept(message: ReceivedMessage): Promise<void>;
  /** Leases up to `limit` entries with pending recipients that are due. */
  claim(owner: string, limit: number, leaseMs: number, now: number): Promise<SpoolEntry[]>;
  /** Applies pipeline results; entries with no pending recipient left are removed from the spool. */
  settle(commits: readonly PipelineCommit[]): Promise<void>;
  get(id: string): Promise<SpoolEntry | null>;
  list(limit?: number): Promise<SpoolEntry[]>;
  /** Makes a pending entry due now. */
  retry(id: string, now: number): Promise<boolean>;
  /** Removes the entry without processing it. */
  delete(id: string): Promise<boolean>;
  nextDueAt(): Promise<number | null>;
}

export interface QuarantineSummary {
  readonly id: string;
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly sender: string;
  readonly reason: string;
  readonly createdAt: number;
}

/** Minimal quarantine store for this slice; list/release/delete commands come with the policy engine. */
export interface QuarantineStore {
  list(limit?: number): Promise<QuarantineSummary[]>;
  get(id: string): Promise<(QuarantineSummary & { bytes: Buffer; trace: readonly TraceEntry[] }) | null>;
}
