import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Export tasks and their files, what the participant list needs to know about sessions, and the
 * indexes the exports read by.
 *
 * Files live in the database, in chunks, on both dialects: with several processes on one PostgreSQL any
 * of them can serve a download, and SQLite needs no second place to keep in step with the store.
 *
 * Dialect note: a chunk's bytes are `bytea` on PostgreSQL and `blob` on SQLite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('export_tasks')
    .addColumn('task_id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('kind', 'varchar(40)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('fail_msg', 'text')
    .addColumn('file_token', 'varchar(80)', (c) => c.unique())
    .addColumn('file_name', 'varchar(255)')
    .addColumn('file_size', 'bigint')
    .addColumn('rows_done', 'bigint', (c) => c.notNull())
    .addColumn('rows_total', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('export_tasks_created').on('export_tasks').columns(['created_at']).execute();

  await db.schema
    .createTable('export_file_chunks')
    .addColumn('task_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', isPostgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('export_file_chunks_pk', ['task_id', 'seq'])
    .execute();

  await db.schema.alterTable('participant_sessions').addColumn('public_ip', 'varchar(64)').execute();
  for (const column of ['used_audio', 'used_video', 'used_share']) {
    await db.schema.alterTable('participant_sessions').addColumn(column, 'integer', (c) => c.notNull().defaultTo(sql`0`)).execute();
  }

  // meeting lists: a tenant's meetings by status and start; the user filter and user-token visibility
  // find meetings by participant; meetings of other tenants that a tenant's users joined
  await db.schema.createIndex('meetings_tenant_started').on('meetings').columns(['tenant_key', 'status', 'started_at', 'id']).execute();
  await db.schema.createIndex('meeting_participants_key').on('meeting_participants').columns(['key', 'meeting_id']).execute();
  await db.schema.createIndex('meeting_participants_guest').on('meeting_participants').columns(['participant_tenant_key', 'meeting_id']).execute();
  // participant lists: a meeting's participants in join order, each one's sessions
  await db.schema.createIndex('meeting_participants_joined').on('meeting_participants').columns(['meeting_id', 'first_join_at', 'key']).execute();
  await db.schema.createIndex('participant_sessions_participant').on('participant_sessions').columns(['meeting_id', 'participant_key', 'joined_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['participant_sessions_participant', 'meeting_participants_joined', 'meeting_participants_guest', 'meeting_participants_key', 'meetings_tenant_started']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of ['used_share', 'used_video', 'used_audio', 'public_ip']) await db.schema.alterTable('participant_sessions').dropColumn(column).execute();
  await db.schema.dropTable('export_file_chunks').execute();
  await db.schema.dropTable('export_tasks').execute();
}
