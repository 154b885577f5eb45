/**
 * db/engine — the few things that differ between SQLite and PostgreSQL, behind one interface.
 *
 * Everything else (schema, queries, transactions) is written once with kysely. What an engine
 * supplies: column type names for migrations, table options, and the row locking a claim needs.
 * SQLite lives in `sqlite/`, PostgreSQL in `postgres/` (`FOR UPDATE SKIP LOCKED`, bytea, bigint,
 * advisory locks for singleton jobs); open.ts picks one by URL — no store code differs.
 * SECURITY: none of these hooks see message data.
 */
import type { ColumnDataType, CreateTableBuilder, Expression, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import type { Schema } from './schema.js';

export type EngineName = 'sqlite' | 'postgres';

/** a column type for the migrations: a plain type name, or an expression such as `text collate "C"` */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kysely's own DataTypeExpression is Expression<any>
export type SqlType = ColumnDataType | Expression<any>;

export interface Engine {
  readonly name: EngineName;
  /** column types used by the migrations */
  readonly types: { readonly int64: SqlType; readonly int32: SqlType; readonly bytes: SqlType; readonly text: SqlType };
  /** engine-specific CREATE TABLE tail (SQLite: STRICT, so a wrong-typed write fails instead of being coerced) */
  finishTable<TB extends string, C extends string>(builder: CreateTableBuilder<TB, C>): CreateTableBuilder<TB, C>;
  /**
   * Adds the row lock the candidate SELECT of a claim needs. SQLite: nothing — the claim runs in a
   * BEGIN IMMEDIATE transaction, so one writer at a time already makes it atomic. PostgreSQL:
   * FOR UPDATE SKIP LOCKED, so nodes of a cluster claim disjoint rows without waiting.
   */
  lockForClaim<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * `id` (of the table being updated) is one of the ids the candidate query returns, with that
   * query evaluated exactly once. SQLite: `id IN (…)`. PostgreSQL: `id = ANY(ARRAY(…))`, an
   * InitPlan — with `IN (…)` the planner may rescan the LIMITed, SKIP LOCKED subquery (a semi
   * join, or an EvalPlanQual recheck after a concurrent update) and lease more than `limit` rows.
   */
  idAmong<DB, TB extends keyof DB>(candidates: SelectQueryBuilder<DB, TB, { id: string }>): Expression<SqlBool>;
}

/** An open, migrated database: what the stores are built from. */
export interface Database {
  readonly kysely: Kysely<Schema>;
  readonly engine: Engine;
  /** where the data lives, for error messages: a file path, ':memory:' or a URL without password */
  readonly location: string;
  readonly closed: boolean;
  /**
   * Runs `fn` only if no other process of the cluster is running a job of the same `name` right
   * now. PostgreSQL: a session-level `pg_try_advisory_lock` on a connection held for the run (a
   * node that dies releases it with its connection); when the lock is taken elsewhere, `fn` is not
   * run and `{ ran: false }` comes back at once (no waiting). SQLite (one node): just runs `fn`.
   * Jobs must still be idempotent: a lost connection releases the lock while `fn` may go on.
   */
  runSingleton<T>(name: string, fn: () => Promise<T>): Promise<SingletonRun<T>>;
  /**
   * Claims the node name for this process until close(): lease owners are node names, so two
   * live processes with one name would release and settle each other's leases. PostgreSQL: a
   * session advisory lock on a connection of its own (re-taken after a reconnect); rejects with
   * SP_ERR_CONFIG_INVALID when another live process holds the name. SQLite (one node): no-op.
   */
  claimNodeName(name: string): Promise<void>;
  /** Closes the connection(s); idempotent. */
  close(): Promise<void>;
}

export type SingletonRun<T> = { readonly ran: true; readonly value: T } | { readonly ran: false; readonly reason: 'running-elsewhere' | 'ran-recently' };
