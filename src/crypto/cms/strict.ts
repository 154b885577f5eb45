/**
 * Strict-facade checks (EXAMPLES #9): an unknown option or value is a programming error and
 * throws at once instead of quietly becoming a default.
 */
import { SealpostError } from '../../errors/index.js';

export function usageError(fn: string, detail: string): SealpostError {
  return new SealpostError('SP_ERR_INTERNAL', `${fn}: ${detail}`, { stage: 'crypto' });
}

export function checkKeys(fn: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'object' || value === null) throw usageError(fn, 'options must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw usageError(fn, `unknown option "${key}"`);
  }
}

export function checkOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) throw usageError(fn, `${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
}
