/** Shared by the policy unit tests: messages, rules from YAML, a real DLP scanner, a pipeline run. */
import YAML from 'yaml';
import { z } from 'zod';
import { dlpSchema } from '../config/dlp-schema.js';
import { rule as ruleSchema, type Rule } from '../config/policy-schema.js';
import type { MessageContext, MessageFacts } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome } from '../mail/outcome.js';
import type { Processor } from '../mail/step.js';
import { Trace } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import { createNotifier } from '../notify/notifier.js';
import { runPipeline, type TerminalBranch } from '../pipeline/runner.js';
import type { ContentScanner } from './content.js';
import { dlpScanner } from './dlp-scanner.js';
import { policySteps, type PolicyStageOptions } from './policy-stage.js';

export const NO_FACTS: MessageFacts = { processedMarker: null, encrypted: null, signed: null, autoSubmitted: false, notification: null, hops: 1 };

export function rules(yaml: string): Rule[] {
  return z.array(ruleSchema).parse(YAML.parse(yaml));
}

/** The real DLP engine with default settings (plus overrides), counting how often it indexes. */
export function countingScanner(dlp: Record<string, unknown> = {}): ContentScanner & { indexed: number } {
  const real = dlpScanner(dlpSchema.parse(dlp));
  const s = {
    indexed: 0,
    unscannableMatches: real.unscannableMatches,
    index(raw: Buffer) {
      s.indexed++;
      return real.index(raw);
    },
    detect: real.detect,
  };
  return s;
}

export function message(raw: string | Buffer, recipients: readonly EnvelopeRecipient[], from = 'alice@example.test', facts: Partial<MessageFacts> = {}): MessageContext {
  const bytes = typeof raw === 'string' ? Buffer.from(raw.replace(/\r?\n/g, '\r\n')) : raw;
  return {
    id: 'M1',
    envelope: { mailFrom: from, recipients },
    session: { listener: 'main', remoteAddress: '127.0.0.1', helo: 'x', tls: null, authUser: null, mayRelay: true, receivedAt: 0 },
    original: MessageDraft.parse(bytes),
    receivedAt: 0,
    attempts: 0,
    trace: new Trace(),
    now: Date.now,
    facts: { ...NO_FACTS, ...facts },
  };
}

export const out = (address: string): EnvelopeRecipient => ({ address, direction: 'outbound' });
export const inb = (address: string): EnvelopeRecipient => ({ address, direction: 'inbound' });

export const notifier = createNotifier({ hostname: 'gw.example.test', node: 'gw', secret: Buffer.alloc(32, 7), from: 'postmaster@gw.example.test', internalDomains: ['example.test'] });

/** Runs the policy stage (outbound and inbound) as the shipped processors do, then queues what continues. */
export async function runPolicy(msg: MessageContext, options: Partial<PolicyStageOptions> & { rules: readonly Rule[] }, recipients: readonly EnvelopeRecipient[] = msg.envelope.recipients): Promise<TerminalBranch[]> {
  const after: Processor = { name: 'after', steps: [{ name: 'queue', action: () => outcome.queue('outbound') }] };
  const policy: Processor = {
    name: 'policy',
    steps: [...policySteps({ notifier, ...options, restartProcessor: 'policy', resumeProcessor: 'after' }), { name: 'to-after', action: () => outcome.goto('after') }],
  };
  return runPipeline(msg, recipients, { processors: new Map([['policy', policy], ['after', after]]), start: 'policy', stepTimeoutMs: 20_000, maxAttempts: 3, previousFailures: 0 });
}
