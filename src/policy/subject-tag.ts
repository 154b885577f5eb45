import libmime from 'libmime';
import type { MessageDraft } from '../mime/draft.js';
import { decodeHeader } from './conditions.js';

/**
 * Every occurrence of `tag` (case-insensitive) removed and the white space around each collapsed
 * to one space. A linear scan: a regex with `\s*` on both sides is quadratic on long runs of
 * white space, and a hostile 100 KB subject would hold the event loop for seconds.
 */
function removeTag(subject: string, tag: string): string {
  const hay = subject.toLowerCase();
  const needle = tag.toLowerCase();
  let out = '';
  let from = 0;
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, from)) {
    out += `${subject.slice(from, at).trimEnd()} `;
    from = at + needle.length;
    while (from < subject.length && /\s/.test(subject[from]!)) from++;
  }
  return (out + subject.slice(from)).replace(/\s{2,}/g, ' ').trim();
}

/** Removes a subject tag (case-insensitive, every occurrence) and tidies the spaces it leaves. */
export function stripSubjectTag(draft: MessageDraft, tag: string): MessageDraft {
  const raw = draft.get('Subject');
  if (raw === undefined || tag === '') return draft;
  const subject = decodeHeader(raw);
  const stripped = removeTag(subject, tag);
  if (stripped === subject) return draft;
  // Re-encode only when needed: plain ASCII subjects stay readable in the raw message.
  const value = /^[\x20-\x7e]*$/.test(stripped) ? stripped : libmime.encodeWords(stripped, 'Q', 52, 'utf-8');
  return draft.replace('Subject', value);
}
