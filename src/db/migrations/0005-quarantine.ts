/**
 * 0005: what a quarantine release needs. A quarantined message keeps the rules that held it and
 * how to resume (`release`: JSON envelope, session and the saved policy decision; `resume_body`:
 * the message as it stood after the policy's edits), and a spool entry can carry a resume point
 * (`resume`), so a released message continues after the policy stage instead of being decided
 * again. Rows from before this migration have no `release` and cannot be released.
 */
import type { Kysely, Migration } from 'kysely';
import type { Engine } from '../engine.js';

export function migration0005(engine: Engine): Migration {
  const { bytes, text } = engine.types;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('quarantine').addColumn('rules', text).execute();
      await db.schema.alterTable('quarantine').addColumn('release', text).execute();
      await db.schema.alterTable('quarantine').addColumn('resume_body', bytes).execute();
      await db.schema.alterTable('spool_entries').addColumn('resume', text).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('spool_entries').dropColumn('resume').execute();
      await db.schema.alterTable('quarantine').dropColumn('resume_body').execute();
      await db.schema.alterTable('quarantine').dropColumn('release').execute();
      await db.schema.alterTable('quarantine').dropColumn('rules').execute();
    },
  };
}
