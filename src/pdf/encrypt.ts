/**
 * AES-256 encryption of a PDF with the PDF 2.0 security handler: V=5, R=6 (ISO 32000-2 §7.6.4),
 * done by qpdf compiled to WebAssembly (@neslinesli93/qpdf-wasm) inside this process.
 *
 * Why qpdf-wasm: pdfkit alone writes at most R5 (a deprecated Adobe extension with a weaker
 * password hash) and silently falls back to 40-bit RC4 on an unknown pdfVersion (DESIGN §9);
 * the gateway must not need a system binary at run time. qpdf's WASM build is the same qpdf the
 * tests check with, and its randomness (file key, salts, IVs) comes from /dev/urandom, which
 * emscripten maps to node:crypto's randomFillSync.
 *
 * One module instance is created lazily and reused (instantiating costs ~20 ms). callMain is
 * synchronous, so calls never interleave on the one thread; files in its in-memory FS are
 * removed after each call. An instance whose run failed is discarded (emscripten may leave it in
 * an undefined state after exit()).
 *
 * SECURITY: passwords travel only as argv of the in-process call, never to a shell or a log.
 * Permissions: printing allowed (high and low resolution), copying text allowed (screen readers),
 * modification of any kind refused.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { SealpostError } from '../errors/index.js';

interface QpdfInstance {
  callMain(args: string[]): number;
  FS: { writeFile(path: string, data: Uint8Array): void; readFile(path: string): Uint8Array; unlink(path: string): void };
}
type CreateModule = (options: { noInitialRun?: boolean }) => Promise<QpdfInstance>;

// The package is CommonJS (emscripten); its bundled .d.ts describes browser use only.
const createModule = createRequire(import.meta.url)('@neslinesli93/qpdf-wasm') as CreateModule;

let instance: Promise<QpdfInstance> | null = null;
let sequence = 0;

function getInstance(): Promise<QpdfInstance> {
  if (!instance) {
    instance = createModule({ noInitialRun: true });
    instance.catch(() => {
      instance = null;
    });
  }
  return instance;
}

/**
 * Runs qpdf with its console output captured. This build ignores the `print`/`printErr` module
 * options and writes through console.log/error bound at load time, i.e. to process.stdout/stderr;
 * callMain is synchronous, so swapping the two streams' write for its duration catches exactly
 * qpdf's output (it must not reach the gateway's JSON log on stdout).
 */
function runCaptured(qpdf: QpdfInstance, args: string[]): { rc: number; output: string } {
  const out: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  const capture = ((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  for (const s of streams) s.write = capture;
  try {
    return { rc: qpdf.callMain(args), output: out.join('') };
  } finally {
    streams.forEach((s, i) => (s.write = writes[i]!));
  }
}

/** Loads the WASM module ahead of the first message (optional; encryptPdf does it on demand). */
export async function warmUpPdfEncryption(): Promise<void> {
  await getInstance();
}

export interface EncryptOptions {
  /** the password that opens the document */
  readonly userPassword: string;
  /** the password that lifts the restrictions; default a random one nobody learns */
  readonly ownerPassword?: string;
}

/** qpdf reads passwords as given; R6 takes UTF-8 passwords (SASLprep'd by qpdf), at most 127 bytes. */
function checkPassword(p: string, what: string): void {
  if (p.length === 0) throw new SealpostError('SP_ERR_PDF_ENCRYPT_FAILED', `${what} is empty`, { stage: 'pdf' });
  if (Buffer.byteLength(p, 'utf8') > 127) throw new SealpostError('SP_ERR_PDF_ENCRYPT_FAILED', `${what} is longer than 127 bytes`, { stage: 'pdf' });
  if (/[\x00-\x1f\x7f]/.test(p)) throw new SealpostError('SP_ERR_PDF_ENCRYPT_FAILED', `${what} contains control characters`, { stage: 'pdf' });
}

/** Returns the PDF encrypted with AES-256, security handler V5 R6. */
export async function encryptPdf(pdf: Buffer, options: EncryptOptions): Promise<Buffer> {
  checkPassword(options.userPassword, 'the user password');
  const owner = options.ownerPassword ?? randomBytes(24).toString('base64url');
  checkPassword(owner, 'the owner password');
  const qpdf = await getInstance();
  const id = ++sequence;
  const input = `/in-${id}.pdf`;
  const output = `/out-${id}.pdf`;
  let run: { rc: number; output: string };
  try {
    qpdf.FS.writeFile(input, pdf);
    // the --x=y forms take passwords starting with "-" too
    run = runCaptured(qpdf, [
      input,
      '--encrypt',
      `--user-password=${options.userPassword}`,
      `--owner-password=${owner}`,
      '--bits=256',
      '--print=full',
      '--modify=none',
      '--extract=y',
      '--accessibility=y',
      '--',
      output,
    ]);
  } catch (err) {
    instance = null;
    throw new SealpostError('SP_ERR_PDF_ENCRYPT_FAILED', `qpdf aborted: ${err instanceof Error ? err.message : String(err)}`, { stage: 'pdf' }, { cause: err });
  }
  try {
    // 0 = success, 3 = success with warnings (e.g. a repaired input); anything else failed
    if (run.rc !== 0 && run.rc !== 3) {
      instance = null;
      // qpdf names the in-memory file, never a password
      throw new SealpostError('SP_ERR_PDF_ENCRYPT_FAILED', `qpdf exited with ${run.rc}: ${run.output.replace(/\s+/g, ' ').trim().slice(0, 300)}`, { stage: 'pdf' });
    }
    return Buffer.from(qpdf.FS.readFile(output));
  } finally {
    for (const f of [input, output]) {
      try {
        qpdf.FS.unlink(f);
      } catch {
        // not created
      }
    }
  }
}
