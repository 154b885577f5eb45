/**
 * A small multipart/form-data reader for the reply form (text fields plus optional files).
 * @fastify/multipart is not a dependency; the body arrives whole (bounded by the route's body
 * limit), so a buffer split is enough.
 * SECURITY: untrusted input. Field and file counts are bounded; filenames are reduced to a base
 * name without control or path characters; nothing is written to disk.
 * STANDARDS: RFC 7578 (multipart/form-data), RFC 2046 §5.1 (boundaries).
 */

export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface FormData {
  readonly fields: Record<string, string>;
  readonly files: UploadedFile[];
}

const MAX_PARTS = 40;

export function boundaryOf(contentType: string): string | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function param(header: string, name: string): string | null {
  const star = new RegExp(`(?:^|;)\\s*${name}\\*=(?:utf-8|UTF-8)''([^;]+)`, 'i').exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!);
    } catch {
      return null;
    }
  }
  const m = new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ?? new RegExp(`(?:^|;)\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : null;
}

export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"<>:|?*]/g, '').trim().slice(0, 200);
  return clean && clean !== '.' && clean !== '..' ? clean : 'attachment';
}

export function parseMultipart(body: Buffer, boundary: string): FormData {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  let parts = 0;
  while (pos >= 0 && parts++ < MAX_PARTS) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing delimiter
    if (body[start] === 0x0d) start++;
    if (body[start] === 0x0a) start++;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    pos = next + 2;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.subarray(0, headerEnd).toString('utf8').split('\r\n');
    const content = part.subarray(headerEnd + 4);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const type = ((headers.find((h) => /^content-type:/i.test(h)) ?? '').replace(/^content-type:\s*/i, '').split(';')[0] ?? '').trim();
    const name = param(disposition, 'name');
    if (!name) continue;
    const filename = param(disposition, 'filename');
    if (filename === null) {
      if (!(name in fields)) fields[name] = content.toString('utf8');
    } else if (filename !== '' && content.length > 0) {
      files.push({ field: name, filename: safeFilename(filename), contentType: /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream', content: Buffer.from(content) });
    }
  }
  return { fields, files };
}
