/**
 * Per-message cost of the `pdf` method (issue 7): rendering the message into a PDF (pdfkit, fonts
 * subset and embedded, attachments embedded) and encrypting it with AES-256 R6 (qpdf-wasm), in ms
 * of one thread, for a 10 KB and a 2 MB message, each with text in Latin, Cyrillic, Greek and
 * Japanese and attachments (the 2 MB one mostly in attachments, as real large mail is).
 * Run: npx tsx bench/pdf-cost.ts [--iterations 10]. Prints a table; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { encryptPdf, warmUpPdfEncryption } from '../src/pdf/encrypt.js';
import { renderMessagePdf } from '../src/pdf/render.js';

const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1] || 10) || 10;

const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');

/** A multipart message of about `size` bytes: a multilingual text body and `attachments` binary files. */
function message(size: number, attachments: number): Buffer {
  const paragraph = 'The quick brown fox jumps over the lazy dog. Съешь же ещё этих мягких французских булок. Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ στὸ χρυσαφὶ ξέφωτο. いろはにほへと ちりぬるを。\r\n';
  const textBytes = Math.min(size / 4, 64 * 1024);
  const text = paragraph.repeat(Math.ceil(textBytes / Buffer.byteLength(paragraph)));
  const perAttachment = Math.max(256, Math.floor(((size - Buffer.byteLength(text)) * 3) / 4 / attachments));
  const parts = [
    ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text].join('\r\n'),
    ...Array.from({ length: attachments }, (_, i) => [`Content-Type: application/octet-stream; name="file-${i}.bin"`, `Content-Disposition: attachment; filename="file-${i}.bin"`, 'Content-Transfer-Encoding: base64', '', b64(randomBytes(perAttachment))].join('\r\n')),
  ];
  return Buffer.from(['From: Alice <alice@example.test>', 'To: bob@partner.test', 'Subject: bench', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', ...parts.map((p) => `--b\r\n${p}`), '--b--', ''].join('\r\n'), 'utf8');
}

/** Wall ms and CPU ms (user + system of this process) per call; CPU is the steadier figure on a busy machine. */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up (font parsing, WASM instance)
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - started) / iterations, cpu: (cpu.user + cpu.system) / 1000 / iterations };
}

await warmUpPdfEncryption();
const rows: string[] = [];
for (const [label, size, attachments] of [['10 KB', 10 * 1024, 1], ['2 MB', 2 * 1024 * 1024, 3]] as const) {
  const raw = message(size, attachments);
  const rendered = await renderMessagePdf(raw);
  const render = await time(() => renderMessagePdf(raw));
  const encrypt = await time(() => encryptPdf(rendered.pdf, { userPassword: 'bench-password' }));
  const f = (x: { wall: number; cpu: number }) => `${x.wall.toFixed(1)} / ${x.cpu.toFixed(1)}`;
  rows.push(`| ${label} (${(raw.length / 1024).toFixed(0)} KB, ${attachments} attachment${attachments > 1 ? 's' : ''}) | ${f(render)} | ${f(encrypt)} | ${f({ wall: render.wall + encrypt.wall, cpu: render.cpu + encrypt.cpu })} | ${(rendered.pdf.length / 1024).toFixed(0)} KB |`);
}
console.log(`PDF method cost, wall ms / CPU ms per message (mean of ${iterations}, one thread, Node ${process.versions.node}, loadavg ${(await import('node:os')).loadavg()[0]!.toFixed(1)})\n`);
console.log('| message | render | encrypt (R6) | total | PDF size |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
