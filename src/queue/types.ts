/**
 * queue/ — per-recipient delivery items and their states.
 *
 * Each item is one recipient of one transformed body; items sharing a body and a next hop are
 * delivered in one SMTP transaction. States: queued → (deferred ↔ queued) → delivered | bounced |
 * expired | deleted. Bodies are stored once and shared by reference.
 */
import type { Direction } from '../mail/envelope.js';
import type { TraceEntry } from '../mail/trace.js';

export type QueueState = 'queued' | 'deferred' | 'delivered' | 'bounced' | 'expired' | 'deleted';
export const ACTIVE_QUEUE_STATES: readonly QueueState[] = ['queued', 'deferred'];

/** message = a user's mail; dsn / notice = something we generated (never answered with a DSN). */
export type QueueItemKind = 'message' | 'dsn' | 'notice';

export interface DeliveryRecord {
  readonly at: number;
  readonly hop: string;
  readonly remote?: string;
  readonly tls: { readonly protocol: string; readonly cipher: string; readonly verified: boolean } | null;
  readonly response: string;
  /** for TLS-instead items: which form went (or would have gone) out */
  readonly form?: 'plaintext-over-verified-tls' | 'encrypted-fallback';
}

export interface QueueItem {
  readonly id: string;
  readonly messageId: string;
  readonly bodyId: string;
  readonly kind: QueueItemKind;
  /** envelope sender for delivery ('' = <>) */
  readonly sender: string;
  readonly recipient: string;
  readonly direction: Direction;
  /** 'outbound' | 'inbound' | 'route:<hop url>' */
  readonly route: string;
  readonly state: QueueState;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
  readonly giveUpAt: number;
  readonly lastResponse: string | null;
  readonly lastDelivery: DeliveryRecord | null;
  readonly trace: readonly TraceEntry[];
  /**
   * TLS instead of encryption (profile `tlsInsteadOfEncryption`): the body goes only over a
   * verified TLS session; otherwise the fallback body (the encrypted form) goes, or, without one,
   * the item is deferred. Delivery never downgrades.
   */
  readonly tlsInstead?: { readonly fallbackBodyId: string | null };
}

export interface NewQueueBody {
  readonly id: string;
  readonly messageId: string;
  readonly bytes: Buffer;
}

export type NewQueueItem = Omit<QueueItem, 'state' | 'attempts' | 'lastResponse' | 'lastDelivery'>;

/** Result of one delivery attempt for one item, written back in a batch. */
export type DeliveryResult =
  | { readonly id: string; readonly state: 'delivered'; readonly delivery: DeliveryRecord }
  | { readonly id: string; readonly state: 'deferred'; readonly nextAttemptAt: number; readonly response: string; readonly delivery: DeliveryRecord | null }
  | { readonly id: string; readonly state: 'bounced' | 'expired'; readonly response: string; readonly delivery: DeliveryRecord | null };

export interface QueueListFilter {
  readonly states?: readonly QueueState[];
  readonly messageId?: string;
  readonly limit?: number;
}

export interface QueueStore {
  /** Leases up to `limit` due items (state queued/deferred, nextAttemptAt <= now, no live lease) to `owner`. */
  claimDue(owner: string, limit: number, leaseMs: number, now: number): Promise<QueueItem[]>;
  getBody(bodyId: string): Promise<Buffer | null>;
  /**
   * Records attempt results, releases their leases and inserts the generated items (DSNs, notices)
   * in one transaction, so a bounce and its DSN are committed together.
   */
  recordResults(results: readonly DeliveryResult[], generated: { bodies: readonly NewQueueBody[]; items: readonly NewQueueItem[] }): Promise<void>;
  get(id: string): Promise<QueueItem | null>;
  list(filter?: QueueListFilter): Promise<QueueItem[]>;
  /** Makes a deferred/queued item due now; false when the id is unknown or already final. */
  retry(id: string, now: number): Promise<boolean>;
  /** Marks the item deleted (never delivered); false when unknown or already final. */
  delete(id: string): Promise<boolean>;
  /** earliest nextAttemptAt among active items, for the delivery scheduler's sleep */
  nextDueAt(): Promise<number | null>;
  /**
   * Removes final items (and bodies nobody references) that became final before `before`
   * (items without a recorded finish time count from their creation). Returns the items removed.
   */
  purge(before: number): Promise<number>;
  /** Drops every lease held by `owner` (node restart; see SpoolStore.releaseLeases). Returns how many. */
  releaseLeases(owner: string): Promise<number>;
}
