/**
 * The `capture` next hop: messages are kept as files instead of being sent anywhere. This is the
 * default of a fresh `sealpost init`, so people trying the product can open the results.
 *
 * Each message becomes `<yyyymmddThhmmss>-<messageId>-<first queue id>.eml` (the exact bytes
 * that would have gone out) plus `<same>.json` with the envelope. Both are written to a hidden
 * temporary name, fsynced and renamed, then the directory is fsynced: a reader never sees a
 * partial file, and a 'delivered' result means the file survives a crash. The .json is renamed
 * first so an .eml that appears always has its envelope beside it.
 * SECURITY: names come from our own ids, sanitised anyway (no path separators can get in).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeHop } from './next-hop.js';
import { chooseBody } from './transaction.js';
import { sameForAll, type DeliveryJob, type DeliveryOutcome } from './types.js';

export interface CaptureEnvelope {
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly messageId: string;
  readonly queueIds: readonly string[];
  /** ISO 8601 */
  readonly capturedAt: string;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._@+=-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'none';

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Writes `data` to `dir/name` atomically: temp file, fsync, rename. */
async function writeAtomic(dir: string, name: string, data: Buffer | string): Promise<void> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o640);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class CaptureHop {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Captures the message; a failed write defers every recipient (nothing is lost). */
  async deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    const hop = describeHop({ kind: 'capture' });
    // a file is never a verified TLS session: TLS-instead items capture their encrypted form
    const chosen = chooseBody(job, null);
    if ('refused' in chosen) return { hop, tls: null, form: chosen.form, results: sameForAll(job, chosen.refused.status, chosen.refused.response, chosen.refused.enhanced ? { enhanced: chosen.refused.enhanced } : {}) };
    const at = this.now();
    const base = `${stamp(at)}-${safe(job.messageId)}-${safe(job.queueIds[0] ?? 'none')}`;
    const envelope: CaptureEnvelope = {
      sender: job.sender,
      recipients: [...job.recipients],
      messageId: job.messageId,
      queueIds: [...job.queueIds],
      capturedAt: new Date(at).toISOString(),
    };
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o750 });
      await writeAtomic(this.dir, `${base}.json`, `${JSON.stringify(envelope, null, 2)}\n`);
      await writeAtomic(this.dir, `${base}.eml`, chosen.body);
      await syncDir(this.dir);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { hop, tls: null, results: sameForAll(job, 'deferred', `capture to ${this.dir} failed: ${reason}`, { enhanced: '4.3.0' }) };
    }
    return { hop, tls: null, ...(chosen.form ? { form: chosen.form } : {}), results: sameForAll(job, 'delivered', `250 2.0.0 captured as ${base}.eml`, { enhanced: '2.0.0' }) };
  }
}
