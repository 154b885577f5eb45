/**
 * `sealpost portal list|show|recall` (DESIGN §3): messages deposited in the recipients' portal,
 * read and changed through the portal store, so it works while the gateway runs (a recall takes
 * effect at the recipient's next request: the key is gone).
 * Exit codes: 0 done; 1 no such message, or one already recalled or expired (SP_ERR_STORE_NOT_FOUND); 2 internal.
 * SECURITY: list/show print metadata and the audit trail (who read it, when), never the body.
 * A recall destroys the message's key and ciphertext at once; it cannot be undone.
 */
import type { Command } from 'commander';
import { SealpostError } from '../errors/index.js';
import { recallMessage } from '../portal/lifecycle.js';
import type { PortalMessage, PortalStore } from '../portal/store.js';
import { isoOrNull } from './input.js';
import type { Output } from './output.js';

function row(m: PortalMessage) {
  return {
    id: m.id,
    messageId: m.spoolId,
    state: m.state,
    sender: m.sender,
    recipient: m.recipient,
    subject: m.subject,
    profile: m.profile,
    createdAt: isoOrNull(m.createdAt),
    expiresAt: isoOrNull(m.expiresAt),
    readAt: isoOrNull(m.readAt),
    recalledAt: isoOrNull(m.recalledAt),
    remindersSent: m.remindersSent,
    attachments: m.attachments.length,
    size: m.size,
  };
}

export async function portalList(store: PortalStore, out: Output, opts: { limit: number; sender?: string; recipient?: string; all: boolean }): Promise<void> {
  const rows = (await store.messages.list({ limit: opts.limit, includeInactive: opts.all, ...(opts.sender ? { sender: opts.sender } : {}), ...(opts.recipient ? { recipient: opts.recipient } : {}) })).map(row);
  const human = rows.length === 0 ? 'no portal messages' : rows.map((r) => `${r.id}  ${r.state.padEnd(8)}  ${r.createdAt}  <${r.sender}> → ${r.recipient}  ${JSON.stringify(r.subject)}`).join('\n');
  out.print(human, rows);
}

export async function portalShow(store: PortalStore, out: Output, id: string): Promise<void> {
  const m = await store.messages.get(id);
  if (!m) throw notFound(id);
  const audit = (await store.audit.list({ messageId: id, limit: 200 })).reverse();
  const data = {
    ...row(m),
    from: m.fromHeader,
    security: m.security,
    allowReply: m.allowReply,
    allowReplyAll: m.allowReplyAll,
    allowForward: m.allowForward,
    readReceipts: m.readReceipts,
    locale: m.locale,
    keyPresent: m.hasKey,
    attachmentList: m.attachments.map((a) => ({ ...a })),
    audit: audit.map((a) => ({ at: isoOrNull(a.at), event: a.event, address: a.address, ip: a.ip, detail: a.detail })),
  };
  const lines = [
    `id           ${data.id}`,
    `message      ${data.messageId}`,
    `state        ${data.state}${data.keyPresent ? '' : ' (key destroyed)'}`,
    `sender       <${data.sender}>`,
    `recipient    ${data.recipient}`,
    `subject      ${JSON.stringify(data.subject)}`,
    `profile      ${data.profile} (security ${data.security}; reply ${data.allowReply}, reply-all ${data.allowReplyAll}, forward ${data.allowForward}, read receipts ${data.readReceipts})`,
    `created      ${data.createdAt}`,
    `expires      ${data.expiresAt ?? 'never'}`,
    `read         ${data.readAt ?? '-'}`,
    `recalled     ${data.recalledAt ?? '-'}`,
    `reminders    ${data.remindersSent}`,
    `size         ${data.size} bytes`,
    'attachments:',
    ...(data.attachmentList.length === 0 ? ['  -'] : data.attachmentList.map((a) => `  ${a.part}  ${a.filename}  ${a.contentType}  ${a.size} bytes`)),
    'audit:',
    ...data.audit.map((a) => `  ${a.at}  ${a.event.padEnd(12)} ${a.address ?? ''}${a.ip ? ` from ${a.ip}` : ''}${Object.keys(a.detail).length ? ` ${JSON.stringify(a.detail)}` : ''}`),
  ];
  out.print(lines.join('\n'), data);
}

export async function portalRecall(store: PortalStore, out: Output, id: string): Promise<void> {
  const r = await recallMessage({ store }, id, { via: 'cli', address: null });
  if (!r.recalled) {
    if (r.reason === 'not-found') throw notFound(id);
    const why = r.reason === 'already-recalled' ? 'was already recalled' : 'has expired (its key is already destroyed)';
    // a user error (exit 1) like an unknown id: there is no readable message to recall
    throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `portal message ${id} ${why}; nothing to recall`, { portalId: id });
  }
  out.print(`${id} recalled: ${r.message.recipient} can no longer read it (key and ciphertext destroyed)`, { id, recalled: true, recipient: r.message.recipient, recalledAt: isoOrNull(r.message.recalledAt) });
}

function notFound(id: string): SealpostError {
  return new SealpostError('SP_ERR_STORE_NOT_FOUND', `no portal message ${id} (see sealpost portal list --all)`, { portalId: id });
}

export interface PortalCliDeps {
  readonly output: () => Output;
  readonly withStores: (fn: (stores: { readonly portal: PortalStore }) => Promise<void>) => Promise<void>;
}

export function registerPortalCommands(program: Command, deps: PortalCliDeps): void {
  const p = program.command('portal').description('messages deposited in the recipients\' portal');
  p.command('list')
    .description('portal messages, newest first (active ones unless --all)')
    .option('--all', 'include recalled, expired and deleted messages')
    .option('--sender <address>', 'only messages from this sender')
    .option('--recipient <address>', 'only messages to this recipient')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (opts: { all?: boolean; sender?: string; recipient?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new SealpostError('SP_ERR_CLI_USAGE', `--limit must be a positive integer, not "${opts.limit}"`);
      await deps.withStores((s) => portalList(s.portal, deps.output(), { limit, all: Boolean(opts.all), ...(opts.sender ? { sender: opts.sender } : {}), ...(opts.recipient ? { recipient: opts.recipient } : {}) }));
    });
  p.command('show <id>').description('metadata and audit trail of a portal message (never its body)').action(async (id: string) => deps.withStores((s) => portalShow(s.portal, deps.output(), id)));
  p.command('recall <id>').description('withdraw a portal message: its key and ciphertext are destroyed, the recipient can no longer read it').action(async (id: string) => deps.withStores((s) => portalRecall(s.portal, deps.output(), id)));
}
