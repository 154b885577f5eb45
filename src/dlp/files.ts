/**
 * Text out of one file (a MIME attachment or an archive member): picks the extractor by magic
 * bytes first, then by declared type and name, because a hostile sender controls the labels.
 * Formats we cannot read (RAR, 7z, legacy Office …) are unscannable; media we have no reason to
 * read (images, audio, video, fonts) are listed as attachments but not scanned.
 * SECURITY: every extractor runs inside a try/catch here: a failure makes the part unscannable,
 * never the scan fail.
 */
import type { Collector } from './collector.js';
import { decodeCharset } from './decode.js';
import { htmlToText, stripTags } from './html.js';
import { walkMessage } from './mime-walk.js';
import { extractUuencoded } from './uuencode.js';

export interface FileInput {
  readonly bytes: Buffer;
  readonly name: string;
  /** declared (MIME) or guessed (archive member) type, lower-case */
  readonly contentType: string;
  readonly charset?: string | undefined;
  readonly path: string;
  /** depth of the entity holding the file */
  readonly depth: number;
}

export type FileKind = 'text' | 'html' | 'xml' | 'message' | 'zip' | 'gzip' | 'tar' | 'pdf' | 'ooxml' | 'smime' | 'pgp' | 'unsupported' | 'media';

const TEXT_EXT = new Set(['txt', 'csv', 'tsv', 'json', 'md', 'log', 'ini', 'conf', 'cfg', 'yaml', 'yml', 'vcf', 'ics', 'sql', 'rtf', 'tex', 'text', 'asc']);
const HTML_EXT = new Set(['html', 'htm', 'xhtml']);
const XML_EXT = new Set(['xml', 'svg']);
const OOXML_EXT = new Set(['docx', 'docm', 'dotx', 'dotm', 'xlsx', 'xlsm', 'xltx', 'xltm', 'pptx', 'pptm', 'odt', 'ods', 'odp']);
const ZIP_EXT = new Set(['zip', 'jar']);
// containers and documents that may hide data but that we cannot open: unscannable, not ignored
const UNSUPPORTED_EXT = new Set(['rar', '7z', 'bz2', 'xz', 'zst', 'cab', 'iso', 'doc', 'xls', 'ppt', 'msg']);
const PGP_ARMOR = Buffer.from('-----BEGIN PGP MESSAGE-----');
const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/csv', 'application/x-csv', 'application/rtf', 'application/x-yaml', 'application/yaml', 'application/javascript', 'application/ld+json']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function classify(bytes: Buffer, contentType: string, name: string): FileKind {
  const ext = extensionOf(name);
  // magic bytes: the sender controls names and labels, not what a reader would open
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06)) {
    return OOXML_EXT.has(ext) || contentType.includes('openxmlformats') || contentType.includes('opendocument') ? 'ooxml' : 'zip';
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes.length >= 512 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x223e9f78) return 'unsupported'; // TNEF (winmail.dat): Outlook's wrapper around attachments
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0) return 'unsupported'; // OLE2: legacy Office, .msg, password-protected OOXML
  if (bytes.subarray(0, 6).equals(Buffer.from('Rar!\x1a\x07', 'latin1')) || bytes.subarray(0, 6).equals(Buffer.from('377abcaf271c', 'hex'))) return 'unsupported';
  // encrypted content is the classic way past a DLP filter: unscannable, never "nothing found"
  if (contentType === 'application/pkcs7-mime' || contentType === 'application/x-pkcs7-mime' || ext === 'p7m') return 'smime';
  if (bytes.subarray(0, 1024).includes(PGP_ARMOR) || ext === 'pgp' || ext === 'gpg' || contentType === 'application/pgp-encrypted') return 'pgp';
  if (contentType === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (contentType === 'message/rfc822' || ext === 'eml') return 'message';
  if (UNSUPPORTED_EXT.has(ext) || contentType === 'application/ms-tnef' || contentType === 'application/vnd.ms-tnef' || contentType === 'application/x-rar-compressed' || contentType === 'application/x-7z-compressed' || contentType === 'application/msword' || contentType === 'application/vnd.ms-excel') return 'unsupported';
  if (ZIP_EXT.has(ext) || contentType === 'application/zip' || contentType === 'application/x-zip-compressed') return 'zip';
  if (OOXML_EXT.has(ext)) return 'ooxml';
  if (contentType === 'text/html' || HTML_EXT.has(ext)) return 'html';
  if (XML_EXT.has(ext) || contentType.endsWith('/xml') || contentType.endsWith('+xml')) return 'xml';
  if (contentType.startsWith('text/') || TEXT_EXT.has(ext) || TEXT_TYPES.has(contentType) || contentType.endsWith('+json')) return 'text';
  if (/^(image|audio|video|font|model)\//.test(contentType)) return 'media';
  // application/octet-stream without a telling name: text if it looks like text, else media-like binary
  return looksLikeText(bytes) ? 'text' : 'media';
}

/** No NUL bytes and few control characters in the first 4 KB. */
function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.length === 0) return false;
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control / head.length < 0.02;
}

/** Hooks for the heavier extractors (archives, PDF, OOXML), filled in by their modules. */
export interface Extractors {
  zip?: (f: FileInput, c: Collector) => Promise<void>;
  gzip?: (f: FileInput, c: Collector) => Promise<void>;
  tar?: (f: FileInput, c: Collector) => Promise<void>;
  pdf?: (f: FileInput, c: Collector) => Promise<void>;
  ooxml?: (f: FileInput, c: Collector) => Promise<void>;
}
export const extractors: Extractors = {};

export async function extractFile(f: FileInput, c: Collector): Promise<void> {
  const kind = classify(f.bytes, f.contentType, f.name);
  try {
    switch (kind) {
      case 'text': {
        const text = decodeCharset(f.bytes, f.charset) ?? '';
        c.addText('attachment', f.path, text);
        await extractUuencoded(text, f.path, f.depth, c, extractFile);
        return;
      }
      case 'html':
        c.addText('attachment', f.path, htmlToText(decodeCharset(f.bytes, f.charset) ?? '', () => c.expired()));
        if (c.expired()) c.timedOut(f.path);
        return;
      case 'xml':
        c.addText('attachment', f.path, stripTags(decodeCharset(f.bytes, f.charset) ?? ''));
        return;
      case 'message':
        await walkMessage(f.bytes, f.path, f.depth + 1, true, c);
        return;
      case 'media':
        return;
      case 'smime':
        c.markUnscannable(f.path, 'encrypted or opaque-signed S/MIME content');
        return;
      case 'pgp':
        if (f.contentType === 'application/pgp-encrypted' && f.bytes.length < 100) return; // the "Version: 1" control part of PGP/MIME
        c.markUnscannable(f.path, 'OpenPGP-encrypted content');
        return;
      case 'unsupported':
        c.markUnscannable(f.path, 'unsupported archive or document format');
        return;
      default: {
        const run = extractors[kind];
        if (!run) {
          c.markUnscannable(f.path, `${kind} extraction not available`);
          return;
        }
        await run(f, c);
      }
    }
  } catch (err) {
    c.markUnscannable(f.path, `${kind} extraction failed: ${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'}`);
  }
}
