import { SqliteAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

/**
 * Rollups behind the report API, kept up to date in the transaction that ends each meeting
 * (src/domain/report/usage.ts says what counts):
 * - `report_days`: per tenant and day, the meetings, their duration and participants;
 * - `report_user_spans`: per tenant, user and span of 1, 2, 4 … 256 days, the user's meetings and
 *   time, so ranking users over a year reads a few spans per user (src/domain/report/calendar.ts).
 * Days are unix seconds of their 00:00 (UTC+8). Existing meeting history is not rolled up here:
 * `openvc reports rebuild` does that with the same code the server runs.
 *
 * Dialect note: on SQLite both tables are WITHOUT ROWID, so the primary key holds the counters and a
 * report's range scan never visits a second b-tree.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const clustered = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) => (isSqlite ? t.modifyEnd(sql`without rowid`) : t);

  const days = db.schema
    .createTable('report_days')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('meeting_count', 'bigint', (c) => c.notNull())
    .addColumn('meeting_duration_s', 'bigint', (c) => c.notNull())
    .addColumn('participant_count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_days_pk', ['tenant_key', 'day']);
  await clustered(days).execute();

  const userSpans = db.schema
    .createTable('report_user_spans')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('span_days', 'integer', (c) => c.notNull())
    .addColumn('first_day', 'bigint', (c) => c.notNull())
    // 1 a user of the tenant (user_id), 2 a room (its room id)
    .addColumn('user_type', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    // rooms only: they are not in the directory the names of users come from
    .addColumn('name', 'varchar(255)')
    .addColumn('meeting_count', 'bigint', (c) => c.notNull())
    .addColumn('duration_s', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_user_spans_pk', ['tenant_key', 'span_days', 'first_day', 'user_type', 'user_id']);
  await clustered(userSpans).execute();

  // `openvc reports rebuild` reads a tenant's ended meetings in start order, a batch at a time.
  await db.schema.createIndex('meetings_report_rebuild').on('meetings').columns(['tenant_key', 'started_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('meetings_report_rebuild').execute();
  await db.schema.dropTable('report_user_spans').execute();
  await db.schema.dropTable('report_days').execute();
}
