/**
 * Text of Office Open XML (ECMA-376) and OpenDocument packages: DOCX body, headers, footers,
 * foot/endnotes, comments and tracked deletions; XLSX shared strings and every sheet's cells
 * (shared, inline and formula strings and numbers, a row per line, cells tab-separated); PPTX
 * slides and notes; ODF content.xml. Files embedded in the package (word/embeddings/…) are
 * scanned as files of their own.
 * Done with a linear tag tokenizer instead of an XML parser: the parts can be tens of MB, we
 * need only the text nodes of a few elements, and a tokenizer cannot be made to expand entities
 * or recurse.
 * SECURITY: package members go through the same bounded inflate and budget as ZIP members.
 */
import type { Collector } from './collector.js';
import type { FileInput } from './files.js';
import { decodeEntity } from './html.js';
import { guessType, readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';

// a tag (attributes up to the next '>', never across '<', so one pass stays linear) or a text run
const TOKEN = /<(\/?)([A-Za-z_][\w:.-]*)([^<>]*)>|([^<]+)|</g;

function decodeXmlText(s: string): string {
  return s.includes('&') ? s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => decodeEntity(e) ?? m) : s;
}

interface PullOptions {
  /** elements whose text is kept */
  readonly text: ReadonlySet<string>;
  /** elements after which a line ends */
  readonly lines: ReadonlySet<string>;
  /** empty elements standing for a tab */
  readonly tabs: ReadonlySet<string>;
  /** empty elements standing for a space (ODF's text:s, written for runs of spaces) */
  readonly spaces?: ReadonlySet<string>;
}

/** The text of the given elements, lines at paragraph ends. */
export function pullText(xml: string, o: PullOptions, stop?: () => boolean): string {
  let out = '';
  let inText = 0;
  let tokens = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if ((++tokens & 8191) === 0 && stop?.()) break;
    if (m[4] !== undefined) {
      if (inText > 0) out += decodeXmlText(m[4]);
      continue;
    }
    const name = m[2];
    if (name === undefined) continue;
    const selfClosing = m[3]!.endsWith('/');
    if (m[1] === '/') {
      if (o.text.has(name) && inText > 0) inText--;
      if (o.lines.has(name)) out += '\n';
    } else if (selfClosing) {
      if (o.tabs.has(name)) out += '\t';
      else if (o.spaces?.has(name)) out += ' ';
      else if (o.lines.has(name)) out += '\n';
    } else if (o.text.has(name)) {
      inText++;
    }
  }
  return out;
}

const WORD = { text: new Set(['w:t', 'w:delText']), lines: new Set(['w:p', 'w:br', 'w:cr']), tabs: new Set(['w:tab']) };
const SLIDE = { text: new Set(['a:t']), lines: new Set(['a:p', 'a:br']), tabs: new Set<string>() };
const ODF = { text: new Set(['text:p', 'text:h', 'text:span', 'text:a']), lines: new Set(['text:p', 'text:h', 'text:line-break']), tabs: new Set(['text:tab']), spaces: new Set(['text:s']) };

/** xl/sharedStrings.xml → the strings by index (rich text runs concatenated). */
export function sharedStrings(xml: string, stop?: () => boolean): string[] {
  const out: string[] = [];
  let current: string | null = null;
  let inT = 0;
  let tokens = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if ((++tokens & 8191) === 0 && stop?.()) break;
    if (m[4] !== undefined) {
      if (current !== null && inT > 0) current += decodeXmlText(m[4]);
      continue;
    }
    const name = m[2];
    if (name === undefined) continue;
    const closing = m[1] === '/';
    const empty = m[3]!.endsWith('/');
    if (name === 'si') {
      if (closing) {
        out.push(current ?? '');
        current = null;
      } else if (empty) out.push('');
      else current = '';
    } else if (name === 't' && !empty) {
      inT += closing ? (inT > 0 ? -1 : 0) : 1;
    }
  }
  return out;
}

/** A worksheet's cells as text: one line per row, cells separated by tabs. */
export function sheetText(xml: string, shared: readonly string[], stop?: () => boolean): string {
  const rows: string[] = [];
  let row: string[] = [];
  let cellType = '';
  let value = '';
  let inValue = 0;
  let tokens = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if ((++tokens & 8191) === 0 && stop?.()) break;
    if (m[4] !== undefined) {
      if (inValue > 0) value += decodeXmlText(m[4]);
      continue;
    }
    const name = m[2];
    if (name === undefined) continue;
    const closing = m[1] === '/';
    const empty = m[3]!.endsWith('/');
    if (name === 'c') {
      if (!closing) {
        cellType = /\bt\s*=\s*"([^"]*)"/.exec(m[3]!)?.[1] ?? '';
        value = '';
      }
      if (closing || empty) {
        const v = value.trim();
        row.push(cellType === 's' ? (shared[Number(v)] ?? '') : value);
        value = '';
      }
    } else if (name === 'v' || name === 't') {
      if (!empty) inValue += closing ? (inValue > 0 ? -1 : 0) : 1;
    } else if (name === 'row' && closing) {
      rows.push(row.join('\t'));
      row = [];
    }
  }
  if (row.length > 0) rows.push(row.join('\t'));
  return rows.join('\n');
}

/** Members holding text, by package kind, in a stable order. */
function textMembers(entries: readonly ZipEntry[]): { kind: 'docx' | 'xlsx' | 'pptx' | 'odf'; members: ZipEntry[] } | null {
  const names = new Set(entries.map((e) => e.name));
  const pick = (re: RegExp): ZipEntry[] => entries.filter((e) => re.test(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (names.has('word/document.xml')) return { kind: 'docx', members: pick(/^word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/) };
  if (names.has('xl/workbook.xml')) return { kind: 'xlsx', members: pick(/^xl\/(sharedStrings\.xml|worksheets\/[^/]+\.xml)$/) };
  if (names.has('ppt/presentation.xml')) return { kind: 'pptx', members: pick(/^ppt\/(slides|notesSlides)\/[^/]+\.xml$/) };
  if (names.has('content.xml') && names.has('mimetype')) return { kind: 'odf', members: pick(/^(content|styles)\.xml$/) };
  return null;
}

export async function extractOoxml(f: FileInput, c: Collector, extract: (f: FileInput, c: Collector) => Promise<void>, asZip: (f: FileInput, c: Collector) => Promise<void>): Promise<void> {
  const dir = readZipDirectory(f.bytes, c.limits.maxParts + 1);
  if (!dir.ok) {
    c.markUnscannable(f.path, dir.reason);
    return;
  }
  const plan = textMembers(dir.entries);
  if (!plan) {
    // a ZIP named .docx that is no Office package: scan it as the archive it is
    await asZip(f, c);
    return;
  }
  const read = (entry: ZipEntry): string | null => {
    const path = `${f.path}!${entry.name}`;
    if (!c.enter(path, f.depth + 1)) return null;
    const data = readZipEntry(f.bytes, entry, c);
    if (!data.ok) {
      c.markUnscannable(path, data.reason);
      return null;
    }
    return data.data.toString('utf8');
  };
  const stop = (): boolean => c.expired();
  const texts: string[] = [];
  if (plan.kind === 'xlsx') {
    const sharedEntry = plan.members.find((e) => e.name === 'xl/sharedStrings.xml');
    const shared = sharedEntry ? sharedStrings(read(sharedEntry) ?? '', stop) : [];
    for (const e of plan.members) {
      if (e === sharedEntry) continue;
      const xml = read(e);
      if (xml !== null) texts.push(sheetText(xml, shared, stop));
    }
  } else {
    const options = plan.kind === 'docx' ? WORD : plan.kind === 'pptx' ? SLIDE : ODF;
    for (const e of plan.members) {
      const xml = read(e);
      if (xml !== null) texts.push(pullText(xml, options, stop));
    }
  }
  c.addText('attachment', f.path, texts.filter((t) => t.length > 0).join('\n'));
  if (c.expired()) {
    c.timedOut(f.path);
    return;
  }
  // embedded objects (a spreadsheet inside a document …) are files of their own
  for (const e of dir.entries) {
    if (!/^(word|xl|ppt)\/embeddings\/[^/]+$/.test(e.name) && !/^Object \d+\/content\.xml$/.test(e.name)) continue;
    const path = `${f.path}!${e.name}`;
    if (!c.enter(path, f.depth + 1)) {
      if (c.halted) return;
      continue;
    }
    const contentType = guessType(e.name);
    c.addAttachment({ path, name: e.name, contentType, size: e.size });
    const data = readZipEntry(f.bytes, e, c);
    if (!data.ok) c.markUnscannable(path, data.reason);
    else await extract({ bytes: data.data, name: e.name.slice(e.name.lastIndexOf('/') + 1), contentType, path, depth: f.depth + 1 }, c);
  }
}
