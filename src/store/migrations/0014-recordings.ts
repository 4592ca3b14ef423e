import type { Kysely } from 'kysely';

/**
 * Recordings (recording.md): one row per segment (a start … stop of a meeting's recording) with the state
 * of its file, and the grants set_permission keeps per meeting. Independent of the migrations landing
 * around it: it creates its own tables and touches no other.
 *
 * The files themselves live under the data directory (docs/decisions.md "Recording").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('url_token', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('started_by_user_id', 'varchar(64)')
    .addColumn('host_user_id', 'varchar(64)')
    .addColumn('timezone', 'integer')
    .addColumn('raw_dir', 'text', (c) => c.notNull())
    .addColumn('file_path', 'text')
    .addColumn('file_size', 'bigint')
    .addColumn('duration_ms', 'bigint')
    .addColumn('fail_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('ready_at', 'bigint')
    .execute();
  await db.schema.createIndex('recordings_meeting').on('recordings').columns(['tenant_key', 'meeting_id', 'started_at']).execute();

  await db.schema
    .createTable('recording_permissions')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('granted_by_user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('recording_permissions_pk', ['tenant_key', 'meeting_id', 'kind', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recording_permissions').execute();
  await db.schema.dropTable('recordings').execute();
}
