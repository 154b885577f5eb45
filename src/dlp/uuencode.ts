/**
 * uuencoded files inside text bodies (`begin 644 name` … `end`, and `begin-base64`), the way
 * attachments travelled before MIME and still a way to slip a ZIP past a filter that reads the
 * body only as text. Each block is handed to the file extractors as a file of its own.
 * SECURITY: the block search is one linear regex pass; decoding works line by line on text
 * that is already bounded by the text budget, and a broken line ends the block.
 */
import type { Collector } from './collector.js';
import type { FileInput } from './files.js';
import { guessType } from './zip.js';

const BEGIN = /^begin(-base64)? [0-7]{3,4} ([^\r\n]{1,255})\r?$/gm;

function decodeUuLines(lines: readonly string[]): Buffer {
  const out: number[] = [];
  for (const line of lines) {
    if (line === '' || line === '`') break; // a zero-length line ends the data
    const n = (line.charCodeAt(0) - 32) & 63;
    if (n === 0) break;
    const bytes: number[] = [];
    for (let i = 1; i + 3 < line.length + 3 && bytes.length < n; i += 4) {
      const c = [0, 1, 2, 3].map((k) => ((line.charCodeAt(i + k) || 32) - 32) & 63);
      bytes.push(((c[0]! << 2) | (c[1]! >> 4)) & 255, ((c[1]! << 4) | (c[2]! >> 2)) & 255, ((c[2]! << 6) | c[3]!) & 255);
    }
    for (let k = 0; k < n && k < bytes.length; k++) out.push(bytes[k]!);
  }
  return Buffer.from(out);
}

/** Finds the uuencoded blocks in `text` (a body or text file at `path`) and scans each as a file. */
export async function extractUuencoded(text: string, path: string, depth: number, c: Collector, extract: (f: FileInput, c: Collector) => Promise<void>): Promise<void> {
  if (!text.includes('begin')) return;
  for (const m of text.matchAll(BEGIN)) {
    const name = m[2]!.trim();
    const start = m.index + m[0].length + 1;
    const endMark = m[1] ? '\n====' : '\nend';
    const stop = text.indexOf(endMark, start - 1);
    const body = text.slice(start, stop < 0 ? text.length : stop);
    const lines = body.split(/\r?\n/);
    const bytes = m[1] ? Buffer.from(lines.join('').replace(/[^A-Za-z0-9+/]/g, ''), 'base64') : decodeUuLines(lines);
    const memberPath = `${path}!${name}`;
    if (!c.enter(memberPath, depth + 1)) {
      if (c.halted) return;
      continue;
    }
    const contentType = guessType(name);
    c.addAttachment({ path: memberPath, name, contentType, size: bytes.length });
    c.addScanned(bytes.length);
    await extract({ bytes, name, contentType, path: memberPath, depth: depth + 1 }, c);
  }
}
