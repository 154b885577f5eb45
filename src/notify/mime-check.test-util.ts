/**
 * Test support for notify/ (not a test file itself; only *.test.ts import it).
 * mailparser is not a dependency: a few lines of structural parsing are enough to check the
 * shape of what the builders write.
 */
import assert from 'node:assert/strict';

export function parseMessage(raw: string): { headers: Map<string, string[]>; body: string } {
  const sep = raw.indexOf('\r\n\r\n');
  const head = sep < 0 ? raw : raw.slice(0, sep + 2);
  const headers = new Map<string, string[]>();
  for (const field of head.replace(/\r\n[ \t]/g, ' ').split('\r\n').filter(Boolean)) {
    const colon = field.indexOf(':');
    const name = field.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), field.slice(colon + 1).trim()]);
  }
  return { headers, body: sep < 0 ? '' : raw.slice(sep + 4) };
}

export function multipart(raw: string): { headers: Map<string, string[]>; parts: Array<{ headers: Map<string, string[]>; body: string }> } {
  const msg = parseMessage(raw);
  const boundary = /boundary="([^"]+)"/.exec(msg.headers.get('content-type')?.[0] ?? '')?.[1];
  assert.ok(boundary, 'multipart boundary');
  const chunks = `\r\n${msg.body}`.split(`\r\n--${boundary}`);
  assert.ok(chunks.at(-1)!.startsWith('--'), 'closing delimiter');
  // chunks[0] is the preamble, the last one the epilogue after the closing "--"
  return { headers: msg.headers, parts: chunks.slice(1, -1).map((c) => parseMessage(c.replace(/^\r\n/, ''))) };
}

export function qpDecode(s: string): Buffer {
  const joined = s.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = /^=([0-9A-F]{2})/.exec(joined.slice(i, i + 3));
    if (hex) {
      bytes.push(parseInt(hex[1]!, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

export function assertWireClean(buf: Buffer, sevenBit = true): void {
  const s = buf.toString('latin1');
  assert.ok(!/[^\r]\n/.test(s) && !/\r(?!\n)/.test(s), 'only CRLF line ends');
  for (const line of s.split('\r\n')) assert.ok(Buffer.byteLength(line, 'latin1') <= 998, `line of ${line.length} octets`);
  if (sevenBit) assert.ok(!buf.some((b) => b >= 0x80), '7-bit');
}


/** A part's body decoded by its Content-Transfer-Encoding (quoted-printable, base64 or none). */
export function decodePart(part: { headers: Map<string, string[]>; body: string }): string {
  const cte = (part.headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return qpDecode(part.body).toString('utf8');
  return Buffer.from(part.body, 'latin1').toString('utf8');
}

/**
 * The text and HTML alternatives of a notice (multipart/alternative, possibly inside the
 * multipart/mixed that carries the original headers), decoded; plus the top-level headers.
 */
export function noticeParts(raw: string): { headers: Map<string, string[]>; text: string; html: string; original?: string } {
  const top = parseMessage(raw);
  const type = top.headers.get('content-type')?.[0] ?? '';
  let altHolder = raw;
  let original: string | undefined;
  if (type.startsWith('multipart/mixed')) {
    const mixed = multipart(raw);
    const first = mixed.parts[0]!;
    altHolder = `Content-Type: ${first.headers.get('content-type')![0]}\r\n\r\n${first.body}`;
    original = mixed.parts.find((p) => p.headers.get('content-type')?.[0]?.startsWith('text/rfc822-headers'))?.body;
  }
  const alt = multipart(altHolder);
  assert.match(alt.headers.get('content-type')![0]!, /^multipart\/alternative;/);
  assert.equal(alt.parts.length, 2, 'text and html alternatives');
  assert.match(alt.parts[0]!.headers.get('content-type')![0]!, /^text\/plain; charset=utf-8$/);
  assert.match(alt.parts[1]!.headers.get('content-type')![0]!, /^text\/html; charset=utf-8$/);
  return { headers: top.headers, text: decodePart(alt.parts[0]!), html: decodePart(alt.parts[1]!), ...(original !== undefined ? { original } : {}) };
}
