/**
 * portal/lifecycle — what happens to a deposited message after the deposit: recall (CLI or the
 * sender's link), read receipts on the first read, reminders for unread messages, expiry (the
 * key and ciphertext are destroyed, the sender is told when it went unread) and retention
 * cleanup. The periodic part (`runLifecycle`) runs on one node of a cluster at a time
 * (stores.runSingleton, wired in app.ts); each notice is claimed in the store first with a
 * conditional update, so even two overlapping runs send it once.
 *
 * Notices are queued through the queue store as `notice` items (DESIGN §2: surfaces never speak
 * SMTP to the gateway); the delivery worker sends them like any other item.
 * SECURITY: audit entries carry ids and addresses, never subjects or bodies.
 */
import type { OutgoingNotice } from '../mail/context.js';
import type { Notifier } from '../notify/notifier.js';
import type { QueueStore } from '../queue/types.js';
import { linkExpiry, messageLink } from './deposit.js';
import type { PortalMessage, PortalStore } from './store.js';

export interface LifecycleSettings {
  /** portal.reminders (ms after the deposit, ascending) */
  readonly reminders: readonly number[];
  readonly linkValidityMs: number;
  readonly expiredNotice: boolean;
  readonly retention: { readonly messages: number; readonly sent: number; readonly audit: number };
}

export interface LifecycleDeps {
  readonly store: PortalStore;
  readonly queue: Pick<QueueStore, 'recordResults'>;
  readonly notifier: Notifier;
  readonly baseUrl: () => string;
  readonly settings: LifecycleSettings;
  /** delivery.giveUpAfter: notices give up like other items */
  readonly giveUpAfterMs: number;
  readonly now: () => number;
  readonly newId: (now?: number) => string;
  /** told after notices were queued (app.ts pokes the delivery worker) */
  readonly onQueued?: () => void;
}

const isoDate = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString().slice(0, 10));

/** Queues notices outside a pipeline run: one body and one `notice` item each, in one transaction. */
export async function queueNotices(deps: Pick<LifecycleDeps, 'queue' | 'giveUpAfterMs' | 'now' | 'newId' | 'onQueued'>, spoolId: string, notices: readonly OutgoingNotice[], stage: string): Promise<void> {
  if (notices.length === 0) return;
  const now = deps.now();
  const bodies = notices.map((n) => ({ id: deps.newId(now), messageId: spoolId, bytes: Buffer.from(n.bytes) }));
  const items = notices.map((n, i) => ({
    id: deps.newId(now),
    messageId: spoolId,
    bodyId: bodies[i]!.id,
    kind: 'notice' as const,
    sender: '',
    recipient: n.recipient,
    direction: n.direction,
    route: n.direction,
    createdAt: now,
    nextAttemptAt: now,
    giveUpAt: now + deps.giveUpAfterMs,
    trace: [{ at: now, stage, event: 'notice', detail: n.key, recipients: [n.recipient] }],
  }));
  await deps.queue.recordResults([], { bodies, items });
  deps.onQueued?.();
}

export type RecallResult = { readonly recalled: true; readonly message: PortalMessage } | { readonly recalled: false; readonly reason: 'not-found' | 'already-recalled' | 'expired' };

/** Withdraws a message: key and ciphertext are destroyed at once (store.recall). */
export async function recallMessage(deps: Pick<LifecycleDeps, 'store'>, id: string, by: { readonly via: 'cli' | 'link'; readonly address?: string | null; readonly ip?: string | null }): Promise<RecallResult> {
  const before = await deps.store.messages.get(id);
  if (!before) return { recalled: false, reason: 'not-found' };
  if (before.state === 'recalled') return { recalled: false, reason: 'already-recalled' };
  if (before.state === 'expired' && !before.hasKey) return { recalled: false, reason: 'expired' };
  const r = await deps.store.messages.recall(id);
  if (!r.recalled || !r.message) return { recalled: false, reason: 'already-recalled' };
  await deps.store.audit.record({ event: 'recall', address: by.address ?? r.message.sender, messageId: id, ip: by.ip ?? null, detail: { via: by.via } });
  return { recalled: true, message: r.message };
}

/**
 * The sender's recall link: a GET shows `peekRecall` (nothing consumed), the POST calls this.
 * Null when the token is unknown, used or expired.
 */
export async function recallByToken(deps: Pick<LifecycleDeps, 'store'>, token: string, ip?: string): Promise<RecallResult | null> {
  const record = await deps.store.tokens.consume(token, 'recall');
  if (!record || !record.messageId) return null;
  const message = await deps.store.messages.get(record.messageId);
  // the token names the sender it was issued to: it recalls only that sender's message
  if (!message || message.sender !== record.address) return { recalled: false, reason: 'not-found' };
  return recallMessage(deps, message.id, { via: 'link', address: record.address, ip: ip ?? null });
}

/** What the recall page shows before the POST (subject, recipient); null when the link is dead. */
export async function peekRecall(deps: Pick<LifecycleDeps, 'store' | 'now'>, token: string): Promise<PortalMessage | null> {
  const record = await deps.store.tokens.peek(token, 'recall');
  if (!record || !record.messageId || record.usedAt !== null || record.expiresAt <= deps.now()) return null;
  const message = await deps.store.messages.get(record.messageId);
  return message && message.sender === record.address ? message : null;
}

/** First read of a message with read receipts on: the sender is told (once; the caller passes markRead's `first`). */
export async function sendReadReceipt(deps: LifecycleDeps, message: PortalMessage, readAt: number): Promise<boolean> {
  if (!message.readReceipts || message.sender === '') return false;
  const notice = deps.notifier.compose({
    type: 'read-receipt',
    to: message.sender,
    profile: message.profile,
    vars: { reader: message.recipient, subject: message.subject, readAt: new Date(readAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' },
    key: `read-receipt:${message.id}`,
  });
  await queueNotices(deps, message.spoolId, [notice], 'portal/read-receipt');
  await deps.store.audit.record({ event: 'read-receipt', address: message.sender, messageId: message.id });
  return true;
}

export interface LifecycleRun {
  readonly reminders: number;
  readonly expired: number;
  readonly expiredNotices: number;
  readonly purged: { readonly messages: number; readonly sent: number; readonly audit: number; readonly tokens: number; readonly sessions: number };
}

const BATCH = 200;

/** One pass: reminders, expiry, retention. Idempotent; safe to run on any node (one at a time is cheaper). */
export async function runLifecycle(deps: LifecycleDeps): Promise<LifecycleRun> {
  const now = deps.now();
  const { settings, store } = deps;

  let reminders = 0;
  for (let n = 0; n < settings.reminders.length; n++) {
    const due = await store.messages.dueForReminder({ createdBefore: now - settings.reminders[n]!, remindersSent: n, limit: BATCH });
    for (const m of due) {
      // claim first: a second node (or run) that also saw it loses here and sends nothing
      if (!(await store.messages.markReminded(m.id, n))) continue;
      const token = await store.tokens.issue({ purpose: 'message', address: m.recipient, messageId: m.id, expiresAt: linkExpiry(m, now, settings.linkValidityMs) });
      const notice = deps.notifier.compose({
        type: 'portal-reminder',
        to: m.recipient,
        locale: m.locale,
        profile: m.profile,
        vars: { sender: m.fromHeader || m.sender, subject: m.subject, link: messageLink(deps.baseUrl(), token), expires: isoDate(m.expiresAt), recipient: m.recipient },
        key: `portal-reminder:${m.id}:${n + 1}`,
      });
      await queueNotices(deps, m.spoolId, [notice], 'portal/reminder');
      await store.audit.record({ event: 'reminder', address: m.recipient, messageId: m.id, detail: { n: n + 1 } });
      reminders++;
    }
  }

  let expired = 0;
  let expiredNotices = 0;
  for (const m of await store.messages.dueForExpiry({ limit: BATCH })) {
    if (!(await store.messages.markExpired(m.id))) continue;
    expired++;
    await store.audit.record({ event: 'expire', address: m.recipient, messageId: m.id, detail: { read: m.readAt !== null } });
    if (settings.expiredNotice && m.readAt === null && m.sender !== '') {
      const notice = deps.notifier.compose({ type: 'expired', to: m.sender, profile: m.profile, vars: { subject: m.subject, recipients: [m.recipient] }, key: `expired:${m.id}` });
      await queueNotices(deps, m.spoolId, [notice], 'portal/expired');
      expiredNotices++;
    }
  }

  // retention: loops because each purge call removes a bounded batch
  const drain = async (f: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const n = await f();
      total += n;
      if (n === 0) break;
    }
    return total;
  };
  const purged = {
    messages: await drain(() => store.messages.purge(now - settings.retention.messages)),
    sent: await drain(() => store.sent.purge(now - settings.retention.sent)),
    audit: await store.audit.purge(now - settings.retention.audit),
    tokens: await store.tokens.purge(now),
    sessions: await store.sessions.purge(now),
  };
  return { reminders, expired, expiredNotices, purged };
}
