import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Live and past meetings, their participants, participant sessions (client connections), the events
 * outbox and the per-user client notification feed.
 *
 * Dialect note: `outbox_events.seq` and `client_events.seq` are auto-incrementing keys, spelled
 * `integer primary key autoincrement` on SQLite and `bigserial primary key` on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('meetings')
    .addColumn('id', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('reserve_id', 'varchar(20)')
    .addColumn('meeting_no', 'varchar(9)', (c) => c.notNull())
    // the meeting number while the meeting is not over: at most one live meeting per number
    .addColumn('live_no', 'varchar(80)', (c) => c.unique())
    .addColumn('topic', 'varchar(255)', (c) => c.notNull())
    .addColumn('password', 'varchar(16)', (c) => c.notNull())
    .addColumn('source', 'integer', (c) => c.notNull())
    .addColumn('owner_user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('assigned_hosts', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('host_key', 'varchar(140)')
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('participant_limit', 'integer', (c) => c.notNull())
    .addColumn('peak', 'integer', (c) => c.notNull())
    .addColumn('accumulated', 'integer', (c) => c.notNull())
    .addColumn('ability', 'text', (c) => c.notNull())
    .addColumn('sharing_key', 'varchar(140)')
    .addColumn('next_seq', 'integer', (c) => c.notNull())
    // optimistic concurrency: every save checks and bumps it
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meetings_tenant_no').on('meetings').columns(['tenant_key', 'meeting_no', 'created_at']).execute();
  await db.schema.createIndex('meetings_reserve').on('meetings').columns(['reserve_id']).execute();

  await db.schema
    .createTable('meeting_participants')
    .addColumn('meeting_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('key', 'varchar(140)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('user_type', 'integer', (c) => c.notNull())
    .addColumn('participant_tenant_key', 'varchar(64)')
    .addColumn('name', 'varchar(255)')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('first_join_at', 'bigint')
    .addColumn('final_leave_at', 'bigint')
    .addColumn('in_meeting_ms', 'bigint', (c) => c.notNull())
    .addColumn('joined_at', 'bigint')
    .addColumn('is_cohost', 'integer', (c) => c.notNull())
    .addColumn('session_id', 'varchar(40)')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_participants_pk', ['meeting_id', 'key'])
    .execute();

  await db.schema
    .createTable('participant_sessions')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('meeting_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('participant_key', 'varchar(140)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('app_id', 'varchar(64)')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    // 'left' | 'kicked' | 'meeting_ended' | 'network' | 'replaced'
    .addColumn('leave_reason', 'varchar(16)')
    .execute();
  await db.schema.createIndex('participant_sessions_live').on('participant_sessions').columns(['left_at', 'last_seen_at']).execute();
  await db.schema.createIndex('participant_sessions_meeting').on('participant_sessions').columns(['meeting_id']).execute();

  await db.schema
    .createTable('quality_samples')
    .addColumn('session_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('sample', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('quality_samples_pk', ['session_id', 'minute'])
    .execute();

  for (const table of ['outbox_events', 'client_events'] as const) {
    let t = db.schema.createTable(table);
    t = isPostgres ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey()) : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
    if (table === 'outbox_events') {
      t = t
        .addColumn('event_id', 'varchar(40)', (c) => c.notNull().unique())
        .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_type', 'varchar(80)', (c) => c.notNull())
        .addColumn('meeting_id', 'varchar(20)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull());
    } else {
      t = t
        .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(64)')
        .addColumn('session_id', 'varchar(40)')
        .addColumn('type', 'varchar(40)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull());
    }
    await t.execute();
  }
  await db.schema.createIndex('outbox_events_tenant').on('outbox_events').columns(['tenant_key', 'seq']).execute();
  await db.schema.createIndex('client_events_user').on('client_events').columns(['tenant_key', 'user_id', 'seq']).execute();
  await db.schema.createIndex('client_events_session').on('client_events').columns(['session_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['client_events', 'outbox_events', 'quality_samples', 'participant_sessions', 'meeting_participants', 'meetings']) {
    await db.schema.dropTable(t).execute();
  }
}
