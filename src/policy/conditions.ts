/**
 * Evaluates rule conditions (DESIGN §4) against one recipient of one message.
 * String tests are case-insensitive unless `caseSensitive`; header values are RFC 2047-decoded
 * before testing, so a subject tag survives any client's encoding.
 */
import libmime from 'libmime';
import type { Condition, StringTest } from '../config/policy-schema.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { MessageFacts } from '../mail/context.js';
import type { MessageDraft } from '../mime/draft.js';

export interface ConditionInput {
  readonly draft: MessageDraft;
  readonly sender: string;
  readonly recipient: EnvelopeRecipient;
  readonly size: number;
  readonly facts: MessageFacts;
}

export function decodeHeader(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
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

export function evaluate(condition: Condition, input: ConditionInput): boolean {
  if (condition.all) return condition.all.every((c) => evaluate(c, input));
  if (condition.any) return condition.any.some((c) => evaluate(c, input));
  if (condition.not) return !evaluate(condition.not, input);
  if (condition.subject) return testString(condition.subject, decodeHeader(input.draft.get('Subject')));
  if (condition.header) {
    const test = condition.header;
    return input.draft.getAll(test.name).some((v) => testString(test, decodeHeader(v)));
  }
  if (condition.from) return testString(condition.from, input.sender);
  if (condition.to) return testString(condition.to, input.recipient.address);
  if (condition.fromDomain) return testString(condition.fromDomain, domainOf(input.sender));
  if (condition.toDomain) return testString(condition.toDomain, domainOf(input.recipient.address));
  if (condition.size) {
    const { over, under } = condition.size;
    return (over === undefined || input.size > over) && (under === undefined || input.size < under);
  }
  if (condition.encrypted) return matchesKind(condition.encrypted, input.facts.encrypted);
  if (condition.signed) return matchesKind(condition.signed, input.facts.signed);
  return false;
}

function matchesKind(wanted: 'smime' | 'pgp' | 'any' | 'none', actual: 'smime' | 'pgp' | null): boolean {
  if (wanted === 'none') return actual === null;
  if (wanted === 'any') return actual !== null;
  return actual === wanted;
}
