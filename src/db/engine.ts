/**
 * db/engine — the few things that differ between SQLite and PostgreSQL, behind one interface.
 *
 * Everything else (schema, queries, transactions) is written once with kysely. What an engine
 * supplies: column type names for migrations, table options, and the row locking a claim needs.
 * Adding PostgreSQL means a `postgres/` folder with its own Engine (`FOR UPDATE SKIP LOCKED`,
 * bytea, bigint) and a branch in open.ts — no store code changes.
 * SECURITY: none of these hooks see message data.
 */
import type { ColumnDataType, CreateTableBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { Schema } from './schema.js';

export type EngineName = 'sqlite' | 'postgres';

export interface Engine {
  readonly name: EngineName;
  /** column types used by the migrations */
  readonly types: { readonly int64: ColumnDataType; readonly int32: ColumnDataType; readonly bytes: ColumnDataType; readonly text: ColumnDataType };
  /** engine-specific CREATE TABLE tail (SQLite: STRICT, so a wrong-typed write fails instead of being coerced) */
  finishTable<TB extends string, C extends string>(builder: CreateTableBuilder<TB, C>): CreateTableBuilder<TB, C>;
  /**
   * Adds the row lock the candidate SELECT of a claim needs. SQLite: nothing — the claim runs in a
   * BEGIN IMMEDIATE transaction, so one writer at a time already makes it atomic. PostgreSQL:
   * FOR UPDATE SKIP LOCKED, so nodes of a cluster claim disjoint rows without waiting.
   */
  lockForClaim<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
}

/** An open, migrated database: what the stores are built from. */
export interface Database {
  readonly kysely: Kysely<Schema>;
  readonly engine: Engine;
  /** where the data lives, for error messages: a file path, ':memory:' or a URL without password */
  readonly location: string;
  readonly closed: boolean;
  /** Closes the connection(s); idempotent. */
  close(): Promise<void>;
}
