/**
 * Streaming detector for bare CR and bare LF in DATA.
 *
 * SECURITY: SMTP smuggling (CVE-2023-51766 and kin) hides a second message behind an end-of-data
 * sequence that one MTA honours and the next does not (`\n.\n`, `\r.\r`, `\n.\r\n`...). Every such
 * sequence contains a CR or LF that is not part of a CRLF pair, so refusing any message that has
 * one closes the whole family, whatever the next hop's parser thinks. STANDARDS: RFC 5321 §2.3.8
 * (CR and LF only as CRLF), §4.1.1.4.
 */

export interface BareLineEnding {
  readonly kind: 'bare-cr' | 'bare-lf';
  /** byte offset in the (dot-unstuffed) message data */
  readonly offset: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class LineEndingGuard {
  private total = 0;
  /** last byte of the previous chunk (-1 before any): chunk boundaries may split a CRLF pair */
  private lastByte = -1;
  private found: BareLineEnding | null = null;

  push(chunk: Buffer): void {
    const base = this.total;
    this.total += chunk.length;
    if (this.found !== null || chunk.length === 0) return;
    const previous = this.lastByte;
    this.lastByte = chunk[chunk.length - 1]!;
    if (previous === CR && chunk[0] !== LF) return this.report('bare-cr', base - 1);
    // indexOf runs natively, which keeps multi-megabyte messages cheap to scan
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const before = i === 0 ? previous : chunk[i - 1];
      if (before !== CR) return this.report('bare-lf', base + i);
    }
    // a CR in the last position is judged by the next chunk, or by finish()
    for (let i = chunk.indexOf(CR); i !== -1 && i < chunk.length - 1; i = chunk.indexOf(CR, i + 1)) {
      if (chunk[i + 1] !== LF) return this.report('bare-cr', base + i);
    }
  }

  /** Call at end of data; a trailing lone CR counts as bare. */
  finish(): BareLineEnding | null {
    if (this.found === null && this.lastByte === CR) this.report('bare-cr', this.total - 1);
    return this.found;
  }

  get violation(): BareLineEnding | null {
    return this.found;
  }

  private report(kind: BareLineEnding['kind'], offset: number): void {
    // the first one is enough: the message is refused as a whole
    if (this.found === null) this.found = { kind, offset };
  }
}
