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
import { bytesToText, headerDisplayText, parseStructured, splitMultipart, transferDecode as decodeBody } from '../../mime/read.js';

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

function contentType(e: Entity): { type: string; params: Readonly<Record<string, string>> } {
  const parsed = parseStructured(e.headers.get('content-type'));
  return { type: parsed.type || 'text/plain', params: parsed.params };
}

const headerText = (value: string | undefined): string => headerDisplayText(value);
const transferDecode = (e: Entity): Buffer => decodeBody(e.body, e.headers.get('content-transfer-encoding'));
const toText = (data: Buffer, charset: string | undefined): string => bytesToText(data, charset || 'utf-8');

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
      const { parts: children } = splitMultipart(e.body, params.boundary, MAX_PARTS);
      children.forEach((c, i) => walk(splitEntity(c), part ? `${part}.${i + 1}` : String(i + 1), depth + 1, type === 'multipart/alternative'));
      return;
    }
    const disposition = parseStructured(e.headers.get('content-disposition'));
    const filename = headerText(disposition.params.filename ?? params.name ?? '');
    const isAttachment = disposition.type === 'attachment' || (filename !== '' && !type.startsWith('image/'));
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
