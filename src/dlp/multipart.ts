/**
 * Splits a multipart body (RFC 2046 §5.1) into its parts' exact bytes.
 *
 * Byte-exact and lenient like src/crypto/smime-mime.ts's splitter (which serves signatures and
 * stays private there), but for scanning: it returns every part, tolerates a missing close
 * delimiter (the last part runs to the end, as mail clients show it) and stops at `maxParts`.
 * SECURITY: one left-to-right pass with Buffer.indexOf, so a 10 000-part message costs one scan
 * of its bytes; nothing here throws.
 */

export interface SplitResult {
  readonly parts: Buffer[];
  /** more parts followed than `maxParts` allowed */
  readonly truncated: boolean;
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

export function splitMultipart(body: Buffer, boundaryText: string, maxParts: number): SplitResult {
  const parts: Buffer[] = [];
  const boundary = Buffer.from(`--${boundaryText}`, 'latin1');
  let open = findDelimiter(body, boundary, 0);
  while (open && !open.close) {
    const end = findDelimiter(body, boundary, open.next);
    if (parts.length >= maxParts) return { parts, truncated: true };
    parts.push(body.subarray(open.next, end ? end.start : body.length));
    open = end;
  }
  return { parts, truncated: false };
}
