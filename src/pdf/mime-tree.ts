/**
 * Reads a message into what the PDF shows: display headers, the text body (HTML turned into text,
 * the HTML kept), and every attachment decoded. Only for rendering: the gateway never relays
 * these bytes (relayed mail goes through mime/draft.ts, which keeps bytes exactly).
 *
 * SECURITY: input is untrusted. Nothing here throws on malformed MIME: a part that cannot be
 * read is kept as raw bytes and noted in `problems`. Depth, part count and decoded size are
 * bounded (no zip-bomb-style nesting); HTML is only ever converted to text, never rendered.
 * STANDARDS: RFC 2045 (transfer encodings), RFC 2046 (multipart), RFC 2047 (encoded-words),
 * RFC 2231 (parameter continuations and charsets), RFC 2183 (Content-Disposition), RFC 3676.
 */
import libmime from 'libmime';
import { bytesToText, headerDisplayText, parseStructured, safeFileName, splitMultipart, transferDecode } from '../mime/read.js';
import { convert as htmlToText } from 'html-to-text';

export interface MimeLimits {
  /** nesting of multiparts beyond this is kept as one attachment */
  readonly maxDepth: number;
  /** parts beyond this are not read (noted) */
  readonly maxParts: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 20, maxParts: 500 };

export interface RenderAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface RenderableMessage {
  readonly headers: { readonly from: string; readonly to: string; readonly cc: string; readonly date: string; readonly subject: string };
  /** the readable body (text/plain, else HTML converted to text); '' when there is none */
  readonly text: string;
  /** the original HTML body, when the message had one (attached as message.html) */
  readonly html: string | null;
  readonly attachments: readonly RenderAttachment[];
  /** what could not be read properly (shown in the PDF and traced) */
  readonly problems: readonly string[];
}

interface Entity {
  readonly headers: ReadonlyMap<string, string[]>;
  readonly body: Buffer;
}

/** Header block and body of one entity; a message without a blank line is all headers. */
function splitEntity(bytes: Buffer): Entity {
  let headerEnd = bytes.length;
  let bodyStart = bytes.length;
  if (bytes[0] === 0x0a) [headerEnd, bodyStart] = [0, 1];
  else if (bytes[0] === 0x0d && bytes[1] === 0x0a) [headerEnd, bodyStart] = [0, 2];
  else {
    const crlf = bytes.indexOf('\r\n\r\n');
    const lf = bytes.indexOf('\n\n');
    if (crlf >= 0 && (lf < 0 || crlf < lf)) [headerEnd, bodyStart] = [crlf, crlf + 4];
    else if (lf >= 0) [headerEnd, bodyStart] = [lf, lf + 2];
  }
  const headers = new Map<string, string[]>();
  // latin1 keeps 8-bit header bytes; decodeHeaderText re-reads them as UTF-8 (RFC 6532)
  const lines = bytes.subarray(0, headerEnd).toString('latin1').split(/\r?\n/);
  let current: { name: string; value: string } | null = null;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.name) ?? [];
    list.push(current.value.trim());
    headers.set(current.name, list);
    current = null;
  };
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && current) {
      // keep at most 64 KiB per field: a huge header must not blow up rendering
      if (current.value.length < 65_536) current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon > 0) current = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).slice(0, 65_536) };
  }
  flush();
  return { headers, body: bytes.subarray(bodyStart) };
}

const first = (e: Entity, name: string): string | undefined => e.headers.get(name)?.[0];

/** Text suitable for the PDF: no controls except tab and line ends (which become \n). */
function tidy(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/**
 * HTML beyond this is not converted for the text view (it stays whole in message.html):
 * html-to-text's parse grows faster than linearly on nested markup (measured: 550 KB of nested
 * <div> 1.2 s, 1.6 MB 18 s), and a synchronous call cannot be interrupted.
 */
export const MAX_HTML_FOR_TEXT = 512 * 1024;

export function htmlToReadableText(html: string): string {
  // html-to-text never executes anything; script/style content is dropped, links keep their URL.
  // maxDepth bounds its recursive walk (thousands of nested elements overflowed the stack);
  // the input is cut here so the library never logs its own truncation warning.
  return htmlToText(html.slice(0, MAX_HTML_FOR_TEXT), {
    wordwrap: false,
    limits: { maxDepth: 64, maxInputLength: MAX_HTML_FOR_TEXT + 1 },
    selectors: [
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'img', format: 'skip' },
    ],
  });
}

function extensionFor(contentType: string): string {
  const known: Record<string, string> = { 'text/plain': 'txt', 'text/html': 'html', 'message/rfc822': 'eml', 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'text/calendar': 'ics' };
  return known[contentType] ?? 'bin';
}

export function parseMessage(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): RenderableMessage {
  const root = splitEntity(raw);
  const problems: string[] = [];
  const attachments: RenderAttachment[] = [];
  const texts: string[] = [];
  const htmls: string[] = [];
  let parts = 0;
  let partsNoted = false;

  const attach = (e: Entity, data: Buffer, contentType: string, fallbackName: string) => {
    const disposition = parseStructured(first(e, 'content-disposition'));
    const ct = parseStructured(first(e, 'content-type'));
    const named = safeFileName(headerDisplayText(disposition.params.filename ?? ct.params.name));
    attachments.push({ name: named || `${fallbackName}.${extensionFor(contentType)}`, contentType, data });
  };

  const walk = (e: Entity, depth: number, path: string, parentType: string) => {
    parts += 1;
    if (parts > limits.maxParts) {
      if (!partsNoted) problems.push(`more than ${limits.maxParts} MIME parts: the rest are not shown`);
      partsNoted = true;
      return;
    }
    const ct = parseStructured(first(e, 'content-type'));
    // RFC 2046 §5.1.5: in multipart/digest the default type is message/rfc822
    const type = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(ct.type) ? ct.type : parentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const encoding = (first(e, 'content-transfer-encoding') ?? '').toLowerCase().trim();
    const disposition = parseStructured(first(e, 'content-disposition')).type;

    if (type.startsWith('multipart/')) {
      const boundary = ct.params.boundary;
      if (!boundary) {
        problems.push(`part ${path}: multipart without a boundary, kept as an attachment`);
        attach(e, e.body, 'application/octet-stream', `part-${path}`);
        return;
      }
      if (depth >= limits.maxDepth) {
        problems.push(`part ${path}: nested deeper than ${limits.maxDepth}, kept as an attachment`);
        attach(e, e.body, 'application/octet-stream', `part-${path}`);
        return;
      }
      const { parts: children } = splitMultipart(e.body, boundary, Math.max(0, limits.maxParts - parts) + 1);
      if (children.length === 0) problems.push(`part ${path}: multipart with no parts`);
      children.forEach((child, i) => walk(splitEntity(child), depth + 1, path ? `${path}.${i + 1}` : String(i + 1), type));
      return;
    }

    const data = transferDecode(e.body, encoding);
    const isAttachment = disposition === 'attachment' || (parseStructured(first(e, 'content-disposition')).params.filename ?? ct.params.name) !== undefined;
    if (!isAttachment && type === 'text/plain') {
      texts.push(tidy(ct.params.format?.toLowerCase() === 'flowed' ? libmime.decodeFlowed(bytesToText(data, ct.params.charset), ct.params.delsp?.toLowerCase() === 'yes') : bytesToText(data, ct.params.charset)));
      return;
    }
    if (!isAttachment && type === 'text/html') {
      htmls.push(bytesToText(data, ct.params.charset));
      return;
    }
    attach(e, data, type, type === 'message/rfc822' ? 'forwarded-message' : `attachment-${path || '1'}`);
  };

  walk(root, 0, '', '');
  const html = htmls.length > 0 ? htmls.join('\n<hr>\n') : null;
  let text = texts.join('\n\n');
  if (!text && html !== null) {
    if (html.length > MAX_HTML_FOR_TEXT) problems.push(`the HTML body is long: the text shown comes from its first ${MAX_HTML_FOR_TEXT / 1024} KB; the whole HTML is attached as message.html`);
    try {
      text = tidy(htmlToReadableText(html));
    } catch (err) {
      problems.push(`the HTML body could not be converted to text (${err instanceof Error ? err.message : String(err)}); see message.html`);
    }
  }
  return {
    headers: {
      from: headerDisplayText(first(root, 'from')),
      to: headerDisplayText(root.headers.get('to')?.join(', ')),
      cc: headerDisplayText(root.headers.get('cc')?.join(', ')),
      date: headerDisplayText(first(root, 'date')),
      subject: headerDisplayText(first(root, 'subject')),
    },
    text,
    html,
    attachments,
    problems,
  };
}

/** Re-exported for the PDF method (file names, header text) — the implementations live in mime/read.ts. */
export { headerDisplayText as decodeHeaderText, safeFileName } from '../mime/read.js';
