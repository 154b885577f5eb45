/**
 * ZIP reading for the scanner (APPNOTE 6.3.10): the central directory says what is there, each
 * member is inflated on its own within the message's limits.
 * Hand-written over fflate's streaming Inflate because fflate's unzip inflates whole members
 * at once (a 1 GB member would be 1 GB in memory before any check) and hides the encryption
 * flag and method of the members it cannot read.
 * SECURITY: offsets and sizes come from the attacker; every read is bounds-checked and returns
 * null/unscannable instead of throwing. Encrypted members, unknown methods and bombs are
 * reported unscannable with the reason.
 */
import type { Collector } from './collector.js';
import type { FileInput } from './files.js';
import { inflateBounded } from './inflate.js';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

export type ZipDirectory = { ok: true; entries: ZipEntry[]; /** more entries than were read */ truncated: boolean } | { ok: false; reason: string };

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Reads the central directory; at most `maxEntries` entries are returned (the rest is counted as truncation by the caller). */
export function readZipDirectory(buf: Buffer, maxEntries: number): ZipDirectory {
  try {
    let eocd = -1;
    for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
      if (buf.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) return { ok: false, reason: 'not a readable ZIP archive (no end of central directory)' };
    let total = buf.readUInt16LE(eocd + 10);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    if ((total === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
      const at = u64(buf, eocd - 20 + 8);
      if (at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64) return { ok: false, reason: 'not a readable ZIP archive (bad ZIP64 record)' };
      total = u64(buf, at + 32);
      cdOffset = u64(buf, at + 48);
    }
    const entries: ZipEntry[] = [];
    let p = cdOffset;
    for (let n = 0; n < total && entries.length < maxEntries; n++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return { ok: false, reason: 'not a readable ZIP archive (broken central directory)' };
      const flags = buf.readUInt16LE(p + 8);
      const method = buf.readUInt16LE(p + 10);
      let compressedSize = buf.readUInt32LE(p + 20);
      let size = buf.readUInt32LE(p + 24);
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      let localOffset = buf.readUInt32LE(p + 42);
      const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
      // bit 11: UTF-8 names; otherwise CP437, read as latin1 (ASCII names, which is nearly all, come out right)
      const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
      // ZIP64 extended information (header 0x0001): the fields that were 0xFFFFFFFF, in this order
      let e = p + 46 + nameLen;
      const extraEnd = Math.min(buf.length, e + extraLen);
      while (e + 4 <= extraEnd) {
        const id = buf.readUInt16LE(e);
        const len = buf.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff && q + 8 <= extraEnd) (size = u64(buf, q)), (q += 8);
          if (compressedSize === 0xffffffff && q + 8 <= extraEnd) (compressedSize = u64(buf, q)), (q += 8);
          if (localOffset === 0xffffffff && q + 8 <= extraEnd) localOffset = u64(buf, q);
        }
        e += 4 + len;
      }
      entries.push({ name, method, encrypted: (flags & 1) === 1 || method === 99, compressedSize, size, localOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return { ok: true, entries, truncated: entries.length < total };
  } catch {
    return { ok: false, reason: 'not a readable ZIP archive' };
  }
}

export type EntryData = { ok: true; data: Buffer } | { ok: false; reason: string };

/** The member's content, inflated within what is left of the message's decompression budget. */
export function readZipEntry(buf: Buffer, entry: ZipEntry, c: Collector): EntryData {
  if (entry.encrypted) return { ok: false, reason: 'encrypted archive entry' };
  if (entry.method !== 0 && entry.method !== 8) return { ok: false, reason: `compression method ${entry.method} not supported` };
  const left = c.decompressedLeft();
  if (entry.size > left) return { ok: false, reason: `decompressed size limit: the entry declares ${entry.size} bytes, ${left} left for this message` };
  const at = entry.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL) return { ok: false, reason: 'broken local header' };
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) return { ok: false, reason: 'entry runs past the end of the archive' };
  const raw = buf.subarray(start, end);
  if (entry.method === 0) {
    c.addDecompressed(raw.length);
    return { ok: true, data: raw };
  }
  const result = inflateBounded(raw, 'deflate', { maxOut: left, maxRatio: c.limits.maxRatio, expired: () => c.expired() });
  if (!result.ok) return result;
  c.addDecompressed(result.data.length);
  return result;
}

const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain', csv: 'text/csv', tsv: 'text/tab-separated-values', html: 'text/html', htm: 'text/html', xml: 'application/xml',
  json: 'application/json', pdf: 'application/pdf', zip: 'application/zip', eml: 'message/rfc822', gz: 'application/gzip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', exe: 'application/x-msdownload', dll: 'application/x-msdownload',
};

export function guessType(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** Scans every member of a ZIP archive as a file of its own (`<path>!<member>`). */
export async function extractZip(f: FileInput, c: Collector, extract: (f: FileInput, c: Collector) => Promise<void>): Promise<void> {
  const dir = readZipDirectory(f.bytes, c.limits.maxParts + 1);
  if (!dir.ok) {
    c.markUnscannable(f.path, dir.reason);
    return;
  }
  for (const entry of dir.entries) {
    if (entry.name.endsWith('/') && entry.size === 0) continue; // directory
    const path = `${f.path}!${entry.name}`;
    if (!c.enter(path, f.depth + 1)) {
      if (c.halted) return;
      continue;
    }
    const contentType = guessType(entry.name);
    c.addAttachment({ path, name: entry.name, contentType, size: entry.size });
    const data = readZipEntry(f.bytes, entry, c);
    if (!data.ok) {
      c.markUnscannable(path, data.reason);
      if (c.expired()) c.timedOut(path);
      continue;
    }
    await extract({ bytes: data.data, name: entry.name, contentType, path, depth: f.depth + 1 }, c);
  }
  // directory entries count against the read cap without entering: never let the rest pass silently
  if (dir.truncated && !c.halted) c.markUnscannable(f.path, `archive has more than ${dir.entries.length} entries; the rest were not scanned`);
}
