/**
 * `policy explain`: the engine's dry run. Runs a message file through the same processors the
 * gateway uses, as if an internal (relaying) session had sent it, and reports per recipient what
 * would happen and why — nothing is stored, queued or delivered.
 */
import type { Direction, EnvelopeRecipient } from '../mail/envelope.js';
import { envelopeAddress, type MessageContext, type RuleEvaluation } from '../mail/context.js';
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
  /** every rule evaluated for this recipient: matched or not, with its score */
  readonly rules: readonly RuleEvaluation[];
  /** where the message goes when a suffix route rewrote the address (else absent) */
  readonly deliverTo?: string;
  /** notices the policy would send (type and recipient) */
  readonly notices: readonly string[];
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
  /** the gateway's recipient rewrite before a run (suffix routing) */
  readonly rewriteRecipients?: (recipients: readonly EnvelopeRecipient[]) => EnvelopeRecipient[];
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
  const given: EnvelopeRecipient[] = input.to.map((address) => ({ address, direction: input.isInternal(address) ? 'inbound' : 'outbound' }));
  const recipients = input.rewriteRecipients ? input.rewriteRecipients(given) : given;
  const trace = new Trace(now);
  const msg: MessageContext = {
    id: 'explain',
    envelope: { mailFrom: input.from, recipients: given },
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
    const hold = branch.facts.hold;
    const evaluated = branch.facts.evaluated ?? [];
    // a hold decides over any encryption decision, so it is what "decided" means for the recipient
    const decidedBy = hold ? { rule: hold.rule, level: evaluated.find((e) => e.rule === hold.rule)?.level ?? 'gateway' } : protection ? { rule: protection.decidedBy.rule, level: protection.decidedBy.level } : null;
    return {
      address: envelopeAddress(r),
      ...(envelopeAddress(r) !== r.address ? { deliverTo: r.address } : {}),
      direction: r.direction,
      action: actionOf(branch),
      method: branch.facts.method ?? null,
      decidedBy,
      rules: evaluated,
      notices: (branch.facts.notices ?? []).map((n) => `${MessageDraft.parse(Buffer.from(n.bytes)).get('X-Sealpost-Notification') ?? 'notice'} to ${n.recipient}`),
      reason: 'reason' in branch.outcome ? branch.outcome.reason : null,
      trace: trace.entries.filter((e) => !e.recipients || e.recipients.includes(r.address)),
    };
  });
}
