import type { Kysely } from 'kysely';

/**
 * Media placement across the processes sharing one PostgreSQL store (issue 16; docs/decisions.md
 * "Media placement"). `media_nodes`: one row per running process that carries media, written by that
 * process only (address, capacity, load, heartbeat, and a signature over the address). `media_assignments`:
 * one row per meeting whose media has been placed, naming its node; changed only by compare-and-set on
 * `version`. Same statements on both dialects (SQLite: one process, the tables stay empty).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('media_nodes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('address', 'varchar(400)', (c) => c.notNull())
    .addColumn('signature', 'varchar(128)', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('load', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('media_assignments')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('node_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('assigned_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_assignments_pk', ['tenant_key', 'meeting_id'])
    .execute();
  await db.schema.createIndex('media_assignments_node').on('media_assignments').column('node_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('media_assignments').execute();
  await db.schema.dropTable('media_nodes').execute();
}
