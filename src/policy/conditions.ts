/**
 * Evaluates rule conditions (DESIGN §4) against one recipient of one message.
 * String tests are case-insensitive unless `caseSensitive`; header values are RFC 2047-decoded
 * before testing. Content conditions (`body`, `attachment`, `dlp`) read the message's one
 * ContentIndex, requested only when such a condition is actually reached (`all`/`any` short-circuit).
 */
import type { Condition, StringTest } from '../config/policy-schema.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { MessageFacts } from '../mail/context.js';
import type { MessageDraft } from '../mime/draft.js';
import { restrictIndex, type ContentIndex, type ContentScanner } from './content.js';
import { decodeHeader, domainOf } from './header-text.js';

export { decodeHeader, domainOf } from './header-text.js';

export interface ConditionInput {
  readonly draft: MessageDraft;
  readonly sender: string;
  readonly recipient: EnvelopeRecipient;
  readonly size: number;
  readonly facts: MessageFacts;
  /** the draft's content index, computed on first use */
  readonly content: () => Promise<ContentIndex>;
  readonly scanner: ContentScanner | null;
  /** notes for explain (dlp hits, masked) */
  readonly notes?: string[];
}

export function testString(test: StringTest, value: string): boolean {
  const fold = (s: string) => (test.caseSensitive ? s : s.toLowerCase());
  const v = fold(value);
  if (test.contains !== undefined) return v.includes(fold(test.contains));
  if (test.equals !== undefined) return v === fold(test.equals);
  if (test.startsWith !== undefined) return v.startsWith(fold(test.startsWith));
  if (test.endsWith !== undefined) return v.endsWith(fold(test.endsWith));
  if (test.in !== undefined) return test.in.some((candidate) => fold(candidate) === v);
  if (test.matches !== undefined) return new RegExp(test.matches, test.caseSensitive ? 'u' : 'iu').test(value);
  return false;
}

function inRange(range: { over?: number; under?: number }, value: number): boolean {
  return (range.over === undefined || value > range.over) && (range.under === undefined || value < range.under);
}

/** Whether a condition needs the content index somewhere inside it. */
export function needsContent(condition: Condition | undefined): boolean {
  if (!condition) return false;
  if (condition.body || condition.attachment || condition.dlp) return true;
  return (condition.all ?? condition.any ?? []).some(needsContent) || needsContent(condition.not);
}

export async function evaluate(condition: Condition, input: ConditionInput): Promise<boolean> {
  if (condition.all) {
    for (const c of condition.all) if (!(await evaluate(c, input))) return false;
    return true;
  }
  if (condition.any) {
    for (const c of condition.any) if (await evaluate(c, input)) return true;
    return false;
  }
  if (condition.not) return !(await evaluate(condition.not, input));
  if (condition.subject) return testString(condition.subject, decodeHeader(input.draft.get('Subject')));
  if (condition.header) {
    const test = condition.header;
    return input.draft.getAll(test.name).some((v) => testString(test, decodeHeader(v)));
  }
  if (condition.from) return testString(condition.from, input.sender);
  if (condition.to) return testString(condition.to, input.recipient.address);
  if (condition.fromDomain) return testString(condition.fromDomain, domainOf(input.sender));
  if (condition.toDomain) return testString(condition.toDomain, domainOf(input.recipient.address));
  if (condition.size) return inRange(condition.size, input.size);
  if (condition.encrypted) return matchesKind(condition.encrypted, input.facts.encrypted);
  if (condition.signed) return matchesKind(condition.signed, input.facts.signed);
  if (condition.body) {
    const test = condition.body;
    const index = await input.content();
    return index.texts.some((t) => t.where === 'body' && testString(test, t.text)) || unscannableHolds(index, input, 'body');
  }
  if (condition.attachment) {
    const { name, type, size } = condition.attachment;
    const index = await input.content();
    return index.attachments.some((a) => (!name || testString(name, a.name)) && (!type || testString(type, a.contentType)) && (!size || inRange(size, a.size))) || unscannableHolds(index, input, 'attachment');
  }
  if (condition.dlp) {
    const { detector, atLeast, where } = condition.dlp;
    if (!input.scanner) throw new Error(`dlp condition (${detector}) needs the DLP engine, which is not configured`);
    const result = input.scanner.detect(restrictIndex(await input.content(), where), detector, where);
    if (result.count >= (atLeast ?? 1)) {
      input.notes?.push(`dlp ${detector}: ${result.count} hit(s) ${result.matches.slice(0, 5).join(', ')}`.trim());
      return true;
    }
    // A part we could not look into may hide what the rule looks for: by default that counts as a match.
    if (result.unscannable.length > 0 && input.scanner.unscannableMatches) {
      input.notes?.push(`dlp ${detector}: unscannable ${result.unscannable.slice(0, 5).join(', ')}`);
      return true;
    }
    return false;
  }
  return false;
}

/**
 * Content the scan could not reach (a limit, an encrypted archive, a broken part) may hold what
 * the condition looks for: with `dlp.unscannable: match` (the default) that counts as a match,
 * so a hostile message cannot escape a rule by being too large or too nested.
 */
function unscannableHolds(index: ContentIndex, input: ConditionInput, what: string): boolean {
  if (!input.scanner?.unscannableMatches) return false;
  // a listed attachment whose *content* could not be read does not hide bodies or attachment
  // names; parts the walk never reached (a limit, broken structure) may hide either
  const listed = new Set(index.attachments.map((a) => a.path));
  const unreached = index.unscannable.filter((u) => !listed.has(u.path));
  if (unreached.length === 0) return false;
  input.notes?.push(`${what}: not scanned ${unreached.slice(0, 5).map((u) => `${u.path || 'message'} (${u.reason})`).join(', ')}`);
  return true;
}

function matchesKind(wanted: 'smime' | 'pgp' | 'any' | 'none', actual: 'smime' | 'pgp' | null): boolean {
  if (wanted === 'none') return actual === null;
  if (wanted === 'any') return actual !== null;
  return actual === wanted;
}
