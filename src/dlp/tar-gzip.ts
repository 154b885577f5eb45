/**
 * gzip (RFC 1952) members and tar (POSIX ustar) archives: a .csv.gz or a .tar.gz must not be a
 * way around the scanner. gzip goes through the same bounded inflate as ZIP members.
 * SECURITY: tar headers are attacker data; sizes are bounds-checked, a broken header ends the
 * walk with the rest unscannable.
 */
import type { Collector } from './collector.js';
import type { FileInput } from './files.js';
import { inflateBounded } from './inflate.js';
import { guessType } from './zip.js';

export async function extractGzip(f: FileInput, c: Collector, extract: (f: FileInput, c: Collector) => Promise<void>): Promise<void> {
  const result = inflateBounded(f.bytes, 'gzip', { maxOut: c.decompressedLeft(), maxRatio: c.limits.maxRatio, expired: () => c.expired() });
  if (!result.ok) {
    c.markUnscannable(f.path, result.reason);
    return;
  }
  c.addDecompressed(result.data.length);
  const inner = f.name.replace(/\.(gz|tgz)$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : '')) || 'data';
  const path = `${f.path}!${inner}`;
  if (!c.enter(path, f.depth + 1)) return;
  await extract({ bytes: result.data, name: inner, contentType: guessType(inner), path, depth: f.depth + 1 }, c);
}


function field(block: Buffer, at: number, len: number): string {
  const raw = block.subarray(at, at + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

export async function extractTar(f: FileInput, c: Collector, extract: (f: FileInput, c: Collector) => Promise<void>): Promise<void> {
  const buf = f.bytes;
  let p = 0;
  let longName: string | null = null;
  while (p + 512 <= buf.length) {
    const header = buf.subarray(p, p + 512);
    if (header.every((b) => b === 0)) return; // end-of-archive blocks
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    if (!Number.isFinite(size) || size < 0 || p + 512 + size > buf.length) {
      c.markUnscannable(`${f.path}!@${p}`, 'broken tar header; the rest of the archive was not scanned');
      return;
    }
    const data = buf.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = field(data, 0, data.length); // GNU long name for the next entry
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = null;
    if (type !== '0' && type !== '\0' && type !== '7') continue; // directories, links, pax headers
    const path = `${f.path}!${name}`;
    if (!c.enter(path, f.depth + 1)) {
      if (c.halted) return;
      continue;
    }
    const contentType = guessType(name);
    c.addAttachment({ path, name, contentType, size });
    await extract({ bytes: data, name, contentType, path, depth: f.depth + 1 }, c);
  }
}
