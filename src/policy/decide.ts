/**
 * The rule language's evaluation semantics (DESIGN §4), for one recipient:
 * rules run user-scoped, then domain-scoped, then gateway-wide, each group in file order; a rule
 * matches when its `if` holds and its score list (if any) reaches the threshold; every matching
 * rule's actions apply in order until one says `stop`; the first matching rule with an encryption
 * action decides encryption; block and quarantine win over any encryption decision (block over
 * quarantine: a blocked message must not be kept for release). A recipient addressed with a
 * configured suffix (`bob@partner.example.secure`) is decided by the suffix before any rule.
 */
import type { Action, Rule, ScoreList } from '../config/policy-schema.js';
import type { PolicyHold, ProtectionDecision, RuleEvaluation } from '../mail/context.js';
import { domainOf, evaluate, type ConditionInput } from './conditions.js';
import { headerLines, scoreTexts, type ScoreResult } from './score.js';
import { isSuffixRecipient } from './suffix.js';
import { decodeHeader } from './header-text.js';

export type ScopeLevel = 'user' | 'domain' | 'gateway';

export interface MatchedRule {
  readonly rule: string;
  readonly level: ScopeLevel;
}

/** Header/subject edits that follow from the matched rules, in order. */
export type Edit = Extract<Action, { kind: 'addHeader' | 'removeHeader' | 'stripSubject' | 'warn' }>;

/** A notice a matched rule asks for (notify, warn with notify, quarantine with notify). */
export interface NoticeAction {
  readonly rule: string;
  readonly to: readonly string[];
  readonly template: Extract<Action, { kind: 'notify' }>['options']['template'];
  readonly reason: string;
}

export interface PolicyDecision {
  readonly protection: ProtectionDecision;
  readonly matched: readonly MatchedRule[];
  readonly evaluated: readonly RuleEvaluation[];
  readonly edits: readonly Edit[];
  readonly notices: readonly NoticeAction[];
  /** block or quarantine, which override any encryption decision */
  readonly hold: PolicyHold | null;
  readonly route: string | null;
  readonly signRequested: boolean;
}

export function scopeLevel(rule: Rule): ScopeLevel {
  if (!rule.scope) return 'gateway';
  return 'user' in rule.scope ? 'user' : 'domain';
}

/** Rules in evaluation order: user, domain, gateway, each in file order. */
export function orderRules(rules: readonly Rule[]): Rule[] {
  const rank: Record<ScopeLevel, number> = { user: 0, domain: 1, gateway: 2 };
  return rules.map((r, i) => ({ r, i })).sort((a, b) => rank[scopeLevel(a.r)] - rank[scopeLevel(b.r)] || a.i - b.i).map(({ r }) => r);
}

function inScope(rule: Rule, internalParty: string): boolean {
  if (!rule.scope) return true;
  if ('user' in rule.scope) return rule.scope.user.toLowerCase() === internalParty.toLowerCase();
  const domain = domainOf(internalParty);
  const pattern = rule.scope.domain;
  return pattern.startsWith('*.') ? domain.endsWith(pattern.slice(1)) : domain === pattern;
}

/** The texts a score list scans, in the areas it names. */
export async function scoreRule(list: ScoreList, input: ConditionInput): Promise<ScoreResult> {
  const texts: string[] = [];
  if (list.scan.includes('headers')) texts.push(headerLines(input.draft));
  if (list.scan.includes('subject')) texts.push(decodeHeader(input.draft.get('Subject')));
  if (list.scan.includes('body')) for (const t of (await input.content()).texts) if (t.where === 'body') texts.push(t.text);
  return scoreTexts(list, texts);
}

export async function decide(orderedRules: readonly Rule[], input: ConditionInput): Promise<PolicyDecision> {
  const direction = input.recipient.direction;
  const internalParty = direction === 'outbound' ? input.sender : input.recipient.address;
  const matched: MatchedRule[] = [];
  const evaluated: RuleEvaluation[] = [];
  const edits: Edit[] = [];
  const notices: NoticeAction[] = [];
  let protection: ProtectionDecision | null = null;
  let hold: PolicyHold | null = null;
  let route: string | null = null;
  let signRequested = false;

  const r = input.recipient;
  if (isSuffixRecipient(r)) {
    protection = { level: r.suffix.encrypt.mandatory ? 'mandatory' : 'opportunistic', profile: r.suffix.encrypt.profile, decidedBy: { rule: r.rewrittenBy, level: 'gateway' } };
  }

  let stopped: string | null = null;
  for (const rule of orderedRules) {
    if (rule.direction !== direction) continue;
    const level = scopeLevel(rule);
    if (stopped) {
      evaluated.push({ rule: rule.name, level, matched: false, note: `not evaluated: ${stopped} stopped` });
      continue;
    }
    if (!inScope(rule, internalParty)) {
      evaluated.push({ rule: rule.name, level, matched: false, note: 'out of scope' });
      continue;
    }
    const notes: string[] = [];
    const conditionHolds = rule.if ? await evaluate(rule.if, { ...input, notes }) : true;
    let score: ScoreResult | null = null;
    if (conditionHolds && rule.score) score = await scoreRule(rule.score, input);
    const isMatch = conditionHolds && (score === null || score.score >= rule.score!.threshold);
    if (score) notes.push(`score ${score.score} of ${rule.score!.threshold}${score.found.length ? ` (${score.found.map((f) => `${f.text} ${f.score >= 0 ? '+' : ''}${f.score}`).join(', ')})` : ''}`);
    if (!conditionHolds && rule.score) notes.push('score not computed: the condition does not hold');
    evaluated.push({ rule: rule.name, level, matched: isMatch, ...(score ? { score: score.score } : {}), ...(notes.length ? { note: notes.join('; ') } : {}) });
    if (!isMatch) continue;
    matched.push({ rule: rule.name, level });
    let stop = rule.stop;
    for (const action of rule.then) {
      switch (action.kind) {
        case 'encrypt':
          protection ??= { level: action.options.mandatory ? 'mandatory' : 'opportunistic', profile: action.options.profile, decidedBy: { rule: rule.name, level } };
          break;
        case 'noEncrypt':
          protection ??= { level: 'none', profile: 'default', decidedBy: { rule: rule.name, level } };
          break;
        case 'block':
          if (hold?.kind !== 'block') hold = { kind: 'block', reply: action.options.reply, rule: rule.name };
          break;
        case 'quarantine': {
          const reason = action.options.reason ?? `matched policy ${rule.name}`;
          hold ??= { kind: 'quarantine', reason, rule: rule.name };
          if (action.options.notify.length > 0) notices.push({ rule: rule.name, to: action.options.notify, template: 'quarantined', reason });
          break;
        }
        case 'route':
          route ??= action.options.to;
          break;
        case 'sign':
          signRequested = true;
          break;
        case 'deliver':
          stop = true;
          break;
        case 'notify':
          notices.push({ rule: rule.name, to: typeof action.options.to === 'string' ? [action.options.to] : action.options.to, template: action.options.template, reason: `matched policy ${rule.name}` });
          break;
        case 'warn':
          edits.push(action);
          if (action.options.notify) {
            const n = action.options.notify;
            notices.push({ rule: rule.name, to: typeof n.to === 'string' ? [n.to] : n.to, template: n.template, reason: action.options.text });
          }
          break;
        default:
          edits.push(action);
      }
    }
    if (stop) stopped = rule.name;
  }
  // A quarantine that lost to a block sends no "held for review" notice: nothing is held.
  const keptNotices = hold?.kind === 'block' ? notices.filter((n) => n.template !== 'quarantined') : notices;
  return {
    protection: protection ?? { level: 'none', profile: 'default', decidedBy: { rule: '(no rule matched)', level: 'gateway' } },
    matched,
    evaluated,
    edits,
    notices: keptNotices,
    hold,
    route,
    signRequested,
  };
}
