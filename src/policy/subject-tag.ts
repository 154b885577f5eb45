import libmime from 'libmime';
import type { MessageDraft } from '../mime/draft.js';
import { decodeHeader } from './conditions.js';

/** Removes a subject tag (case-insensitive, every occurrence) and tidies the spaces it leaves. */
export function stripSubjectTag(draft: MessageDraft, tag: string): MessageDraft {
  const raw = draft.get('Subject');
  if (raw === undefined || tag === '') return draft;
  const subject = decodeHeader(raw);
  const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const stripped = subject.replace(new RegExp(`\\s*${escaped}\\s*`, 'gi'), ' ').replace(/\s{2,}/g, ' ').trim();
  if (stripped === subject) return draft;
  // Re-encode only when needed: plain ASCII subjects stay readable in the raw message.
  const value = /^[\x20-\x7e]*$/.test(stripped) ? stripped : libmime.encodeWords(stripped, 'Q', 52, 'utf-8');
  return draft.replace('Subject', value);
}
