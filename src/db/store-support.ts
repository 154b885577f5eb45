/**
 * db/store-support — what the three stores share: options, clock, corrupt-row reporting, and the
 * lease expressions (a row is claimable when due and its lease is absent or expired).
 * SECURITY: error context carries ids and paths only, never row contents.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { SealpostError, isSealpostError, type ErrorCode, type ErrorContext } from '../errors/index.js';
import type { Database } from './engine.js';
import type { BatchOptions } from './group-commit.js';
import type { Schema } from './schema.js';

export interface StoreOptions {
  /** batching of spool.accept (default: up to 64 messages / 32 MiB of bodies per transaction, current event-loop turn) */
  readonly acceptBatch?: BatchOptions;
  /** batching of spool.settle across concurrent callers (default: 64, failures isolated per caller) */
  readonly settleBatch?: BatchOptions;
  /** clock for times the stores stamp themselves (receivedAt, finishedAt); default Date.now */
  readonly now?: () => number;
  /** when a settle leaves recipients pending without a deferral: retry after this long (default 60 s) */
  readonly defaultRetryMs?: number;
  /** a claimed row that fails validation is set aside this long before it is offered again (default 1 h) */
  readonly corruptParkMs?: number;
  /** told about rows that could not be read during claim/list (default: process.emitWarning) */
  readonly onCorruptRow?: (err: SealpostError) => void;
}

export interface StoreContext {
  readonly db: Database;
  readonly now: () => number;
  readonly defaultRetryMs: number;
  readonly corruptParkMs: number;
  readonly onCorruptRow: (err: SealpostError) => void;
}

/** lease owner written on rows set aside as unreadable; never a real worker's name */
export const CORRUPT_LEASE_OWNER = '!corrupt';

export function storeContext(db: Database, opts: StoreOptions): StoreContext {
  return {
    db,
    now: opts.now ?? Date.now,
    defaultRetryMs: opts.defaultRetryMs ?? 60_000,
    corruptParkMs: opts.corruptParkMs ?? 3_600_000,
    onCorruptRow: opts.onCorruptRow ?? ((err) => process.emitWarning(err.message, { code: err.code })),
  };
}

type Leased = 'spool_entries' | 'queue_items';

/** due now and not under a live lease (an expired lease counts as none: its worker is presumed dead) */
export function claimable<T extends Leased>(eb: ExpressionBuilder<Schema, T>, now: number): Expression<SqlBool> {
  const e = eb as unknown as ExpressionBuilder<Schema, Leased>;
  return e.and([e('next_attempt_at', '<=', now), e.or([e('lease_until', 'is', null), e('lease_until', '<=', now)])]);
}

/**
 * When a row can next be worked on: its next attempt, or the end of its lease if later. Written
 * as CASE rather than max()/GREATEST() because those are spelled differently on the two engines.
 */
export const effectiveDue = sql<number | string | bigint | null>`min(case when lease_until is not null and lease_until > next_attempt_at then lease_until else next_attempt_at end)`;

export function rowsAffected(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number {
  if (!result) return 0;
  return Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}

/** Wraps a failed write so the caller sees one code; an error that is already ours passes through. */
export function writeFailed(code: ErrorCode, db: Database, err: unknown, context: ErrorContext = {}): SealpostError {
  if (isSealpostError(err) && err.code === code) return err;
  const why = db.closed ? 'the database is closed' : err instanceof Error ? err.message : String(err);
  return new SealpostError(code, why, { ...context, path: db.location, stage: 'store' }, { cause: err });
}

/** Guard for read paths: a closed store reports SP_ERR_STORE_UNAVAILABLE, not a driver TypeError. */
export function assertOpen(db: Database): void {
  if (db.closed) throw new SealpostError('SP_ERR_STORE_UNAVAILABLE', `the database ${db.location} is closed`, { path: db.location, stage: 'store' });
}

/** Runs a read and maps driver failures to SP_ERR_STORE_UNAVAILABLE; our own errors (corrupt rows) pass. */
export async function reading<T>(db: Database, f: () => Promise<T>): Promise<T> {
  assertOpen(db);
  try {
    return await f();
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw writeFailed('SP_ERR_STORE_UNAVAILABLE', db, err);
  }
}

export function uniqueStrings(values: readonly string[]): string[] {
  return [...new Set(values)];
}
