/**
 * The mutable state of one extraction: what was found so far and what is left of each limit.
 * Every extractor draws on the same budget, so the limits hold for the message as a whole
 * (a message cannot get 1000 parts per nested ZIP, or the time limit once per PDF).
 */
import type { AttachmentInfo, ContentIndex, DlpLimits, ScannedText, TextWhere, Unscannable } from './types.js';

export type Alternative = ScannedText['alternative'];

export class Collector {
  readonly texts: ScannedText[] = [];
  readonly attachments: AttachmentInfo[] = [];
  readonly unscannable: Unscannable[] = [];
  bytesScanned = 0;
  private parts = 0;
  private decompressed = 0;
  private textBytes = 0;
  private readonly deadline: number;
  /** set once a global limit (time, parts, text) stopped the walk, so it is reported once */
  private stopped: string | null = null;

  constructor(readonly limits: DlpLimits) {
    this.deadline = Date.now() + limits.maxExtractMs;
  }

  /** ms left before the extraction deadline (never negative) */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /**
   * Called before examining a part or archive member. False means: skip it — the reason was
   * recorded (the first time a global limit trips, and for every depth refusal).
   */
  enter(path: string, depth: number): boolean {
    if (this.stopped !== null) return false;
    if (Date.now() > this.deadline) return this.stop(path, `extraction time limit (${this.limits.maxExtractMs} ms) reached`);
    if (++this.parts > this.limits.maxParts) return this.stop(path, `more than ${this.limits.maxParts} parts`);
    if (depth > this.limits.maxDepth) {
      this.markUnscannable(path, `nesting deeper than ${this.limits.maxDepth}`);
      return false;
    }
    return true;
  }

  /** True once the time, part or text limit ended the walk. */
  get halted(): boolean {
    return this.stopped !== null;
  }

  private stop(path: string, reason: string): false {
    this.stopped = reason;
    this.markUnscannable(path, `${reason}; this part and the rest of the message were not scanned`);
    return false;
  }

  /** Records that the time limit passed inside an extractor (PDF worker, inflate loop). */
  timedOut(path: string): void {
    if (this.stopped === null) this.stop(path, `extraction time limit (${this.limits.maxExtractMs} ms) reached`);
  }

  expired(): boolean {
    return Date.now() > this.deadline;
  }

  markUnscannable(path: string, reason: string): void {
    // a bomb can trip the same check in every member: keep the list short and readable
    if (this.unscannable.length < 200) this.unscannable.push({ path, reason });
  }

  /** Decompressed bytes still allowed for the whole message. */
  decompressedLeft(): number {
    return Math.max(0, this.limits.maxDecompressedBytes - this.decompressed);
  }

  addDecompressed(n: number): void {
    this.decompressed += n;
    this.bytesScanned += n;
  }

  addScanned(n: number): void {
    this.bytesScanned += n;
  }

  addAttachment(info: AttachmentInfo): void {
    this.attachments.push(info);
  }

  /** the multipart/alternative branch the walk is in (set by the MIME walker around each branch) */
  alternative: Alternative = undefined;

  addText(where: TextWhere, path: string, raw: string): void {
    const text = normalizeForScan(raw);
    if (text.length === 0) return;
    if (this.stopped !== null && where !== 'header' && where !== 'subject') return;
    const left = this.limits.maxTextBytes - this.textBytes;
    // string length in UTF-16 units is within a factor 3 of UTF-8 bytes; the exact count is cheap enough
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= left) {
      this.textBytes += bytes;
      this.texts.push(this.alternative ? { where, path, text, alternative: this.alternative } : { where, path, text });
      return;
    }
    if (left > 0) {
      const cut = Buffer.from(text, 'utf8').subarray(0, left).toString('utf8');
      this.textBytes += left;
      this.texts.push(this.alternative ? { where, path, text: cut, alternative: this.alternative } : { where, path, text: cut });
    }
    this.stop(path, `text limit (${this.limits.maxTextBytes} bytes) reached`);
  }

  result(): ContentIndex {
    return { texts: this.texts, attachments: this.attachments, unscannable: this.unscannable, bytesScanned: this.bytesScanned };
  }
}

/**
 * What the detectors should see: zero-width characters and soft hyphens removed (a classic way
 * to split "4111<ZWSP>1111…" so no pattern matches), exotic spaces as plain spaces, full-width
 * digits and Latin letters as ASCII, decimal digits of every other script as ASCII digits.
 */
export function normalizeForScan(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return text
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/(?![0-9])\p{Nd}/gu, (ch) => String(digitValue(ch.codePointAt(0)!)));
}

const NON_ASCII_DIGIT = /^\p{Nd}$/u;
const digitValues = new Map<number, number>();

/**
 * The value of a decimal digit in any script (Arabic-Indic ٤, Devanagari ४, mathematical 𝟒 …):
 * Unicode allocates every Nd digit set as ten consecutive code points from zero to nine, and
 * adjacent sets follow each other without gaps, so the offset from the start of the run, mod 10.
 */
function digitValue(cp: number): number {
  const known = digitValues.get(cp);
  if (known !== undefined) return known;
  let start = cp;
  while (start > 0 && NON_ASCII_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  const value = (cp - start) % 10;
  digitValues.set(cp, value);
  return value;
}
