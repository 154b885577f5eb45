/**
 * pipeline/ — the engine: runs a spooled message through named processors of typed steps.
 *
 * Model (Apache James's mailets, typed): a step's matcher picks the subset of a branch's
 * recipients it applies to; a partial match forks the branch, both halves sharing the immutable
 * draft. Actions return an Outcome; `continue`/`goto` keep a branch running, everything else is
 * terminal. A step that throws or times out follows its onError policy (default: defer, and
 * quarantine once the message has failed `maxAttempts` times) — never "skip" for a
 * security-critical step, never fail open. The run ends with every recipient in exactly one
 * terminal state, or it throws SP_ERR_PIPELINE_UNTERMINATED and nothing is committed.
 * SECURITY: steps see untrusted mail; the engine itself never inspects bytes.
 */
import { SealpostError } from '../errors/index.js';
import type { Branch, BranchFacts, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { Outcome, TerminalOutcome } from '../mail/outcome.js';
import type { OnError, Processor, Step } from '../mail/step.js';
import type { MessageDraft } from '../mime/draft.js';

export interface TerminalBranch {
  readonly recipients: readonly EnvelopeRecipient[];
  readonly outcome: TerminalOutcome;
  readonly draft: MessageDraft;
  readonly facts: BranchFacts;
  /** processor/step that decided */
  readonly decidedAt: string;
}

export interface RunOptions {
  readonly processors: ReadonlyMap<string, Processor>;
  readonly start: string;
  readonly stepTimeoutMs: number;
  /** failed runs (errors, not deliberate holds) after which a failing step quarantines */
  readonly maxAttempts: number;
  /** failed runs this message already had */
  readonly previousFailures: number;
  readonly onStep?: (event: { stage: string; ms: number; outcome: Outcome['kind']; recipients: number }) => void;
}

interface RunningBranch extends Branch {
  readonly processor: Processor;
  readonly stepIndex: number;
}

// A goto cycle in processor data must not spin forever; real pipelines run a few dozen steps.
const MAX_STEP_EXECUTIONS = 10_000;

export async function runPipeline(msg: MessageContext, recipients: readonly EnvelopeRecipient[], options: RunOptions): Promise<TerminalBranch[]> {
  const first = processorNamed(options, options.start);
  const work: RunningBranch[] = [{ recipients, draft: msg.original, facts: {}, processor: first, stepIndex: 0 }];
  const done: TerminalBranch[] = [];
  let executions = 0;

  while (work.length > 0) {
    const branch = work.pop()!;
    if (++executions > MAX_STEP_EXECUTIONS) {
      throw new SealpostError('SP_ERR_PIPELINE_UNTERMINATED', 'step limit reached (goto cycle?)', { messageId: msg.id, stage: branch.processor.name });
    }
    const step = branch.processor.steps[branch.stepIndex];
    if (!step) {
      // Falling off the end of a processor is a bug in processor data; it must not deliver.
      const stage = `${branch.processor.name}/(end)`;
      msg.trace.add(stage, 'error', 'processor ended without a terminal outcome', names(branch.recipients));
      done.push({ ...branch, outcome: { kind: 'quarantine', reason: `processor ${branch.processor.name} ended without a decision` }, decidedAt: stage });
      continue;
    }
    const stage = `${branch.processor.name}/${step.name}`;
    const matched = await matchedRecipients(msg, branch, step, stage);
    if (matched instanceof Error) {
      // A failing matcher is a failing step: its onError policy decides for the whole branch, so a
      // security step can never be bypassed by making its matcher throw.
      applyOutcome(onErrorOutcome(step, options, `matcher failed: ${matched.message}`), branch, stage, options, msg, work, done);
      continue;
    }
    if (matched.length === 0) {
      work.push({ ...branch, stepIndex: branch.stepIndex + 1 });
      continue;
    }
    let active: RunningBranch = branch;
    if (matched.length < branch.recipients.length) {
      const rest = branch.recipients.filter((r) => !matched.includes(r));
      msg.trace.add(stage, 'split', `${matched.length} of ${branch.recipients.length} recipients matched`, names(matched));
      work.push({ ...branch, recipients: rest, facts: cloneFacts(branch.facts), stepIndex: branch.stepIndex + 1 });
      active = { ...branch, recipients: matched, facts: cloneFacts(branch.facts) };
    }
    const result = await runAction(msg, active, step, stage, options);
    applyOutcome(result, active, stage, options, msg, work, done);
  }

  assertEveryoneTerminal(msg, recipients, done);
  return done;
}

async function matchedRecipients(msg: MessageContext, branch: RunningBranch, step: Step, stage: string): Promise<readonly EnvelopeRecipient[] | Error> {
  if (!step.match) return branch.recipients;
  try {
    const subset = await step.match(msg, branch);
    // Only recipients the branch really holds count; a matcher cannot invent recipients.
    return branch.recipients.filter((r) => subset.includes(r));
  } catch (err) {
    msg.trace.add(stage, 'error', `matcher failed: ${errorText(err)}`, names(branch.recipients));
    return err instanceof Error ? err : new Error(String(err));
  }
}

async function runAction(msg: MessageContext, branch: RunningBranch, step: Step, stage: string, options: RunOptions): Promise<Outcome> {
  const started = performance.now();
  const timeoutMs = step.timeoutMs ?? options.stepTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SealpostError('SP_ERR_PIPELINE_STEP_TIMEOUT', `${stage} exceeded ${timeoutMs} ms`, { messageId: msg.id, stage })), timeoutMs);
    });
    const result = await Promise.race([Promise.resolve().then(() => step.action(msg, branch)), timeout]);
    options.onStep?.({ stage, ms: performance.now() - started, outcome: result.kind, recipients: branch.recipients.length });
    return result;
  } catch (err) {
    msg.trace.add(stage, 'error', errorText(err), names(branch.recipients));
    const recovered = onErrorOutcome(step, options, errorText(err));
    options.onStep?.({ stage, ms: performance.now() - started, outcome: recovered.kind, recipients: branch.recipients.length });
    return recovered;
  } finally {
    clearTimeout(timer);
  }
}

function onErrorOutcome(step: Step, options: RunOptions, reason: string): Outcome {
  let policy: OnError = step.onError ?? 'defer-then-quarantine';
  if (policy === 'skip' && step.securityCritical) policy = 'defer-then-quarantine';
  switch (policy) {
    case 'skip':
      return { kind: 'continue' };
    case 'quarantine':
      return { kind: 'quarantine', reason: `step ${step.name} failed: ${reason}` };
    case 'bounce':
      return { kind: 'bounce', reason: `step ${step.name} failed: ${reason}`, status: '5.3.0', notice: 'dsn' };
    case 'defer-then-quarantine':
      return options.previousFailures + 1 >= options.maxAttempts
        ? { kind: 'quarantine', reason: `step ${step.name} failed ${options.previousFailures + 1} times: ${reason}` }
        : { kind: 'defer', reason: `step ${step.name} failed: ${reason}` };
  }
}

function applyOutcome(result: Outcome, branch: RunningBranch, stage: string, options: RunOptions, msg: MessageContext, work: RunningBranch[], done: TerminalBranch[]): void {
  const draft = 'draft' in result && result.draft ? result.draft : branch.draft;
  switch (result.kind) {
    case 'continue':
      work.push({ ...branch, draft, stepIndex: branch.stepIndex + 1 });
      return;
    case 'goto': {
      const target = options.processors.get(result.processor);
      if (!target) {
        msg.trace.add(stage, 'error', `unknown processor ${result.processor}`, names(branch.recipients));
        done.push({ recipients: branch.recipients, draft, facts: branch.facts, outcome: { kind: 'quarantine', reason: `unknown processor ${result.processor}` }, decidedAt: stage });
        return;
      }
      work.push({ ...branch, draft, processor: target, stepIndex: 0 });
      return;
    }
    default:
      msg.trace.add(stage, result.kind, 'reason' in result ? result.reason : result.route, names(branch.recipients));
      done.push({ recipients: branch.recipients, draft, facts: branch.facts, outcome: result, decidedAt: stage });
  }
}

function assertEveryoneTerminal(msg: MessageContext, recipients: readonly EnvelopeRecipient[], done: readonly TerminalBranch[]): void {
  const seen = new Map<EnvelopeRecipient, number>();
  for (const branch of done) for (const r of branch.recipients) seen.set(r, (seen.get(r) ?? 0) + 1);
  const missing = recipients.filter((r) => seen.get(r) !== 1);
  if (missing.length > 0 || seen.size !== recipients.length) {
    throw new SealpostError('SP_ERR_PIPELINE_UNTERMINATED', `recipients without exactly one terminal state: ${missing.map((r) => r.address).join(', ')}`, { messageId: msg.id });
  }
}

function processorNamed(options: RunOptions, name: string): Processor {
  const p = options.processors.get(name);
  if (!p) throw new SealpostError('SP_ERR_PIPELINE_UNKNOWN_PROCESSOR', name);
  return p;
}

function cloneFacts(facts: BranchFacts): BranchFacts {
  return structuredClone(facts);
}

function names(recipients: readonly EnvelopeRecipient[]): string[] {
  return recipients.map((r) => r.address);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
