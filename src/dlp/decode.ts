/**
 * Decoding for the content index: the shared lenient reader (mime/read.ts: transfer encodings,
 * charsets, encoded words, structured values) applied to MessageDraft entities.
 * SECURITY: input is hostile. Nothing here throws: an unknown charset or transfer encoding
 * degrades (UTF-8 with replacement characters, or the raw bytes), it never stops the scan —
 * leaving text unscanned because its label was odd would be an easy way around DLP.
 */
import type { MessageDraft } from '../mime/draft.js';
import { decodeWords, transferDecode as decodeBody } from '../mime/read.js';

export { base64Decode, decodeCharset, decodeWords, parseStructured, qpDecode, type Structured as ParsedContentType } from '../mime/read.js';

/** Decodes the body of an entity per its Content-Transfer-Encoding; unknown encodings pass the bytes through. */
export function transferDecode(draft: MessageDraft): Buffer {
  return decodeBody(draft.body, draft.get('content-transfer-encoding'));
}

/** The header block as text: one `Name: decoded value` line per field, unfolded. */
export function headerText(draft: MessageDraft): string {
  const lines: string[] = [];
  for (const f of draft.fields) {
    if (!f.name) continue;
    const value = f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim();
    lines.push(`${f.name}: ${decodeWords(value)}`);
  }
  return lines.join('\n');
}
