/** Small pieces every CLI command group shares: reading an input file, printing times. */
import { readFileSync } from 'node:fs';
import { SealpostError } from '../errors/index.js';

/** An ISO 8601 time for output; null stays null. */
export const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The bytes of a file named on the command line; a clear usage error (exit 1) when it cannot be read. */
export function readInput(file: string, what = 'file'): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SealpostError('SP_ERR_CLI_USAGE', `cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: file });
  }
}
