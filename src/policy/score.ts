/**
 * Scored phrase lists (Mimecast style, DESIGN §4): each phrase found in the scanned text adds its
 * score once; negative scores make exceptions (a valid processed marker, a partner's own tag).
 */
import type { ScoreList } from '../config/policy-schema.js';
import type { MessageDraft } from '../mime/draft.js';
import { decodeHeader } from './header-text.js';

export interface ScoreResult {
  readonly score: number;
  /** phrases found, with their scores (for explain) */
  readonly found: readonly { readonly text: string; readonly score: number }[];
}

/** The header block as one `Name: value` line per field, values decoded (RFC 2047). */
export function headerLines(draft: MessageDraft): string {
  return draft.fields
    .filter((f) => f.name !== '')
    .map((f) => `${f.name}: ${decodeHeader(f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim())}`)
    .join('\n');
}

export function scoreTexts(list: ScoreList, texts: readonly string[]): ScoreResult {
  const fold = (s: string) => (list.caseSensitive ? s : s.toLowerCase());
  const haystacks = texts.map(fold);
  const found: { text: string; score: number }[] = [];
  let score = 0;
  for (const phrase of list.phrases) {
    const needle = fold(phrase.text);
    if (haystacks.some((h) => h.includes(needle))) {
      score += phrase.score;
      found.push({ text: phrase.text, score: phrase.score });
    }
  }
  return { score, found };
}
