/**
 * Shared by the policy and quarantine integration tests: the CLI run from source (the `run` the
 * installed bin calls, so no build is needed) and the gateway's quarantine read through a second
 * store handle on its SQLite file, as an operator's command would.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/open.js';
import { createStores } from '../../src/db/stores.js';
import type { QuarantineEntry } from '../../src/spool/types.js';
import type { SinkMessage } from '../helpers/sink.js';

const exec = promisify(execFile);
const MAIN = join(process.cwd(), 'src', 'main.ts');

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `import(${JSON.stringify(MAIN)}).then((m) => m.run(['node', 'sealpost', ...process.argv.slice(1)])).then((c) => { process.exitCode = c; })`;
  try {
    // tsx resolves from the repository, whatever directory the command is about
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', '-e', script, '--', ...args], { cwd: process.cwd(), env: { ...process.env, SEALPOST_CONFIG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The quarantine of a test gateway (its data dir), read through a store handle of our own. */
export async function quarantined(dir: string): Promise<QuarantineEntry[]> {
  const stores = createStores(await openDatabase('sqlite:./data/sealpost.db', { baseDir: dir }));
  try {
    const list = await stores.quarantine.list();
    return (await Promise.all(list.map((q) => stores.quarantine.get(q.id)))).filter((q): q is QuarantineEntry => q !== null);
  } finally {
    await stores.close();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const latin1 = (m: SinkMessage) => m.body.toString('latin1');
export const isSmime = (m: SinkMessage) => /Content-Type: application\/(x-)?pkcs7-mime/i.test(latin1(m));
/** Writes a delivered message into the scenario dir (`f` resolves names there) so openssl can read it; returns the name. */
export function save(f: (name: string) => string, name: string, m: SinkMessage): string {
  writeFileSync(f(name), m.body);
  return name;
}
/** The header block of a delivered message. */
export const head = (m: SinkMessage) => latin1(m).split('\r\n\r\n')[0]!;
