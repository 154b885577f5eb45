/**
 * `sealpost queue list|show|retry|delete`: the spool (received, not yet processed) and the
 * delivery queue, read and changed through the stores so it works while the gateway runs.
 */
import { SealpostError } from '../errors/index.js';
import type { QueueItem } from '../queue/types.js';
import type { SpoolEntry, SpoolStore } from '../spool/types.js';
import type { QueueStore } from '../queue/types.js';
import { isoOrNull } from './input.js';
import type { Output } from './output.js';

export interface QueueCliStores {
  readonly spool: SpoolStore;
  readonly queue: QueueStore;
}

function spoolRow(e: SpoolEntry) {
  return { id: e.id, stage: 'spool', messageId: e.id, sender: e.envelope.mailFrom, recipients: [...e.pending], state: e.attempts > 0 ? 'deferred' : 'received', attempts: e.attempts, createdAt: isoOrNull(e.receivedAt), nextAttemptAt: isoOrNull(e.nextAttemptAt), lastResponse: e.lastError, size: e.body.length };
}

function queueRow(i: QueueItem) {
  return { id: i.id, stage: 'queue', messageId: i.messageId, kind: i.kind, sender: i.sender, recipients: [i.recipient], direction: i.direction, route: i.route, state: i.state, attempts: i.attempts, createdAt: isoOrNull(i.createdAt), nextAttemptAt: isoOrNull(i.nextAttemptAt), giveUpAt: isoOrNull(i.giveUpAt), lastResponse: i.lastResponse };
}

export async function queueList(stores: QueueCliStores, out: Output, all: boolean): Promise<void> {
  const spool = (await stores.spool.list(1000)).map(spoolRow);
  const queue = (await stores.queue.list(all ? { limit: 1000 } : { states: ['queued', 'deferred'], limit: 1000 })).map(queueRow);
  const rows = [...spool, ...queue];
  const human = rows.length === 0
    ? 'queue is empty'
    : rows.map((r) => `${r.id}  ${r.stage.padEnd(5)}  ${r.state.padEnd(9)}  ${String(r.attempts).padStart(2)}  <${r.sender}> → ${r.recipients.join(', ')}${r.lastResponse ? `  (${r.lastResponse})` : ''}`).join('\n');
  out.print(human, rows);
}

export async function queueShow(stores: QueueCliStores, out: Output, id: string): Promise<void> {
  const item = await stores.queue.get(id);
  if (item) {
    const data = { ...queueRow(item), lastDelivery: item.lastDelivery, trace: item.trace.map((t) => ({ ...t, at: isoOrNull(t.at) })) };
    out.print(formatDetail(data), data);
    return;
  }
  const entry = await stores.spool.get(id);
  if (entry) {
    const data = { ...spoolRow(entry), envelope: entry.envelope, session: entry.session, trace: entry.trace.map((t) => ({ ...t, at: isoOrNull(t.at) })) };
    out.print(formatDetail(data), data);
    return;
  }
  throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no spool entry or queue item ${id}`, { queueId: id });
}

export async function queueRetry(stores: QueueCliStores, out: Output, id: string): Promise<void> {
  const now = Date.now();
  if ((await stores.queue.retry(id, now)) || (await stores.spool.retry(id, now))) {
    out.print(`${id} will be retried now`, { id, retried: true });
    return;
  }
  throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no pending spool entry or active queue item ${id}`, { queueId: id });
}

export async function queueDelete(stores: QueueCliStores, out: Output, id: string): Promise<void> {
  if ((await stores.queue.delete(id)) || (await stores.spool.delete(id))) {
    out.print(`${id} deleted (it will not be delivered)`, { id, deleted: true });
    return;
  }
  throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no pending spool entry or active queue item ${id}`, { queueId: id });
}

function formatDetail(data: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'trace') continue;
    lines.push(`${key.padEnd(14)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
  }
  lines.push('trace:');
  for (const t of (data.trace as { at: string; stage: string; event: string; detail?: string; recipients?: string[] }[]) ?? []) {
    lines.push(`  ${t.at}  ${t.stage.padEnd(28)} ${t.event}${t.detail ? `: ${t.detail}` : ''}${t.recipients ? ` [${t.recipients.join(', ')}]` : ''}`);
  }
  return lines.join('\n');
}
