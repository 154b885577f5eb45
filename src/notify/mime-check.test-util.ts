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

