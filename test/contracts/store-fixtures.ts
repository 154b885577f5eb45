/**
 * Fixtures shared by the store contract suites: messages, commits, queue items, and the harness
 * shape an engine provides (SQLite now, PostgreSQL next).
 * SECURITY: synthetic data only.
 */
import type { StoreOptions, Stores } from '../../src/db/index.js';
import type { NewQueueBody, NewQueueItem } from '../../src/queue/types.js';
import type { NewQuarantineEntry, PipelineCommit, ReceivedMessage } from '../../src/spool/types.js';

/** a fixed epoch so tests never depend on the wall clock */
export const T0 = 1_700_000_000_000;

export interface StoreHarness {
  readonly stores: Stores;
  /** closes `stores` and opens the same database again, as a restarted process would */
  reopen(): Promise<Stores>;
  /**
   * Makes every INSERT of a spool entry whose id starts with `prefix` fail inside the database
   * (a trigger raising an error), so the transaction holding it really fails and rolls back.
   */
  poisonSpoolInserts(prefix: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Builds a fresh, empty database per call. */
export type MakeHarness = (opts?: StoreOptions) => Promise<StoreHarness>;

let seq = 0;
export function uid(prefix = 'ID'): string {
  seq += 1;
  return `${prefix}${String(seq).padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;
}

export function message(id: string, recipients: readonly string[] = ['bob@partner.test', 'carol@partner.test'], body = `Subject: ${id}\r\n\r\nhello\r\n`): ReceivedMessage {
  return {
    id,
    envelope: { mailFrom: 'alice@example.test', recipients: recipients.map((address) => ({ address, direction: 'outbound' as const })) },
    session: { listener: 'main', remoteAddress: '127.0.0.1', helo: 'client.example.test', tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }, authUser: null, mayRelay: true, receivedAt: T0 },
    body: Buffer.from(body, 'latin1'),
  };
}

export function body(messageId: string, text = 'encrypted bytes'): NewQueueBody {
  return { id: uid('B'), messageId, bytes: Buffer.from(text) };
}

export function item(messageId: string, bodyId: string, recipient: string, over: Partial<NewQueueItem> = {}): NewQueueItem {
  return {
    id: uid('Q'),
    messageId,
    bodyId,
    kind: 'message',
    sender: 'alice@example.test',
    recipient,
    direction: 'outbound',
    route: 'outbound',
    createdAt: T0,
    nextAttemptAt: T0,
    giveUpAt: T0 + 5 * 86_400_000,
    trace: [{ at: T0, stage: 'outbound/queue', event: 'queued', recipients: [recipient] }],
    ...over,
  };
}

export function quarantined(messageId: string, recipients: readonly string[]): NewQuarantineEntry {
  return { id: uid('X'), messageId, recipients, reason: 'dlp: card number', sender: 'alice@example.test', bytes: Buffer.from('held'), trace: [{ at: T0, stage: 'outbound/dlp', event: 'quarantine' }], createdAt: T0 };
}

/** A commit that queues `settled` (one shared body) and defers the rest when `deferUntil` is set. */
export function commit(messageId: string, settled: readonly string[], opts: { owner?: string; deferUntil?: number; quarantine?: readonly string[] } = {}): PipelineCommit {
  const b = body(messageId);
  const queued = settled.filter((r) => !(opts.quarantine ?? []).includes(r));
  return {
    messageId,
    ...(opts.owner === undefined ? {} : { owner: opts.owner }),
    settled,
    deferral: opts.deferUntil === undefined ? null : { until: opts.deferUntil, reason: 'policy lookup timed out' },
    bodies: queued.length > 0 ? [b] : [],
    items: queued.map((r) => item(messageId, b.id, r)),
    quarantine: opts.quarantine && opts.quarantine.length > 0 ? [quarantined(messageId, opts.quarantine)] : [],
    trace: [{ at: T0 + 1, stage: 'outbound/select', event: 'method', detail: 'smime' }],
  };
}

/** Rejects unless `p` rejects with a SealpostError of `code`; returns the error for further checks. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<{ code: string; context: Record<string, unknown>; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; context?: Record<string, unknown>; message?: string };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code ?? String(err)}: ${e.message ?? ''}`);
    return { code: e.code, context: e.context ?? {}, message: e.message ?? '' };
  }
  throw new Error(`expected a rejection with ${code}, but it resolved`);
}
