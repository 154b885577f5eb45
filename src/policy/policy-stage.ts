/**
 * policy/ — the rule language of DESIGN §4 as pipeline steps: decides per recipient whether a
 * message must be protected, held or blocked, applies the header/subject edits of the matched
 * rules, and emits the notices rules ask for.
 *
 * Recipients with different decisions are peeled off into their own branches: the first step
 * takes every recipient that shares the first recipient's decision; the others return to the
 * start of the processor, until every group has its branch. Holds (block, quarantine) are
 * applied by a later step, after the edits, so a released message resumes with them done.
 * SECURITY: trigger headers are honoured only on outbound branches, i.e. from relaying (internal)
 * sessions; a rule that cannot be evaluated fails the step (defer, then quarantine), never opens.
 */
import libmime from 'libmime';
import YAML from 'yaml';
import { z } from 'zod';
import { rule as ruleSchema, type Rule, type SuffixRoute } from '../config/policy-schema.js';
import { DEFAULT_POLICIES_YAML } from '../config/default-policies.js';
import { emitNotice, envelopeAddress, type Branch, type MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { newId } from '../mail/ids.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import type { MessageDraft } from '../mime/draft.js';
import type { Notifier } from '../notify/notifier.js';
import { ContentCache, type ContentScanner } from './content.js';
import { decide, orderRules, type Edit, type NoticeAction, type PolicyDecision } from './decide.js';
import { decodeHeader } from './header-text.js';
import { stripSubjectTag } from './subject-tag.js';
import { rewriteAddressHeaders, routeBySuffix } from './suffix.js';

export function defaultRules(): Rule[] {
  return z.strictObject({ policies: z.array(ruleSchema) }).parse(YAML.parse(DEFAULT_POLICIES_YAML)).policies;
}

export interface PolicyStageOptions {
  readonly rules: readonly Rule[];
  /** processor to return to for recipients whose decision differs from the current group's */
  readonly restartProcessor: string;
  /** the processor after this stage: where a released quarantine entry resumes */
  readonly resumeProcessor: string;
  /** the DLP engine for body/attachment/dlp conditions; null = such rules fail the step */
  readonly scanner?: ContentScanner | null;
  /** shared cache of content indexes (one per draft); a new one when omitted */
  readonly content?: ContentCache;
  /** recipient-address suffixes (their To/Cc occurrences are rewritten in every branch) */
  readonly suffixes?: readonly SuffixRoute[];
  /** notices of quarantine/notify/warn; without one, the trace says a notice could not be sent */
  readonly notifier?: Notifier | null;
  /** notifications.admin */
  readonly admin?: string;
}

export function decisionFor(rules: readonly Rule[], msg: MessageContext, branch: Branch, recipient: EnvelopeRecipient, content: ContentCache): Promise<PolicyDecision> {
  return decide(rules, {
    draft: branch.draft,
    sender: msg.envelope.mailFrom,
    recipient,
    // the whole message as received (header block + body), as `size: { over: 10MB }` reads
    size: messageSize(msg),
    facts: msg.facts,
    content: () => content.get(branch.draft),
    scanner: content.scanner,
  });
}

const sizes = new WeakMap<MessageContext, number>();
function messageSize(msg: MessageContext): number {
  let n = sizes.get(msg);
  if (n === undefined) sizes.set(msg, (n = msg.original.headerBytes().length + msg.original.body.length));
  return n;
}

/** The steps of the policy stage for one processor. */
export function policySteps(options: PolicyStageOptions): Step[] {
  const rules = orderRules(options.rules);
  const content = options.content ?? new ContentCache(options.scanner ?? null);
  const keyOf = async (msg: MessageContext, branch: Branch, r: EnvelopeRecipient) => JSON.stringify(await decisionFor(rules, msg, branch, r, content));
  return [
    {
      name: 'policy',
      securityCritical: true,
      match: async (msg, branch) => {
        if (branch.facts.protection) return [];
        const first = await keyOf(msg, branch, branch.recipients[0]!);
        const same: EnvelopeRecipient[] = [];
        for (const r of branch.recipients) if ((await keyOf(msg, branch, r)) === first) same.push(r);
        return same;
      },
      action: async (msg, branch) => applyDecision(msg, branch, await decisionFor(rules, msg, branch, branch.recipients[0]!, content), options),
    },
    {
      name: 'policy-next-group',
      securityCritical: true,
      match: (_msg, branch) => (branch.facts.protection ? [] : branch.recipients),
      action: () => outcome.goto(options.restartProcessor),
    },
    {
      name: 'policy-hold',
      securityCritical: true,
      match: (_msg, branch) => (branch.facts.hold ? branch.recipients : []),
      action: (_msg, branch) => {
        const hold = branch.facts.hold!;
        // The reply text is what the sender reads in the bounce; the rule is in the trace.
        if (hold.kind === 'block') return outcome.bounce(hold.reply, '5.7.1', 'blocked');
        return outcome.quarantine(hold.reason);
      },
    },
  ];
}

function applyDecision(msg: MessageContext, branch: Branch, decision: PolicyDecision, options: PolicyStageOptions): Outcome {
  const recipients = branch.recipients.map((r) => r.address);
  const stage = 'policy';
  for (const r of branch.recipients) {
    if (envelopeAddress(r) !== r.address) msg.trace.add(stage, 'rewritten', `${envelopeAddress(r)} → ${r.address}`, [r.address]);
  }
  for (const e of decision.evaluated) {
    msg.trace.add(stage, e.matched ? 'rule-matched' : 'rule-not-matched', `${e.rule} (${e.level})${e.score !== undefined ? ` score ${e.score}` : ''}${e.note ? `: ${e.note}` : ''}`, recipients);
  }
  branch.facts.rules = decision.matched.map((m) => m.rule);
  branch.facts.evaluated = [...decision.evaluated];
  branch.facts.protection = decision.protection;
  branch.facts.resumeAt = options.resumeProcessor;
  if (decision.route) branch.facts.route = decision.route;
  if (decision.signRequested) branch.facts.signRequested = true;
  if (decision.hold) {
    branch.facts.hold = decision.hold;
    if (decision.hold.kind === 'quarantine') branch.facts.quarantineId = newId(msg.now());
    msg.trace.add(stage, decision.hold.kind, `${decision.hold.kind === 'block' ? decision.hold.reply : decision.hold.reason} (rule ${decision.hold.rule})`, recipients);
  } else {
    msg.trace.add(stage, 'protection', `${decision.protection.level} (profile ${decision.protection.profile}) decided by ${decision.protection.decidedBy.rule} (${decision.protection.decidedBy.level})`, recipients);
  }
  for (const n of decision.notices) sendNotices(msg, branch, n, decision, options);
  const everyone = routeBySuffix(msg.envelope.recipients, options.suffixes ?? []);
  const edited = decision.edits.reduce(applyEdit, rewriteAddressHeaders(branch.draft, everyone));
  return outcome.continue(edited);
}

function sendNotices(msg: MessageContext, branch: Branch, n: NoticeAction, decision: PolicyDecision, options: PolicyStageOptions): void {
  const recipients = branch.recipients.map((r) => r.address);
  // Never a notice about one of our own notices, never to the null sender (no loops, no backscatter).
  if (msg.facts.notification) {
    msg.trace.add('policy', 'notice-suppressed', `${n.template} (rule ${n.rule}): the message is one of our own notices`, recipients);
    return;
  }
  if (!options.notifier) {
    msg.trace.add('policy', 'notice-suppressed', `${n.template} (rule ${n.rule}): no notifier configured`, recipients);
    return;
  }
  const targets = new Set<string>();
  for (const to of n.to) {
    if (to === 'sender') {
      if (msg.envelope.mailFrom) targets.add(msg.envelope.mailFrom);
    } else if (to === 'admin') {
      if (options.admin) targets.add(options.admin);
      else msg.trace.add('policy', 'notice-suppressed', `${n.template} (rule ${n.rule}) to admin: notifications.admin is not set`, recipients);
    } else if (to === 'recipients') {
      for (const r of recipients) targets.add(r);
    } else targets.add(to);
  }
  const subject = decodeHeader(msg.original.get('Subject'));
  for (const to of targets) {
    const notice = options.notifier.compose({
      type: n.template,
      to,
      ...(decision.protection.profile ? { profile: decision.protection.profile } : {}),
      vars: {
        subject,
        reason: n.reason,
        rule: n.rule,
        rules: decision.matched.map((m) => m.rule),
        recipients,
        sender: msg.envelope.mailFrom,
        id: branch.facts.quarantineId,
        reply: decision.hold?.kind === 'block' ? decision.hold.reply : undefined,
      },
      originalHeaders: msg.original.headerBytes(),
      // one notice per rule, type and person per message, whatever the branches
      key: `policy:${n.rule}:${n.template}:${to.toLowerCase()}`,
    });
    emitNotice(branch, notice);
    msg.trace.add('policy', 'notice', `${n.template} to ${to} (rule ${n.rule})`, recipients);
  }
}

/** A header value for the wire: one line, RFC 2047 encoded-words when it is not plain ASCII. */
function wireValue(value: string): string {
  const line = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(line) ? line : libmime.encodeWords(line, 'Q', 52, 'utf-8');
}

function applyEdit(draft: MessageDraft, edit: Edit): MessageDraft {
  switch (edit.kind) {
    case 'addHeader':
      return draft.append(edit.options.name, wireValue(edit.options.value));
    case 'removeHeader':
      return draft.without(edit.options.name);
    case 'stripSubject':
      return stripSubjectTag(draft, edit.options);
    case 'warn':
      return edit.options.header === false ? draft : draft.append(edit.options.header, wireValue(edit.options.text));
  }
}
