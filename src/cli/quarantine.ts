/**
 * `sealpost quarantine list|show|release|delete` (DESIGN §3): held messages, read and changed
 * through the quarantine store so it works while the gateway runs (a release is picked up by the
 * pipeline within its poll interval).
 * Exit codes: 0 done; 1 no such entry, or an entry that cannot be released; 2 internal error.
 * SECURITY: `show` prints the header block and the trace, never the body (it may hold what the
 * rule was protecting); release never bypasses the policy: the message resumes after the policy
 * stage with the decision that was saved, so what had to be encrypted is encrypted.
 */
import type { Command } from 'commander';
import { SealpostError } from '../errors/index.js';
import { newId } from '../mail/ids.js';
import { MessageDraft } from '../mime/draft.js';
import type { QuarantineStore, QuarantineSummary } from '../spool/types.js';
import type { Output } from './output.js';

const iso = (ms: number) => new Date(ms).toISOString();

function row(q: QuarantineSummary) {
  return { id: q.id, messageId: q.messageId, sender: q.sender, recipients: [...q.recipients], reason: q.reason, rules: [...q.rules], createdAt: iso(q.createdAt), releasable: q.releasable };
}

export async function quarantineList(store: QuarantineStore, out: Output, limit = 1000): Promise<void> {
  const rows = (await store.list(limit)).map(row);
  const human = rows.length === 0 ? 'quarantine is empty' : rows.map((r) => `${r.id}  ${r.createdAt}  <${r.sender}> → ${r.recipients.join(', ')}  ${r.reason}${r.rules.length ? ` [${r.rules.join(', ')}]` : ''}`).join('\n');
  out.print(human, rows);
}

export async function quarantineShow(store: QuarantineStore, out: Output, id: string): Promise<void> {
  const entry = await store.get(id);
  if (!entry) throw notFound(id);
  const headers = MessageDraft.parse(entry.bytes).headerBytes().toString('latin1');
  const resume = entry.release?.resume ?? null;
  const data = {
    ...row(entry),
    size: entry.bytes.length,
    resumesAt: resume?.processor ?? null,
    protection: resume?.facts.protection ?? null,
    headers,
    trace: entry.trace.map((t) => ({ ...t, at: iso(t.at) })),
  };
  const lines = [
    `id          ${data.id}`,
    `message     ${data.messageId}`,
    `created     ${data.createdAt}`,
    `sender      <${data.sender}>`,
    `recipients  ${data.recipients.join(', ')}`,
    `reason      ${data.reason}`,
    `rules       ${data.rules.join(', ') || '-'}`,
    `size        ${data.size} bytes`,
    `release     ${!data.releasable ? 'not possible (stored before release support)' : resume ? `resumes at ${resume.processor}${data.protection ? `, ${data.protection.level} protection (profile ${data.protection.profile})` : ''}` : 'runs the whole pipeline again'}`,
    'headers:',
    // hostile mail may carry terminal escape sequences: never hand them to the operator's terminal
    ...headers.trimEnd().split(/\r?\n/).map((l) => `  ${l.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?')}`),
    'trace:',
    ...data.trace.map((t) => `  ${t.at}  ${t.stage.padEnd(28)} ${t.event}${t.detail ? `: ${t.detail}` : ''}${t.recipients ? ` [${t.recipients.join(', ')}]` : ''}`),
  ];
  out.print(lines.join('\n'), data);
}

export async function quarantineRelease(store: QuarantineStore, out: Output, id: string, now = Date.now()): Promise<void> {
  const released = await store.release(id, newId(now), now);
  if (!released) throw notFound(id);
  const where = released.resumesAt ? `resumes after the policy stage at ${released.resumesAt}` : 'runs the whole pipeline again';
  out.print(`${id} released as spool entry ${released.spoolId} (${where})`, { id, released: true, spoolId: released.spoolId, resumesAt: released.resumesAt });
}

export async function quarantineDelete(store: QuarantineStore, out: Output, id: string): Promise<void> {
  if (!(await store.delete(id))) throw notFound(id);
  out.print(`${id} deleted`, { id, deleted: true });
}

function notFound(id: string): SealpostError {
  return new SealpostError('SP_ERR_STORE_NOT_FOUND', `no quarantine entry ${id}`, { quarantineId: id });
}

export interface QuarantineCliDeps {
  readonly output: () => Output;
  /** opens the stores for one command and closes them after */
  readonly withStores: (fn: (stores: { quarantine: QuarantineStore }) => Promise<void>) => Promise<void>;
}

export function registerQuarantineCommands(program: Command, deps: QuarantineCliDeps): void {
  const q = program.command('quarantine').description('messages held by policy (or by repeated failures)');
  q.command('list').description('held messages, newest first').option('--limit <n>', 'at most this many', '1000').action(async (opts: { limit: string }) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new SealpostError('SP_ERR_CLI_USAGE', `--limit must be a positive integer, not "${opts.limit}"`);
    await deps.withStores((s) => quarantineList(s.quarantine, deps.output(), limit));
  });
  q.command('show <id>').description('headers, reason, rules and trace of a held message').action(async (id: string) => deps.withStores((s) => quarantineShow(s.quarantine, deps.output(), id)));
  q.command('release <id>').description('hand the message back to the pipeline; it continues after the policy stage (still protected as decided)').action(async (id: string) => deps.withStores((s) => quarantineRelease(s.quarantine, deps.output(), id)));
  q.command('delete <id>').description('remove a held message for good').action(async (id: string) => deps.withStores((s) => quarantineDelete(s.quarantine, deps.output(), id)));
}
