/** Runs the installed entry point (bin/sealpost.js → dist/) as an operator would, capturing exit code and output. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BIN = join(process.cwd(), 'bin', 'sealpost.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function sealpost(args: string[], cwd: string): Promise<CliResult> {
  try {
    // SEALPOST_CONFIG from the caller's environment must not leak into the command under test
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, SEALPOST_CONFIG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The same with --json, its output parsed. */
export async function sealpostJson(args: string[], cwd: string): Promise<CliResult & { data: any }> {
  const r = await sealpost([...args, '--json'], cwd);
  return { ...r, data: JSON.parse(r.stdout || 'null') };
}
