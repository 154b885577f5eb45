/**
 * The rule language's evaluation semantics (DESIGN §4), for one recipient:
 * rules run user-scoped, then domain-scoped, then gateway-wide, each group in file order; every
 * matching rule's actions apply in order until one says `stop`; the first matching rule with an
 * encryption action decides encryption; block and quarantine win over any encryption decision.
 */
import type { Action, Rule } from '../config/policy-schema.js';
import type { ProtectionDecision } from '../mail/context.js';
import { domainOf, evaluate, type ConditionInput } from './conditions.js';

export type ScopeLevel = 'user' | 'domain' | 'gateway';

export interface MatchedRule {
  readonly rule: string;
  readonly level: ScopeLevel;
}

/** Header/subject edits and notes that follow from the matched rules, in order. */
export type Edit = Extract<Action, { kind: 'addHeader' | 'removeHeader' | 'stripSubject' | 'warn' }>;

export interface PolicyDecision {
  readonly protection: ProtectionDecision;
  readonly matched: readonly MatchedRule[];
  readonly edits: readonly Edit[];
  /** block or quarantine, which override any encryption decision */
  readonly hold: { readonly kind: 'block'; readonly reply: string; readonly rule: string } | { readonly kind: 'quarantine'; readonly notify: readonly string[]; readonly rule: string } | null;
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

export function decide(orderedRules: readonly Rule[], input: ConditionInput): PolicyDecision {
  const direction = input.recipient.direction;
  const internalParty = direction === 'outbound' ? input.sender : input.recipient.address;
  const matched: MatchedRule[] = [];
  const edits: Edit[] = [];
  let protection: ProtectionDecision | null = null;
  let hold: PolicyDecision['hold'] = null;
  let route: string | null = null;
  let signRequested = false;

  for (const rule of orderedRules) {
    if (rule.direction !== direction || !inScope(rule, internalParty)) continue;
    if (rule.if && !evaluate(rule.if, input)) continue;
    const level = scopeLevel(rule);
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
          hold ??= { kind: 'block', reply: action.options.reply, rule: rule.name };
          break;
        case 'quarantine':
          // block wins over quarantine when both match: the message must not be kept to release
          if (!hold) hold = { kind: 'quarantine', notify: action.options.notify, rule: rule.name };
          break;
        case 'route':
          route ??= action.options.to;
          break;
        case 'sign':
          signRequested = true;
          break;
        case 'deliver':
          stop = true;
          break;
        default:
          edits.push(action);
      }
    }
    if (stop) break;
  }
  return {
    protection: protection ?? { level: 'none', profile: 'default', decidedBy: { rule: '(no rule matched)', level: 'gateway' } },
    matched,
    edits,
    hold,
    route,
    signRequested,
  };
}
