/**
 * Small MIME writing helpers shared by the notice builders: header folding and encoded-words,
 * dates, ids, quoted-printable text, and a safe copy of an original header block.
 *
 * SECURITY: header values are caller data (subjects, addresses, remote replies): CR/LF and other
 * controls are removed so nothing can inject a header or a MIME boundary.
 * STANDARDS: RFC 5322 (§2.1.1 line length, §2.2.3 folding, §3.3 date), RFC 2045 (QP), RFC 2047.
 */
import { createHash, randomBytes } from 'node:crypto';
import libmime from 'libmime';
import { decodeWords } from '../mime/read.js';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { MessageDraft } from '../mime/draft.js';

export const CRLF = '\r\n';
const MAX_LINE = 998;

/** Drops control characters (CR and LF included) from a header value. */
export function clean(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

export const isAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

/**
 * Unstructured text as RFC 2047 encoded-words where it is not ASCII: Q for mostly-Latin text
 * (stays readable), B when most characters are not ASCII (CJK, Cyrillic: Q would triple them).
 */
export function encodeText(value: string): string {
  const v = clean(value);
  if (isAscii(v)) return v;
  const nonAscii = [...v].filter((c) => c > '\x7e').length;
  return libmime.encodeWords(v, nonAscii * 2 > [...v].length ? 'B' : 'Q', 52);
}

/** `Name: value`, the value turned into encoded-words when not ASCII, folded at 76 columns. */
export function header(name: string, value: string): string {
  return hardWrap(libmime.foldLines(`${name}: ${encodeText(value)}`, 76)) + CRLF;
}

/** A header whose value is structured (addresses, parameters): folded but never encoded. */
export function rawHeader(name: string, value: string): string {
  return hardWrap(libmime.foldLines(`${name}: ${clean(value)}`, 76)) + CRLF;
}

/** Splits any line still over 998 octets (one unbreakable token) with folding whitespace. */
function hardWrap(text: string): string {
  return text
    .split(CRLF)
    .map((line) => {
      if (Buffer.byteLength(line) <= MAX_LINE) return line;
      const parts: string[] = [];
      for (let i = 0; i < line.length; i += 900) parts.push(line.slice(i, i + 900));
      return parts.join(`${CRLF} `);
    })
    .join(CRLF);
}

/** RFC 5322 date in UTC: "Thu, 02 Jan 2025 03:04:05 +0000". */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

export function newMessageId(hostname: string, now: number): string {
  return `<${now.toString(36)}.${randomBytes(9).toString('hex')}@${clean(hostname).replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}>`;
}

/** A boundary that occurs in none of the parts (RFC 2046 §5.1.1). */
export function boundaryFor(...parts: Array<string | Buffer>): string {
  for (;;) {
    const b = `=_sealpost_${createHash('sha256').update(randomBytes(16)).digest('hex').slice(0, 24)}`;
    if (!parts.some((p) => (typeof p === 'string' ? p.includes(b) : p.includes(b, 0, 'latin1')))) return b;
  }
}

/** UTF-8 text as quoted-printable with CRLF line ends and soft breaks at 76 columns. */
export function quotedPrintable(text: string): string {
  const normalized = text.replace(/\r\n|\r|\n/g, CRLF);
  const body = qpWrap(qpEncode(Buffer.from(normalized.endsWith(CRLF) ? normalized : normalized + CRLF, 'utf8')), 76);
  return body.endsWith(CRLF) ? body : body + CRLF;
}

/**
 * The header block of the original message, ready to be a text/rfc822-headers part: only the
 * fields (a body passed by mistake is cut off, so no content leaks back), CRLF line ends,
 * lines kept under 998 octets, and whether 8-bit bytes need a transfer encoding.
 */
export function originalHeaderPart(original: Buffer): { body: string; eightBit: boolean } {
  const fields = MessageDraft.parse(original).headerBytes().toString('latin1');
  const lines = fields.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const text = lines.map((l) => (l.length > MAX_LINE ? hardWrap(l) : l)).join(CRLF) + CRLF;
  const eightBit = /[\x80-\xff]/.test(text);
  if (!eightBit) return { body: text, eightBit };
  // RFC 6532 headers: carried as quoted-printable so the report itself stays 7-bit.
  const bytes = Buffer.from(text, 'latin1');
  const qp = qpWrap(qpEncode(bytes), 76);
  return { body: qp.endsWith(CRLF) ? qp : qp + CRLF, eightBit };
}

/** A header value as people read it (raw UTF-8 and RFC 2047 decoded, see mime/read.ts); '' when absent. */
export function headerText(value: string | undefined): string {
  return value === undefined ? '' : decodeWords(value);
}
