/**
 * db/migrations — schema migrations as code.
 *
 * Why a provider object and not kysely's FileMigrationProvider: migrations read from disk at
 * runtime break once the code is compiled into dist/ (paths, .ts vs .js), and a bundled build
 * has no files at all. Names sort lexically, so they are zero-padded.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Engine } from '../engine.js';
import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-pki.js';
import { migration0003 } from './0003-active-due.js';
import { migration0004 } from './0004-pgp.js';
import { migration0005 } from './0005-quarantine.js';
import { migration0006 } from './0006-portal.js';
import { migration0007 } from './0007-tls-instead.js';

export function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001-initial': migration0001(engine),
    '0002-pki': migration0002(engine),
    '0003-active-due': migration0003(),
    '0004-pgp': migration0004(engine),
    '0005-quarantine': migration0005(engine),
    '0006-portal': migration0006(engine),
    '0007-tls-instead': migration0007(),
  };
}

/** Brings the schema to the latest version; throws the migrator's error (caller wraps it). */
export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<MigrationResultSet> {
  // Numbers are handed out to parallel lines of work (0004 pgp, 0005 quarantine, 0006 portal …), so
  // a database that already ran a later one must still get an earlier one that landed afterwards.
  // Each migration touches only its own tables/columns, so running the missing ones in name order is safe.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(engine) }, allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    if (failed) err.message = `migration ${failed.migrationName} failed: ${err.message}`;
    throw err;
  }
  return result;
}
