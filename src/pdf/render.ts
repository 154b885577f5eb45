/**
 * pdf/ — the `pdf` protection method's document: the whole message as one PDF (pdfkit 0.20),
 * which encrypt.ts then locks with AES-256 (R6).
 *
 * What the PDF holds: the headers (From, To, Cc, Date, Subject), the text body (an HTML body as
 * readable text, the original HTML attached as message.html), every attachment as an embedded
 * file (PDF "file attachment", /EmbeddedFiles), notes about anything that could not be shown,
 * and, when the portal is on, the address to reply securely.
 *
 * SECURITY: the input is an untrusted message. The PDF gets no JavaScript, no actions (no
 * /OpenAction, /AA, no link annotations — the reply address is printed as text, viewers make it
 * clickable themselves), no forms; HTML is never rendered, only converted to text. Nothing here
 * is encrypted yet: the caller must pass the result through encryptPdf before it leaves.
 * STANDARDS: ISO 32000-1 §7.11.4 (embedded file streams), §14.13 (associated files).
 */
import PDFDocument from 'pdfkit';
import { SealpostError } from '../errors/index.js';
import { DEFAULT_FONTS, loadFonts, splitRuns, type FontSet, type FontSpec } from './fonts.js';
import { DEFAULT_MIME_LIMITS, parseMessage, type MimeLimits, type RenderableMessage } from './mime-tree.js';

export interface RenderOptions {
  readonly fonts?: readonly FontSpec[];
  readonly pageSize?: 'A4' | 'LETTER';
  readonly limits?: MimeLimits;
  /** portal address for a secure reply (shown when the portal is enabled) */
  readonly replyUrl?: string;
  /** fixed creation date (tests, reproducible output); default now */
  readonly now?: Date;
}

export interface RenderResult {
  readonly pdf: Buffer;
  /** notes for the trace: fonts missing, parts that could not be read … (never message content) */
  readonly notes: readonly string[];
  readonly attachments: number;
  readonly pages: number;
}

/** Text beyond this is not laid out (pdfkit's line breaking is slow on megabytes): it is attached whole. */
const MAX_RENDERED_TEXT = 1_000_000;

const GREY = '#555555';
const NOTE = '#8a4b00';

/** Unique embedded-file names: "a.pdf", "a (2).pdf" … (the /EmbeddedFiles name tree needs distinct keys). */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let i = 2; seen.has(candidate.toLowerCase()); i++) candidate = `${stem} (${i})${ext}`;
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A MIME type pdfkit may write as the /Subtype name, or none. */
const pdfSubtype = (contentType: string) => (/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(contentType) ? contentType.toLowerCase() : undefined);

function resetGlyphCache(face: object): void {
  const f = face as { _glyphs?: Record<number, unknown> };
  if (typeof f._glyphs !== 'object') throw new SealpostError('SP_ERR_PDF_RENDER_FAILED', 'fontkit changed: no glyph cache to reset (see render.ts)', { stage: 'pdf' });
  f._glyphs = {};
}

/** Renders an already parsed message (see parseMessage). */
export async function renderParsed(message: RenderableMessage, options: RenderOptions = {}): Promise<RenderResult> {
  const fonts: FontSet = loadFonts(options.fonts ?? DEFAULT_FONTS);
  const notes: string[] = [];
  for (const u of fonts.unavailable) notes.push(`font ${u.file} unavailable: ${u.reason}`);
  const missing = new Map<string, number>();
  const now = options.now ?? new Date();

  const doc = new PDFDocument({
    // pdfkit writes no encryption here (qpdf adds R6 afterwards), so the version only labels features
    pdfVersion: '1.7',
    size: options.pageSize ?? 'A4',
    margin: 56,
    compress: true,
    autoFirstPage: true,
    // pages stay in memory until end(), so a note can be added to page 1 afterwards
    bufferPages: true,
    info: { Title: message.headers.subject || 'Message', Producer: 'Sealpost', Creator: 'Sealpost', CreationDate: now },
    displayTitle: true,
    lang: 'und',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  // pdfkit takes a parsed fontkit font as well as bytes; handing it the cached one saves parsing
  // the font tables for every document (most of the render time for a short message). Each
  // document makes its own subset. fontkit caches glyph objects with the code points of their
  // first use, and subsetting creates composite components (DejaVu's Greek Epsilon is built from
  // Latin E) without any: a later document would then map E to no text (pdftotext loses it). So
  // the glyph cache starts empty for every document; rendering up to end() is synchronous, so
  // two documents never share it at the same time.
  for (const f of fonts.fonts) {
    resetGlyphCache(f.face);
    doc.registerFont(f.id, f.face as unknown as PDFKit.Mixins.PDFFontSource);
  }

  /** One paragraph (no line ends) in as many font runs as its scripts need. */
  const paragraph = (text: string, opts: PDFKit.Mixins.TextOptions = {}) => {
    const runs = splitRuns(text, fonts, missing);
    if (runs.length === 0) {
      doc.moveDown(0.6);
      return;
    }
    runs.forEach((run, i) => doc.font(run.font).text(run.text, { ...opts, continued: i < runs.length - 1 }));
  };
  // pdfkit breaks a word wider than the line character by character, re-measuring each time
  // (quadratic): a hostile 1 MB "word" would stall the worker, so long runs are cut beforehand.
  const block = (text: string, opts: PDFKit.Mixins.TextOptions = {}) => {
    for (const line of text.replace(/\S{100}(?=\S)/gu, '$&\n').split('\n')) paragraph(line.replace(/\t/g, '    '), opts);
  };
  const MAX_HEADER = 2000;
  const shorten = (v: string) => (v.length > MAX_HEADER ? `${v.slice(0, MAX_HEADER)} … (${v.length - MAX_HEADER} more characters)` : v);

  const h = message.headers;
  doc.fontSize(15).fillColor('black');
  block(shorten(h.subject) || '(no subject)');
  doc.moveDown(0.5).fontSize(10);
  for (const [label, value] of [['From', h.from], ['To', h.to], ['Cc', h.cc], ['Date', h.date], ['Subject', h.subject]] as const) {
    if (!value) continue;
    doc.fillColor(GREY).font(fonts.fonts[0]!.id).text(`${label}: `, { continued: true }).fillColor('black');
    block(shorten(value));
  }
  doc.moveDown(0.4);
  doc.moveTo(doc.page.margins.left, doc.y).lineTo(doc.page.width - doc.page.margins.right, doc.y).strokeColor('#999999').lineWidth(0.5).stroke();
  doc.moveDown(0.8);

  const problems = [...message.problems];
  let text = message.text;
  let textAttachment: string | null = null;
  if (text.length > MAX_RENDERED_TEXT) {
    problems.push(`the text is long (${formatSize(Buffer.byteLength(text))}): the first part is shown here, the whole text is attached as message.txt`);
    textAttachment = text;
    text = text.slice(0, MAX_RENDERED_TEXT);
  }
  doc.fontSize(10.5).fillColor('black');
  if (text.trim()) block(text.replace(/\n+$/, ''));
  else {
    doc.fillColor(GREY);
    paragraph('(This message has no text.)');
    doc.fillColor('black');
  }

  if (missing.size > 0 && textAttachment === null) textAttachment = message.text;
  const names = uniqueNames([
    ...(message.html !== null ? ['message.html'] : []),
    ...(textAttachment !== null ? ['message.txt'] : []),
    ...message.attachments.map((a) => a.name),
  ]);
  const embedded: Array<{ name: string; key: string; contentType: string; data: Buffer; description: string }> = [];
  let n = 0;
  const usedKeys = new Set(names.filter((name) => /^[\x20-\x7e]+$/.test(name)).map((name) => name.toLowerCase()));
  const key = (name: string, i: number) => {
    if (/^[\x20-\x7e]+$/.test(name)) return name;
    const ext = /\.[a-z0-9]{1,8}$/i.exec(name)?.[0] ?? '';
    let k = `attachment-${i + 1}${ext}`;
    for (let j = 2; usedKeys.has(k.toLowerCase()); j++) k = `attachment-${i + 1}-${j}${ext}`;
    usedKeys.add(k.toLowerCase());
    return k;
  };
  const add = (contentType: string, data: Buffer, description: string) => {
    const name = names[n]!;
    embedded.push({ name, key: key(name, n), contentType, data, description });
    n += 1;
  };
  if (message.html !== null) add('text/html', Buffer.from(message.html, 'utf8'), 'the original HTML version of this message');
  if (textAttachment !== null) add('text/plain', Buffer.from(textAttachment, 'utf8'), 'the text of this message');
  for (const a of message.attachments) add(a.contentType, a.data, `attachment (${a.contentType})`);

  if (embedded.length > 0) {
    doc.moveDown(1.2).fontSize(10.5).fillColor('black');
    paragraph(`Attachments (${embedded.length}) — open them from your PDF viewer's attachments panel:`);
    doc.fontSize(10);
    for (const e of embedded) {
      block(`• ${e.name}  (${formatSize(e.data.length)})`, { indent: 12 });
      const subtype = pdfSubtype(e.contentType);
      // hidden: we add the /EmbeddedFiles entry ourselves under an ASCII key (pdfkit would use the
      // name, written as UTF-16, which tools such as qpdf show as raw bytes); viewers show /UF.
      const spec = doc.file(e.data, { name: e.name, description: e.description, relationship: 'Data', creationDate: now, modifiedDate: now, hidden: true, ...(subtype ? { type: subtype } : {}) } as PDFKit.Mixins.PDFAttachmentOptions) as unknown as object;
      (doc as unknown as { addNamedEmbeddedFile(key: string, ref: object): void }).addNamedEmbeddedFile(e.key, spec);
    }
  }

  if (options.replyUrl) {
    doc.moveDown(1.2).fontSize(10.5).fillColor('black');
    // printed, not a link annotation: a link is a PDF action, and this document carries none
    paragraph('To reply securely, open this address in your browser:');
    block(options.replyUrl);
  }

  // Notes go last but are announced on the first page, so nobody misses that something is absent.
  if (missing.size > 0) {
    const scripts = [...missing.keys()].join(', ');
    problems.unshift(`Some characters (${scripts}) cannot be shown: no font for them is installed on the gateway. The full text is attached as message.txt.`);
    notes.push(`no font for ${[...missing.entries()].map(([s, c]) => `${s} (${c} characters)`).join(', ')}`);
  }
  for (const p of message.problems) notes.push(p);
  if (problems.length > 0) {
    doc.moveDown(1.2).fontSize(9.5).fillColor(NOTE);
    paragraph('Notes from the gateway:');
    for (const p of problems) paragraph(`• ${p}`, { indent: 12 });
    doc.fillColor('black');
    const range = doc.bufferedPageRange();
    if (range.count > 1) {
      doc.switchToPage(range.start);
      // a short line at the top margin of page 1 pointing at the notes
      doc.fontSize(8).fillColor(NOTE).font(fonts.fonts[0]!.id).text('Notes about this message are at the end of the document.', doc.page.margins.left, 24, { lineBreak: false });
    }
  }

  const pages = doc.bufferedPageRange().count;
  doc.end();
  try {
    await finished;
  } catch (err) {
    throw new SealpostError('SP_ERR_PDF_RENDER_FAILED', err instanceof Error ? err.message : String(err), { stage: 'pdf' }, { cause: err });
  }
  return { pdf: Buffer.concat(chunks), notes, attachments: embedded.length, pages };
}

/** The whole message (raw RFC 5322 bytes) as an unencrypted PDF. */
export async function renderMessagePdf(raw: Buffer, options: RenderOptions = {}): Promise<RenderResult> {
  const message = parseMessage(raw, options.limits ?? DEFAULT_MIME_LIMITS);
  try {
    return await renderParsed(message, options);
  } catch (err) {
    if (err instanceof SealpostError) throw err;
    throw new SealpostError('SP_ERR_PDF_RENDER_FAILED', err instanceof Error ? err.message : String(err), { stage: 'pdf' }, { cause: err });
  }
}
