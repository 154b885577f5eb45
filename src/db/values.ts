/**
 * db/values — normalises what drivers return into the plain values the stores promise.
 *
 * Why: better-sqlite3 returns integers as numbers and BLOBs as Buffers, but node-postgres returns
 * int8 as strings and may hand out other byte views; the stores must return the same plain types
 * on both engines. A value that cannot be represented (a non-integer, beyond 2^53) is corruption,
 * reported as a StoreValueError that the caller turns into a SealpostError naming the row.
 * SECURITY: values come from our own database, but a damaged or tampered file must produce an
 * error, never a wrong number (a wrong time could release a lease or skip a retry schedule).
 */

/** thrown by the normalisers; the row reader catches it and adds table/row/column */
export class StoreValueError extends Error {
  override readonly name = 'StoreValueError';
}

/** int8 / INTEGER column → safe JS integer (pg returns bigint columns as decimal strings). */
export function toMillis(value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = Number(value);
  else throw new StoreValueError(`expected an integer, got ${typeof value}`);
  if (!Number.isSafeInteger(n)) throw new StoreValueError('integer out of range');
  return n;
}

export function toMillisOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toMillis(value);
}

/** Counters share the integer rules; the separate name documents intent at call sites. */
export const toCount = toMillis;

/** BLOB / bytea → Buffer (a copy-free view when the driver gave a Uint8Array). */
export function toBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new StoreValueError(`expected bytes, got ${typeof value}`);
}

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new StoreValueError(`expected text, got ${typeof value}`);
}

export function toTextOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toText(value);
}

/**
 * Checks a time before it is written: NaN would be stored as NULL (SQLite) and break every
 * comparison, a fraction is rejected by int8 (PostgreSQL), so fractions are truncated here and
 * non-finite values refused.
 */
export function writeMillis(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${what} must be a finite number of milliseconds, got ${String(value)}`);
  const n = Math.trunc(value);
  if (!Number.isSafeInteger(n)) throw new TypeError(`${what} is out of range: ${value}`);
  return n;
}
