/**
 * DLP scan cost (issue 6): indexContent (extraction) and the five built-in detectors over
 * messages carrying about `--mb` MB (default 2) of text, HTML, PDF, DOCX, XLSX and ZIP content,
 * in ms per MB of message and per MB of extracted text, on one thread (PDF: in its worker).
 * Run: npx tsx bench/dlp-cost.ts [--mb 2] [--iterations 5]. Prints a table; asserts nothing.
 */
import { strToU8, zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer';
import PDFDocument from 'pdfkit';
import { dlpSchema } from '../src/config/dlp-schema.js';
import { BUILTIN_DETECTORS, detect, indexContent } from '../src/dlp/index.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) || fallback : fallback;
};
const MB = arg('mb', 2);
const iterations = arg('iterations', 5);
const config = dlpSchema.parse({ limits: { maxExtractMs: '60s', maxTextBytes: '200MB', maxDecompressedBytes: '500MB' } });

// Business-like text with a sprinkling of what the detectors look for.
const WORDS = 'invoice payment account transfer customer order delivery contract quarterly report budget forecast meeting schedule review approval'.split(' ');
function line(i: number): string {
  const words = Array.from({ length: 12 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' ');
  const extra = i % 50 === 0 ? ' card 4111 1111 1111 1111' : i % 37 === 0 ? ' IBAN DE89 3704 0044 0532 0130 00' : i % 41 === 0 ? ` contact user${i}@example.com` : ` ref ${100000 + i}`;
  return `${words}${extra}.`;
}
function lines(bytes: number): string[] {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const l = line(i);
    out.push(l);
    size += l.length + 1;
  }
  return out;
}

const compose = (mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> =>
  new MailComposer({ from: 'alice@example.test', to: 'bob@partner.example', subject: 'bench', ...mail }).compile().build();

function pdf(text: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.fontSize(9).text(text.join('\n'));
    doc.end();
  });
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function docx(text: string[]): Buffer {
  const body = text.map((l) => `<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${xmlEscape(l)}</w:t></w:r></w:p>`).join('');
  return Buffer.from(zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`),
  }));
}

function xlsx(text: string[]): Buffer {
  const rows = text.map((l, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c><c r="B${i + 1}"><v>${i * 3}</v></c></row>`).join('');
  return Buffer.from(zipSync({
    'xl/workbook.xml': strToU8('<workbook/>'),
    'xl/sharedStrings.xml': strToU8(`<sst>${text.map((l) => `<si><t>${xmlEscape(l)}</t></si>`).join('')}</sst>`),
    'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${rows}</sheetData></worksheet>`),
  }));
}

function zip(text: string[]): Buffer {
  const files: Record<string, Uint8Array> = {};
  const per = Math.ceil(text.length / 10);
  for (let i = 0; i < 10; i++) files[`export-${i}.csv`] = strToU8(text.slice(i * per, (i + 1) * per).join('\n'));
  return Buffer.from(zipSync(files, { level: 6 }));
}

const bytes = MB * 1024 * 1024;
const text = lines(bytes);
const html = `<html><body><table>${text.map((l) => `<tr><td><span style="color:#333">${xmlEscape(l)}</span></td><td><a href="https://example.com/x">link</a></td></tr>`).join('\n')}</table></body></html>`;
const cases: [string, Promise<Buffer>][] = [
  ['text/plain', compose({ text: text.join('\n') })],
  ['text/html', compose({ html })],
  ['PDF', pdf(text).then((p) => compose({ text: 'see attachment', attachments: [{ filename: 'report.pdf', content: p }] }))],
  ['DOCX', compose({ text: '.', attachments: [{ filename: 'report.docx', content: docx(text) }] })],
  ['XLSX', compose({ text: '.', attachments: [{ filename: 'report.xlsx', content: xlsx(text) }] })],
  ['ZIP of CSV', compose({ text: '.', attachments: [{ filename: 'export.zip', content: zip(text) }] })],
];

console.log(`DLP scan cost: indexContent + ${BUILTIN_DETECTORS.length} built-in detectors, mean of ${iterations} (after a warm-up), Node ${process.version}`);
console.log(`${'content'.padEnd(11)}${'message'.padStart(10)}${'text'.padStart(10)}${'extract'.padStart(10)}${'detect'.padStart(10)}${'ms/MB msg'.padStart(11)}${'ms/MB text'.padStart(12)}`);
for (const [label, pending] of cases) {
  const raw = await pending;
  await indexContent(raw, config.limits); // warm-up (starts the PDF worker)
  let extract = 0;
  let detectMs = 0;
  let textBytes = 0;
  let hits = '';
  for (let i = 0; i < iterations; i++) {
    let t0 = performance.now();
    const index = await indexContent(raw, config.limits);
    extract += performance.now() - t0;
    if (index.unscannable.length > 0) throw new Error(`${label}: unscannable ${JSON.stringify(index.unscannable)}`);
    textBytes = index.texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
    t0 = performance.now();
    const counts = BUILTIN_DETECTORS.map((d) => detect({ ...index }, d, config).count); // a fresh object: no cache
    detectMs += performance.now() - t0;
    hits = counts.join('/');
  }
  extract /= iterations;
  detectMs /= iterations;
  const msgMb = raw.length / 1024 / 1024;
  const textMb = textBytes / 1024 / 1024;
  console.log(
    `${label.padEnd(11)}${`${msgMb.toFixed(2)} MB`.padStart(10)}${`${textMb.toFixed(2)} MB`.padStart(10)}${extract.toFixed(1).padStart(10)}${detectMs.toFixed(1).padStart(10)}` +
      `${((extract + detectMs) / msgMb).toFixed(1).padStart(11)}${((extract + detectMs) / textMb).toFixed(1).padStart(12)}   hits ${hits}`,
  );
}
console.log('extract/detect in ms per message; "text" = extracted text; hits = distinct card/IBAN/SSN/ABA/e-mail values found');
