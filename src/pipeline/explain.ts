/**
 * `policy explain`: the engine's dry run. Runs a message file through the same processors the
 * gateway uses, as if an internal (relaying) session had sent it, and reports per recipient what
 * would happen and why — nothing is stored, queued or delivered.
 */
import type { Direction, EnvelopeRecipient } from '../mail/envelope.js';
import type { MessageContext } from '../mail/context.js';
import type { Processor } from '../mail/step.js';
import { Trace, type TraceEntry } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import { START_PROCESSOR } from './processors.js';
import { runPipeline, type TerminalBranch } from './runner.js';

export interface ExplainedRecipient {
  readonly address: string;
  readonly direction: Direction;
  /** deliver | encrypt | hold | defer | quarantine | block | bounce | drop */
  readonly action: string;
  readonly method: string | null;
  readonly decidedBy: { readonly rule: string; readonly level: string } | null;
  readonly rules: readonly string[];
  readonly reason: string | null;
  readonly trace: readonly TraceEntry[];
}

export interface ExplainInput {
  readonly bytes: Buffer;
  readonly from: string;
  readonly to: readonly string[];
  readonly isInternal: (address: string) => boolean;
  readonly processors: ReadonlyMap<string, Processor>;
  readonly stepTimeoutMs: number;
  readonly now?: () => number;
}

function actionOf(branch: TerminalBranch): string {
  const o = branch.outcome;
  switch (o.kind) {
    case 'queue':
      return branch.facts.method && branch.facts.method !== 'none' ? 'encrypt' : 'deliver';
    case 'defer':
      return o.reason.startsWith('held for encryption') ? 'hold' : 'defer';
    case 'bounce':
      return o.notice === 'blocked' ? 'block' : 'bounce';
    default:
      return o.kind;
  }
}

export async function explain(input: ExplainInput): Promise<ExplainedRecipient[]> {
  const now = input.now ?? Date.now;
  const recipients: EnvelopeRecipient[] = input.to.map((address) => ({ address, direction: input.isInternal(address) ? 'inbound' : 'outbound' }));
  const trace = new Trace(now);
  const msg: MessageContext = {
    id: 'explain',
    envelope: { mailFrom: input.from, recipients },
    session: { listener: 'explain', remoteAddress: '127.0.0.1', helo: 'explain', tls: null, authUser: null, mayRelay: true, receivedAt: now() },
    original: MessageDraft.parse(input.bytes),
    receivedAt: now(),
    attempts: 0,
    trace,
    now,
    facts: { processedMarker: null, encrypted: null, signed: null, autoSubmitted: false, notification: null, hops: 0 },
  };
  const done = await runPipeline(msg, recipients, { processors: input.processors, start: START_PROCESSOR, stepTimeoutMs: input.stepTimeoutMs, maxAttempts: 1, previousFailures: 0 });
  return recipients.map((r) => {
    const branch = done.find((b) => b.recipients.includes(r))!;
    const protection = branch.facts.protection;
    return {
      address: r.address,
      direction: r.direction,
      action: actionOf(branch),
      method: branch.facts.method ?? null,
      decidedBy: protection ? { rule: protection.decidedBy.rule, level: protection.decidedBy.level } : null,
      rules: branch.facts.rules ?? [],
      reason: 'reason' in branch.outcome ? branch.outcome.reason : null,
      trace: trace.entries.filter((e) => !e.recipients || e.recipients.includes(r.address)),
    };
  });
}
