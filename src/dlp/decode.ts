/**
 * Decoding for the content index: transfer encodings (RFC 2045 §6), charsets, encoded words
 * (RFC 2047), structured header values (RFC 2231 parameters).
 * SECURITY: input is hostile. Nothing here throws: an unknown charset or transfer encoding
 * degrades (UTF-8 with replacement characters, or the raw bytes), it never stops the scan —
 * leaving text unscanned because its label was odd would be an easy way around DLP.
 */
import libmime from 'libmime';
import type { MessageDraft } from '../mime/draft.js';

export interface ParsedContentType {
  /** lower-case media type, '' when absent */
  readonly type: string;
  /** parameter names lower-cased */
  readonly params: Readonly<Record<string, string>>;
}

export function parseStructured(value: string | undefined): ParsedContentType {
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

/** RFC 2047 encoded words → text; raw 8-bit (latin1-carried) UTF-8 is re-read as UTF-8 first (RFC 6532). */
export function decodeWords(value: string): string {
  let text = value;
  // MessageDraft carries header bytes as latin1; RFC 6532 headers are UTF-8 bytes
  if (/[\x80-\xff]/.test(text)) {
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

/**
 * Bytes → text in the declared charset. WHATWG labels through TextDecoder (Node has full ICU:
 * ISO-8859-*, windows-125x, Shift_JIS, EUC-JP, ISO-2022-JP, GBK/GB18030, Big5, EUC-KR, KOI8 …).
 * Unknown labels fall back to UTF-8 with replacement characters, so ASCII digits and words —
 * what the detectors look for — survive. `fatal` returns null on invalid input instead.
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

/** Decodes the body of an entity per its Content-Transfer-Encoding; unknown encodings pass the bytes through. */
export function transferDecode(draft: MessageDraft): Buffer {
  const cte = (draft.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  const body = draft.body;
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
