import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * The meeting chat (issue 15): messages to everyone, reactions and raised hands, kept with the meeting so
 * that late joiners see what was said. `seq` is the feed's cursor.
 *
 * Dialect note: `seq` is `integer primary key autoincrement` on SQLite and `bigserial primary key` on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let t = db.schema.createTable('meeting_chat');
  t = isPostgres ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey()) : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('sender_key', 'varchar(200)', (c) => c.notNull())
    .addColumn('sender_name', 'varchar(255)', (c) => c.notNull())
    // text, reaction, hand
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meeting_chat_meeting').on('meeting_chat').columns(['meeting_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('meeting_chat').execute();
}
