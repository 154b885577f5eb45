/**
 * PDF text through unpdf (pdf.js), in a worker thread that is terminated at the deadline.
 * A hostile PDF can keep pdf.js busy in a synchronous loop that no timer interrupts, and can
 * make it allocate without bound; a worker with its own heap limit is the only place where
 * both end reliably. Up to two workers are kept (started on first use, unref'd so they never
 * hold the process open), one job each at a time; a worker that overran or died is replaced.
 * SECURITY: pdf.js runs with eval disabled, no font loading, no scripting, errors-only logging.
 * An encrypted (user password) or unreadable PDF is unscannable, never an error.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Collector } from './collector.js';
import type { FileInput } from './files.js';

/** Text extracted at most per PDF; the collector's text budget still applies on top. */
const MAX_PDF_CHARS = 8 * 1024 * 1024;
const WORKER_HEAP_MB = 384;

// Plain JavaScript (an eval worker): it must run the same under tsx and from dist/.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
// pdf.js may print warnings about hostile files; they must not reach the gateway's log.
// (Piping the worker's stdout instead would keep the parent's event loop alive.)
for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = () => {};
let lib;
parentPort.on('message', async (job) => {
  let doc;
  try {
    lib ??= await import(job.unpdf);
    doc = await lib.getDocumentProxy(job.bytes, { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, enableXfa: false, verbosity: 0, stopAtErrors: false });
    let text = '';
    for (let i = 1; i <= doc.numPages && text.length < job.maxChars; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      for (const item of content.items) {
        // a line end inside a page is soft (wrapping): a space, so "4111 1111" + "1111 1111" wrapped
        // at the margin still reads as one number; pages end with a newline
        if (typeof item.str === 'string') text += item.str + (item.hasEOL || !item.str.endsWith(' ') ? ' ' : '');
      }
      text += '\\n';
      page.cleanup();
    }
    parentPort.postMessage({ id: job.id, ok: true, text: text.slice(0, job.maxChars), pages: doc.numPages });
  } catch (err) {
    const name = err && err.name ? String(err.name) : 'Error';
    parentPort.postMessage({ id: job.id, ok: false, name, message: String(err && err.message ? err.message : err).slice(0, 200) });
  } finally {
    try {
      const p = doc && (typeof doc.destroy === 'function' ? doc.destroy() : typeof doc.cleanup === 'function' ? doc.cleanup() : null);
      if (p && typeof p.catch === 'function') p.catch(() => {});
    } catch {}
  }
});
`;

type PdfReply = { id: number; ok: true; text: string; pages: number } | { id: number; ok: false; name: string; message: string };
export type PdfResult = { ok: true; text: string; pages: number } | { ok: false; reason: string };

let unpdfUrl: string | null = null;
let nextId = 1;
/** workers waiting for a job */
const idle: Worker[] = [];
/** workers alive (busy or idle) */
const alive = new Set<Worker>();
/** jobs waiting for a worker, oldest first */
const waiting: ((w: Worker) => void)[] = [];
// one PDF per core at most: pdf.js is CPU-bound, more threads would only share the same cores
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism()));

function spawn(): Worker {
  unpdfUrl ??= import.meta.resolve('unpdf');
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32, stackSizeMb: 8 },
  });
  w.unref();
  w.on('error', () => {}); // an uncaught error ends the worker: the running job learns it through 'exit'
  w.once('exit', () => {
    alive.delete(w);
    const at = idle.indexOf(w);
    if (at >= 0) idle.splice(at, 1);
    // a job waiting for a worker gets a fresh one in place of the one that ended
    const next = waiting.shift();
    if (next) next(spawn());
  });
  alive.add(w);
  return w;
}

function acquire(): Promise<Worker> {
  const w = idle.pop();
  if (w) return Promise.resolve(w);
  if (alive.size < POOL_SIZE) return Promise.resolve(spawn());
  return new Promise((resolve) => waiting.push(resolve));
}

function release(w: Worker): void {
  if (!alive.has(w)) return;
  const next = waiting.shift();
  if (next) next(w);
  else idle.push(w);
}

function runJob(w: Worker, bytes: Uint8Array, timeoutMs: number): Promise<PdfResult> {
  return new Promise((resolve) => {
    const id = nextId++;
    let done = false;
    const finish = (r: PdfResult, reusable: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('exit', onExit);
      if (reusable) release(w);
      resolve(r);
    };
    const onMessage = (reply: PdfReply): void => {
      if (reply.id !== id) return;
      if (reply.ok) finish({ ok: true, text: reply.text, pages: reply.pages }, true);
      else finish({ ok: false, reason: reply.name === 'PasswordException' ? 'encrypted PDF (password required)' : `unreadable PDF (${reply.name}: ${reply.message})` }, true);
    };
    const onExit = (): void => finish({ ok: false, reason: 'PDF extraction exceeded its memory limit or crashed' }, false);
    const timer = setTimeout(() => {
      // the only way to stop a busy pdf.js: end the thread ('exit' hands a fresh one to the next job)
      finish({ ok: false, reason: `PDF extraction time limit (${timeoutMs} ms) reached` }, false);
      void w.terminate();
    }, timeoutMs);
    w.on('message', onMessage);
    w.once('exit', onExit);
    // a copy, transferred: the worker owns it, the caller's buffer stays intact
    const copy = new Uint8Array(bytes);
    w.postMessage({ id, bytes: copy, unpdf: unpdfUrl, maxChars: MAX_PDF_CHARS }, [copy.buffer]);
  });
}

/** Text of a PDF, given up at `deadline` (epoch ms, including time spent waiting for a free worker). */
export async function pdfText(bytes: Uint8Array, deadline: number): Promise<PdfResult> {
  const w = await acquire();
  const left = deadline - Date.now();
  if (left <= 0) {
    release(w);
    return { ok: false, reason: 'PDF extraction time limit reached before it could start' };
  }
  return runJob(w, bytes, left);
}

export async function extractPdf(f: FileInput, c: Collector): Promise<void> {
  const left = c.remainingMs();
  if (left <= 0) {
    c.timedOut(f.path);
    return;
  }
  const result = await pdfText(f.bytes, Date.now() + left);
  if (!result.ok) {
    c.markUnscannable(f.path, result.reason);
    return;
  }
  c.addText('attachment', f.path, result.text);
}

/** Ends the workers (tests, shutdown). */
export async function stopPdfWorkers(): Promise<void> {
  const all = [...alive];
  idle.length = 0;
  await Promise.all(all.map((w) => w.terminate()));
}
