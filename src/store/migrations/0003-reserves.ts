import type { Kysely } from 'kysely';

/** Scheduled meetings (reserve.md). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reserves')
    .addColumn('id', 'varchar(19)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('owner_user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_no', 'varchar(9)', (c) => c.notNull())
    // A plain UNIQUE over a nullable column: NULLs never collide on either dialect, so only live reserves
    // (which set it to their meeting_no) compete for a number.
    .addColumn('live_meeting_no', 'varchar(9)', (c) => c.unique())
    .addColumn('password', 'varchar(9)', (c) => c.notNull())
    .addColumn('end_time', 'bigint', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reserves').execute();
}
