/**
 * policy/ — the rule language of DESIGN §4 as pipeline steps: decides per recipient whether a
 * message must be protected, held or blocked, and applies the header/subject edits of the
 * matched rules.
 *
 * Recipients with different decisions are peeled off into their own branches: the first step
 * takes every recipient that shares the first recipient's decision; the others return to the
 * start of the processor, until every group has its branch.
 * SECURITY: trigger headers are honoured only on outbound branches, i.e. from relaying (internal)
 * sessions; a rule that cannot be evaluated fails the step (defer, then quarantine), never opens.
 */
import YAML from 'yaml';
import { z } from 'zod';
import { rule as ruleSchema, type Rule } from '../config/policy-schema.js';
import { DEFAULT_POLICIES_YAML } from '../config/default-policies.js';
import type { Branch, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import type { MessageDraft } from '../mime/draft.js';
import { decide, orderRules, type Edit, type PolicyDecision } from './decide.js';
import { stripSubjectTag } from './subject-tag.js';

export function defaultRules(): Rule[] {
  return z.strictObject({ policies: z.array(ruleSchema) }).parse(YAML.parse(DEFAULT_POLICIES_YAML)).policies;
}

export interface PolicyStageOptions {
  readonly rules: readonly Rule[];
  /** processor to return to for recipients whose decision differs from the current group's */
  readonly restartProcessor: string;
}

export function decisionFor(rules: readonly Rule[], msg: MessageContext, branch: Branch, recipient: EnvelopeRecipient): PolicyDecision {
  return decide(rules, { draft: branch.draft, sender: msg.envelope.mailFrom, recipient, size: msg.original.body.length, facts: msg.facts });
}

/** The steps of the policy stage for one processor. */
export function policySteps(options: PolicyStageOptions): Step[] {
  const rules = orderRules(options.rules);
  const keyOf = (msg: MessageContext, branch: Branch, r: EnvelopeRecipient) => JSON.stringify(decisionFor(rules, msg, branch, r));
  return [
    {
      name: 'policy',
      securityCritical: true,
      match: (msg, branch) => {
        if (branch.facts.protection) return [];
        const first = keyOf(msg, branch, branch.recipients[0]!);
        return branch.recipients.filter((r) => keyOf(msg, branch, r) === first);
      },
      action: (msg, branch) => applyDecision(msg, branch, decisionFor(rules, msg, branch, branch.recipients[0]!)),
    },
    {
      name: 'policy-next-group',
      securityCritical: true,
      match: (_msg, branch) => (branch.facts.protection ? [] : branch.recipients),
      action: () => outcome.goto(options.restartProcessor),
    },
  ];
}

function applyDecision(msg: MessageContext, branch: Branch, decision: PolicyDecision): Outcome {
  const recipients = branch.recipients.map((r) => r.address);
  const stage = 'policy';
  for (const m of decision.matched) msg.trace.add(stage, 'rule-matched', `${m.rule} (${m.level})`, recipients);
  branch.facts.rules = decision.matched.map((m) => m.rule);
  if (decision.hold?.kind === 'block') return outcome.bounce(`blocked by policy ${decision.hold.rule}: ${decision.hold.reply}`, '5.7.1', 'blocked');
  if (decision.hold?.kind === 'quarantine') return outcome.quarantine(`quarantined by policy ${decision.hold.rule}`);
  branch.facts.protection = decision.protection;
  if (decision.route) branch.facts.route = decision.route;
  if (decision.signRequested) branch.facts.signRequested = true;
  msg.trace.add(stage, 'protection', `${decision.protection.level} (profile ${decision.protection.profile}) decided by ${decision.protection.decidedBy.rule}`, recipients);
  return outcome.continue(decision.edits.reduce(applyEdit, branch.draft));
}

function applyEdit(draft: MessageDraft, edit: Edit): MessageDraft {
  switch (edit.kind) {
    case 'addHeader':
      return draft.append(edit.options.name, edit.options.value);
    case 'removeHeader':
      return draft.without(edit.options.name);
    case 'stripSubject':
      return stripSubjectTag(draft, edit.options);
    case 'warn':
      return draft.append(edit.options.header, edit.options.text);
  }
}
