/**
 * mime/read — reading untrusted MIME for people and scanners: entity split, structured header
 * values (RFC 2231), encoded words (RFC 2047) and raw UTF-8 headers (RFC 6532), charsets,
 * transfer decodings (RFC 2045 §6) and a byte-exact multipart splitter (RFC 2046 §5.1).
 * One implementation for every reader (DLP content index, PDF rendering, the portal's message
 * view, notices): none of the installed parsers hands out parts within limits the way these
 * readers need, and mime/draft.ts is for relaying (byte-exact, no decoding).
 *
 * SECURITY: input is hostile. Nothing here throws on malformed input: unknown charsets and
 * transfer encodings degrade (UTF-8 with replacement characters, or the raw bytes), broken
 * encoded words stay as they are, a missing close delimiter ends the last part at the end of
 * the body. The splitter is one left-to-right pass with Buffer.indexOf and stops at maxParts.
 */
import libmime from 'libmime';

export interface Structured {
  /** lower-case value (the media type of Content-Type, the disposition type …); '' when absent */
  readonly type: string;
  /** parameters by lower-case name, RFC 2231 continuations joined and encoded words decoded */
  readonly params: Readonly<Record<string, string>>;
}

export function parseStructured(value: string | undefined): Structured {
  if (!value) return { type: '', params: {} };
  try {
    const parsed = libmime.parseHeaderValue(value);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.params ?? {})) if (typeof v === 'string') params[k.toLowerCase()] = decodeWords(v);
    return { type: String(parsed.value ?? '').trim().toLowerCase(), params };
  } catch {
    return { type: value.split(';')[0]!.trim().toLowerCase(), params: {} };
  }
}

/**
 * A header value as people read it: raw 8-bit bytes (carried as latin1 code units, as
 * MessageDraft keeps them) re-read as UTF-8 when they are valid UTF-8 (RFC 6532), then RFC 2047
 * encoded words decoded.
 */
export function decodeWords(value: string): string {
  let text = value;
  if (/[\x80-\xff]/.test(text) && !/[^\x00-\xff]/.test(text)) {
    const utf8 = decodeCharset(Buffer.from(text, 'latin1'), 'utf-8', true);
    if (utf8 !== null) text = utf8;
  }
  if (!text.includes('=?')) return text;
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}

/** decodeWords for display: control characters (but tab) removed, trimmed; '' for undefined. */
export function headerDisplayText(value: string | undefined): string {
  if (value === undefined) return '';
  return decodeWords(value).replace(/[\x00-\x08\x0a-\x1f\x7f]+/g, ' ').trim();
}

/**
 * Bytes → text in the declared charset. WHATWG labels through TextDecoder (Node has full ICU:
 * ISO-8859-*, windows-125x, Shift_JIS, EUC-JP, ISO-2022-JP, GBK/GB18030, Big5, EUC-KR, KOI8 …).
 * Unknown labels fall back to UTF-8 with replacement characters, so ASCII text survives.
 * `fatal` returns null on invalid input instead.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined, fatal = false): string | null {
  const label = normalizeLabel(charset);
  if (WINDOWS_1252_LABELS.has(label)) return decodeWindows1252(bytes);
  try {
    return new TextDecoder(label, { fatal }).decode(bytes);
  } catch (err) {
    if (fatal && !(err instanceof RangeError && /encoding/i.test(err.message))) return null;
    try {
      return new TextDecoder('utf-8', { fatal }).decode(bytes);
    } catch {
      return null;
    }
  }
}

/** decodeCharset that always answers (UTF-8 with replacement characters as the last resort). */
export function bytesToText(bytes: Uint8Array, charset: string | undefined): string {
  return decodeCharset(bytes, charset) ?? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

// WHATWG maps all of these to windows-1252; Node 20's TextDecoder decodes them as ISO-8859-1
// (0x80–0x9F as C1 controls), which would hide “smart quotes”, € and the like
const WINDOWS_1252_LABELS = new Set(['windows-1252', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'cp819', 'ibm819', 'iso-ir-100', 'x-cp1252', 'iso_8859-1']);
// 0x80–0x9F of windows-1252; undefined positions stay as the C1 control, as the WHATWG table does
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return /[\x80-\x9f]/.test(latin1) ? latin1.replace(/[\x80-\x9f]/g, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!) : latin1;
}

function normalizeLabel(charset: string | undefined): string {
  const c = (charset ?? '').trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!c || c === 'us-ascii' || c === 'ascii' || c === 'ansi_x3.4-1968') return 'utf-8'; // 8-bit bytes in "ascii" are usually UTF-8 in practice
  if (c === 'utf8') return 'utf-8';
  if (c === 'cp1252' || c === 'cp-1252') return 'windows-1252';
  if (c.startsWith('cp') && /^cp\d+$/.test(c)) return `windows-${c.slice(2)}`;
  return c;
}

/** Decodes a body per its Content-Transfer-Encoding value; unknown encodings pass the bytes through. */
export function transferDecode(body: Buffer, encoding: string | undefined): Buffer {
  const cte = (encoding ?? '').trim().toLowerCase();
  if (cte === 'base64') return base64Decode(body);
  if (cte === 'quoted-printable') return qpDecode(body);
  return body;
}

/** base64 ignoring everything outside the alphabet (line breaks, garbage), as RFC 2045 §6.8 asks. */
export function base64Decode(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Quoted-printable (RFC 2045 §6.7): soft line breaks removed, =XX decoded, malformed escapes kept literally. */
export function qpDecode(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    // "=" CRLF / "=" LF (optionally after trailing whitespace): soft line break
    let j = i + 1;
    while (bytes[j] === 0x20 || bytes[j] === 0x09) j++;
    if (bytes[j] === 0x0d && bytes[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (bytes[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j === bytes.length) break;
    const hi = hexValue(bytes[i + 1]);
    const lo = hexValue(bytes[i + 2]);
    if (hi >= 0 && lo >= 0) {
      out[o++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export interface SplitResult {
  readonly parts: Buffer[];
  /** more parts followed than `maxParts` allowed */
  readonly truncated: boolean;
  /** the close delimiter was found (strict readers, e.g. of signed or encrypted entities, insist on it) */
  readonly closed: boolean;
}

interface Delimiter {
  /** where the delimiter's leading line break starts (the break belongs to the delimiter) */
  readonly start: number;
  /** where the line after the delimiter starts */
  readonly next: number;
  readonly close: boolean;
}

function findDelimiter(body: Buffer, boundary: Buffer, from: number): Delimiter | null {
  for (let at = body.indexOf(boundary, from); at !== -1; at = body.indexOf(boundary, at + 1)) {
    let start = at;
    if (at > 0) {
      if (body[at - 1] !== 0x0a) continue;
      start = at >= 2 && body[at - 2] === 0x0d ? at - 2 : at - 1;
    }
    let i = at + boundary.length;
    const close = body[i] === 0x2d && body[i + 1] === 0x2d;
    if (close) i += 2;
    while (body[i] === 0x20 || body[i] === 0x09) i++; // transport padding
    if (i >= body.length) return { start, next: body.length, close };
    if (body[i] === 0x0d && body[i + 1] === 0x0a) return { start, next: i + 2, close };
    if (body[i] === 0x0a) return { start, next: i + 1, close };
  }
  return null;
}

/** The parts of a multipart body, byte-exact; lenient about a missing close delimiter. */
export function splitMultipart(body: Buffer, boundaryText: string, maxParts = Number.POSITIVE_INFINITY): SplitResult {
  const parts: Buffer[] = [];
  const boundary = Buffer.from(`--${boundaryText}`, 'latin1');
  let open = findDelimiter(body, boundary, 0);
  while (open && !open.close) {
    const end = findDelimiter(body, boundary, open.next);
    if (parts.length >= maxParts) return { parts, truncated: true, closed: false };
    parts.push(body.subarray(open.next, end ? end.start : body.length));
    open = end;
  }
  return { parts, truncated: false, closed: open !== null };
}

/** A safe file name: no path, no controls, bounded length; '' when nothing usable is left. */
export function safeFileName(name: string): string {
  // bidi controls would let `invoice\u202Efdp.exe` show as …exe.pdf
  const base = name.replace(/[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '').split(/[\\/]/).pop()!.trim().replace(/^\.+/, '');
  return [...base].slice(0, 120).join('');
}
