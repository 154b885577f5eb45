/**
 * Shared by the docs generators: write a generated file, or with `--check` fail (exit 1) when the
 * committed copy differs from what the code gives — CI runs the check so docs cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function writeOrCheck(path: string, text: string, regenerate: string): void {
  if (!process.argv.includes('--check')) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
    return;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    process.stderr.write(`${path} is out of date: run \`${regenerate}\` and commit it\n`);
    process.exit(1);
  }
}
