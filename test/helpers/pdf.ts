/**
 * Checks PDFs with the real tools (Debian qpdf and poppler's pdftotext), never with our own code:
 * encryption parameters, password checks, embedded files, extracted text. Also pulls the PDF out
 * of a message the gateway delivered and the password out of a `pdf-password` notice.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PdfTools {
  /** writes the bytes to a temp file and returns its path */
  file(pdf: Buffer, name?: string): string;
  /** qpdf's view of the encryption dictionary (`--json-key=encrypt`) with the given password */
  encryption(pdf: Buffer, password: string): { R: number; V: number; P: number; bits: number; method: string; userpasswordmatched: boolean; capabilities: Record<string, boolean> };
  /** `qpdf --password=P --decrypt`; throws when qpdf refuses */
  decrypt(pdf: Buffer, password: string): Buffer;
  /** `qpdf --decrypt` exit status and stderr, for checking refusals */
  tryDecrypt(pdf: Buffer, password: string): { status: number | null; stderr: string };
  /** pdftotext of the decrypted document (UTF-8, layout off) */
  text(pdf: Buffer, password?: string): string;
  /** embedded file names (`qpdf --list-attachments`) */
  attachments(pdf: Buffer, password: string): string[];
  /** `qpdf --list-attachments --verbose` (keys, preferred names, sizes) */
  listVerbose(pdf: Buffer, password: string): string;
  /** an embedded file's bytes (`qpdf --show-attachment=KEY`) */
  attachment(pdf: Buffer, password: string, key: string): Buffer;
  /** the decrypted document in qpdf's QDF form (uncompressed objects), for grepping */
  qdf(pdf: Buffer, password: string): string;
  cleanup(): void;
}

export function pdfTools(): PdfTools {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-pdf-'));
  let n = 0;
  const file = (pdf: Buffer, name = `doc-${++n}.pdf`) => {
    const p = join(dir, name);
    writeFileSync(p, pdf);
    return p;
  };
  const qpdf = (args: string[]) => execFileSync('qpdf', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const tools: PdfTools = {
    file,
    encryption(pdf, password) {
      const json = JSON.parse(qpdf(['--json', '--json-key=encrypt', `--password=${password}`, file(pdf)]).toString('utf8')) as { encrypt: { parameters: { R: number; V: number; P: number; bits: number; method: string }; userpasswordmatched: boolean; capabilities: Record<string, boolean> } };
      return { ...json.encrypt.parameters, userpasswordmatched: json.encrypt.userpasswordmatched, capabilities: json.encrypt.capabilities };
    },
    decrypt(pdf, password) {
      const out = join(dir, `plain-${++n}.pdf`);
      qpdf([`--password=${password}`, '--decrypt', file(pdf), out]);
      return readFileSync(out);
    },
    tryDecrypt(pdf, password) {
      const r = spawnSync('qpdf', [`--password=${password}`, '--decrypt', file(pdf), join(dir, `try-${++n}.pdf`)], { encoding: 'utf8' });
      return { status: r.status, stderr: r.stderr };
    },
    text(pdf, password) {
      const args = ['-enc', 'UTF-8', ...(password !== undefined ? ['-upw', password] : []), file(pdf), '-'];
      return execFileSync('pdftotext', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
    },
    attachments(pdf, password) {
      const out = qpdf([`--password=${password}`, '--list-attachments', file(pdf)]).toString('utf8');
      return out
        .split('\n')
        .map((l) => /^(.*) -> \d+,\d+$/.exec(l)?.[1])
        .filter((x): x is string => x !== undefined);
    },
    listVerbose(pdf, password) {
      return qpdf([`--password=${password}`, '--list-attachments', '--verbose', file(pdf)]).toString('utf8');
    },
    attachment(pdf, password, key) {
      return qpdf([`--password=${password}`, `--show-attachment=${key}`, file(pdf)]);
    },
    qdf(pdf, password) {
      const out = join(dir, `qdf-${++n}.pdf`);
      qpdf([`--password=${password}`, '--decrypt', '--qdf', '--object-streams=disable', file(pdf), out]);
      return readFileSync(out).toString('latin1');
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return tools;
}

/** The application/pdf attachment of a delivered message (base64 part), or null. */
export function pdfFromMessage(message: Buffer): Buffer | null {
  const text = message.toString('latin1');
  const m = /Content-Type: application\/pdf[^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/i.exec(text);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}

/** The password of a `pdf-password` notice: the line `Password: …` of its (quoted-printable) text. */
export function passwordFromNotice(notice: Buffer): string | null {
  const text = notice.toString('latin1').replace(/=\r\n/g, '');
  return /^Password: (\S+)\r?$/m.exec(text)?.[1] ?? null;
}
