/**
 * Migration 0001 — spool, queue (bodies + items), quarantine, meta.
 * See docs/adr/0001-spool-and-queue-schema.md for why the tables look like this.
 *
 * Never edit a released migration: add 0002-… instead (a migration is a promise to every
 * existing database). Column types come from the engine so one migration serves SQLite and
 * PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from '../engine.js';

export function migration0001(engine: Engine): Migration {
  const { int64, int32, bytes, text } = engine.types;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await engine
        .finishTable(
          db.schema
            .createTable('spool_entries')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('received_at', int64, (c) => c.notNull())
            .addColumn('envelope', text, (c) => c.notNull())
            .addColumn('session', text, (c) => c.notNull())
            .addColumn('body', bytes, (c) => c.notNull())
            .addColumn('pending', text, (c) => c.notNull())
            .addColumn('attempts', int32, (c) => c.notNull().defaultTo(0))
            .addColumn('claims', int32, (c) => c.notNull().defaultTo(0))
            .addColumn('next_attempt_at', int64, (c) => c.notNull())
            .addColumn('lease_owner', text)
            .addColumn('lease_until', int64)
            .addColumn('last_error', text)
            .addColumn('trace', text, (c) => c.notNull()),
        )
        .execute();
      // claims scan due rows in time order
      await db.schema.createIndex('spool_entries_due').on('spool_entries').columns(['next_attempt_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('queue_bodies')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('message_id', text, (c) => c.notNull())
            .addColumn('bytes', bytes, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();

      await engine
        .finishTable(
          db.schema
            .createTable('queue_items')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('message_id', text, (c) => c.notNull())
            // RESTRICT: a body cannot disappear under a live item; purge deletes items first
            .addColumn('body_id', text, (c) => c.notNull().references('queue_bodies.id').onDelete('restrict'))
            .addColumn('kind', text, (c) => c.notNull().check(sqlIn('kind', ['message', 'dsn', 'notice'])))
            .addColumn('sender', text, (c) => c.notNull())
            .addColumn('recipient', text, (c) => c.notNull())
            .addColumn('direction', text, (c) => c.notNull().check(sqlIn('direction', ['inbound', 'outbound'])))
            .addColumn('route', text, (c) => c.notNull())
            .addColumn('state', text, (c) => c.notNull().check(sqlIn('state', ['queued', 'deferred', 'delivered', 'bounced', 'expired', 'deleted'])))
            .addColumn('attempts', int32, (c) => c.notNull().defaultTo(0))
            .addColumn('created_at', int64, (c) => c.notNull())
            .addColumn('next_attempt_at', int64, (c) => c.notNull())
            .addColumn('give_up_at', int64, (c) => c.notNull())
            .addColumn('finished_at', int64)
            .addColumn('last_response', text)
            .addColumn('last_delivery', text)
            .addColumn('trace', text, (c) => c.notNull())
            .addColumn('lease_owner', text)
            .addColumn('lease_until', int64),
        )
        .execute();
      // the delivery scheduler's query: active states, earliest first
      await db.schema.createIndex('queue_items_state_due').on('queue_items').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('queue_items_message').on('queue_items').columns(['message_id']).execute();
      // purge's "is this body still referenced?" and the foreign key check on body delete
      await db.schema.createIndex('queue_items_body').on('queue_items').columns(['body_id']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('quarantine')
            .addColumn('id', text, (c) => c.primaryKey())
            .addColumn('message_id', text, (c) => c.notNull())
            .addColumn('recipients', text, (c) => c.notNull())
            .addColumn('reason', text, (c) => c.notNull())
            .addColumn('sender', text, (c) => c.notNull())
            .addColumn('bytes', bytes, (c) => c.notNull())
            .addColumn('trace', text, (c) => c.notNull())
            .addColumn('created_at', int64, (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('quarantine_created').on('quarantine').columns(['created_at']).execute();

      await engine
        .finishTable(
          db.schema
            .createTable('meta')
            .addColumn('key', text, (c) => c.primaryKey())
            .addColumn('value', text, (c) => c.notNull())
            .addColumn('updated_at', int64, (c) => c.notNull()),
        )
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const t of ['meta', 'quarantine', 'queue_items', 'queue_bodies', 'spool_entries']) await db.schema.dropTable(t).execute();
    },
  };
}

/** CHECK (column IN ('a','b')) — literal, constant values only, so inlining them is safe. */
function sqlIn(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
}
