/**
 * CLI output and exit codes (DESIGN §3): human text by default, JSON with --json; 0 success,
 * 1 user error (one line naming file/field/value), 2 internal error.
 */
import { ConfigError, formatProblem } from '../config/load.js';
import { isSealpostError } from '../errors/index.js';

export const EXIT_OK = 0;
export const EXIT_USER = 1;
export const EXIT_INTERNAL = 2;

export interface Output {
  readonly json: boolean;
  print(human: string, data: unknown): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    print(human, data) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    },
  };
}

const USER_ERRORS = new Set(['SP_ERR_CONFIG_INVALID', 'SP_ERR_CONFIG_NOT_FOUND', 'SP_ERR_CONFIG_ENV_MISSING', 'SP_ERR_CONFIG_EXISTS', 'SP_ERR_STORE_NOT_FOUND', 'SP_ERR_CLI_USAGE']);

/** Prints an error in the contract's shape and returns the exit code it deserves. */
export function reportError(err: unknown, json: boolean): number {
  const user = isSealpostError(err) && USER_ERRORS.has(err.code);
  if (json) {
    const error = isSealpostError(err) ? err.toJSON() : { code: 'SP_ERR_INTERNAL', message: err instanceof Error ? err.message : String(err) };
    const problems = err instanceof ConfigError ? { problems: err.problems } : {};
    process.stdout.write(`${JSON.stringify({ error: { ...error, ...problems } }, null, 2)}\n`);
  } else if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`error: ${formatProblem(err.file, p)}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return user ? EXIT_USER : EXIT_INTERNAL;
}
