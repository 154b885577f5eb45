/**
 * db/ — storage: kysely over SQLite (embedded default) and PostgreSQL (cluster mode).
 *
 * openDatabase(url) → Database (migrated, write-probed); createStores(db) → the spool, queue,
 * quarantine and PKI stores (certificates, trust anchors, CRLs, wrapped private keys). Engine differences live in one module per engine (sqlite/, postgres/); the schema and
 * every query are shared. Only src/app.ts and the CLI's store-opening helper import this folder.
 * SECURITY: the database holds message bodies and wrapped private keys (keystore/key-wrap.ts); file permissions are the
 * caller's umask; no row content is logged; URLs are redacted in errors.
 * STANDARDS: none on the wire. Durability: DESIGN §2/§6 (WAL + synchronous=FULL, 250 after commit).
 */
export { openDatabase, parseStorageUrl, redact, type Database, type Engine, type EngineName, type OpenOptions, type PostgresOptions, type SingletonRun, type StorageLocation } from './open.js';
export { createStores, type SingletonOptions, type StoreOptions, type StoreStats, type Stores } from './stores.js';
export type { BatchOptions, GroupCommitStats } from './group-commit.js';
export { toBytes, toMillis, toMillisOrNull } from './values.js';
