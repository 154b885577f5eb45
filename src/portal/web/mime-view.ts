/**
 * Reads a deposited message (plaintext MIME, after openBody) into what the message page shows:
 * display headers, the HTML and/or text body, inline images by Content-ID and the attachments,
 * each numbered by its position in the MIME tree ("1", "2.1" — IMAP's part numbers), which the
 * download route passes back.
 * SECURITY: input is untrusted. Nothing here throws on malformed MIME; depth and part count are
 * bounded; the HTML returned is raw and must go through sanitize.ts before it reaches a page.
 * STANDARDS: RFC 2045/2046 (encodings, multipart), RFC 2047/2231 (encoded words, parameters),
 * RFC 2183 (Content-Disposition), RFC 2392 (cid: URLs), RFC 3501 §6.4.5 (part numbers).
 */
import libmime from 'libmime';
import { decode as decodeCharset } from 'libmime/lib/charset';

const MAX_DEPTH = 20;
const MAX_PARTS = 500;

export interface ViewPart {
  readonly part: string;
  readonly filename: string;
  readonly contentType: string;
  readonly contentId: string | null;
  readonly data: Buffer;
}

export interface MessageView {
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly date: string;
  readonly subject: string;
  readonly messageId: string;
  readonly html: string | null;
  readonly text: string | null;
  /** parts a download link is offered for */
  readonly attachments: readonly ViewPart[];
  /** images referenced by cid: from the HTML (multipart/related) */
  readonly inline: ReadonlyMap<string, ViewPart>;
}

interface Entity {
  readonly headers: Map<string, string>;
  readonly body: Buffer;
}

function splitEntity(bytes: Buffer): Entity {
  let headerEnd = bytes.length;
  let bodyStart = bytes.length;
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (bytes[0] === 0x0a) [headerEnd, bodyStart] = [0, 1];
  else if (bytes[0] === 0x0d && bytes[1] === 0x0a) [headerEnd, bodyStart] = [0, 2];
  else if (crlf >= 0 && (lf < 0 || crlf < lf)) [headerEnd, bodyStart] = [crlf, crlf + 4];
  else if (lf >= 0) [headerEnd, bodyStart] = [lf, lf + 2];
  const headers = new Map<string, string>();
  const unfolded = bytes.subarray(0, headerEnd).toString('latin1').replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // the first occurrence wins, as most readers do (a duplicated header is not a second value)
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: bytes.subarray(bodyStart) };
}

/** RFC 2047 words decoded; raw 8-bit bytes read as UTF-8 (RFC 6532), else kept as latin1. */
function headerText(value: string | undefined): string {
  if (!value) return '';
  const bytes = Buffer.from(value, 'latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const text = utf8.includes('\ufffd') ? value : utf8;
  try {
    return libmime.decodeWords(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  } catch {
    return text;
  }
}

function contentType(e: Entity): { type: string; params: Record<string, string> } {
  const v = e.headers.get('content-type');
  if (!v) return { type: 'text/plain', params: {} };
  try {
    const parsed = libmime.parseHeaderValue(v);
    return { type: (parsed.value || 'text/plain').toLowerCase(), params: parsed.params as Record<string, string> };
  } catch {
    return { type: 'application/octet-stream', params: {} };
  }
}

function decodeQp(body: Buffer): Buffer {
  const s = body.toString('latin1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? s.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

function transferDecode(e: Entity): Buffer {
  const cte = (e.headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  if (cte === 'base64') return Buffer.from(e.body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (cte === 'quoted-printable') return decodeQp(e.body);
  return e.body;
}

function toText(data: Buffer, charset: string | undefined): string {
  try {
    return decodeCharset(data, charset || 'utf-8');
  } catch {
    return data.toString('utf8');
  }
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = '--' + boundary;
  const parts: Buffer[] = [];
  let pos = text.indexOf(delimiter);
  while (pos >= 0) {
    const afterDelim = pos + delimiter.length;
    if (text.startsWith('--', afterDelim)) break;
    const lineEnd = text.indexOf('\n', afterDelim);
    if (lineEnd < 0) break;
    let next = text.indexOf('\n' + delimiter, lineEnd);
    const end = next < 0 ? text.length : next;
    const contentEnd = end > 0 && text[end - 1] === '\r' ? end - 1 : end;
    parts.push(body.subarray(lineEnd + 1, Math.max(lineEnd + 1, contentEnd)));
    if (next < 0) break;
    next += 1;
    pos = next;
  }
  return parts;
}

export function parseMessageView(raw: Buffer): MessageView {
  const root = splitEntity(raw);
  let html: string | null = null;
  let text: string | null = null;
  const attachments: ViewPart[] = [];
  const inline = new Map<string, ViewPart>();
  let count = 0;

  const walk = (e: Entity, part: string, depth: number, inAlternative: boolean): void => {
    if (++count > MAX_PARTS) return;
    const { type, params } = contentType(e);
    if (type.startsWith('multipart/') && params.boundary && depth < MAX_DEPTH) {
      const children = splitMultipart(e.body, params.boundary);
      children.forEach((c, i) => walk(splitEntity(c), part ? `${part}.${i + 1}` : String(i + 1), depth + 1, type === 'multipart/alternative'));
      return;
    }
    const disposition = (() => {
      try {
        const d = e.headers.get('content-disposition');
        return d ? libmime.parseHeaderValue(d) : { value: '', params: {} as Record<string, string> };
      } catch {
        return { value: '', params: {} as Record<string, string> };
      }
    })();
    const filename = headerText(disposition.params.filename ?? params.name ?? '');
    const isAttachment = disposition.value.toLowerCase() === 'attachment' || (filename !== '' && !type.startsWith('image/'));
    const data = transferDecode(e);
    const number = part || '1';
    const contentId = (e.headers.get('content-id') ?? '').replace(/^\s*<|>\s*$/g, '').trim() || null;
    const view: ViewPart = { part: number, filename: filename || (type === 'message/rfc822' ? 'message.eml' : `part-${number}`), contentType: type, contentId, data };
    if (!isAttachment && type === 'text/html' && html === null) html = toText(data, params.charset);
    else if (!isAttachment && type === 'text/plain' && text === null) text = toText(data, params.charset);
    else if (!isAttachment && (type === 'text/html' || type === 'text/plain') && inAlternative) return;
    else {
      if (contentId && type.startsWith('image/')) inline.set(contentId, view);
      if (isAttachment || !contentId) attachments.push(view);
    }
  };
  walk(root, '', 0, false);
  const h = (name: string) => headerText(root.headers.get(name));
  return { from: h('from'), to: h('to'), cc: h('cc'), date: h('date'), subject: h('subject'), messageId: (root.headers.get('message-id') ?? '').trim(), html, text, attachments, inline };
}
