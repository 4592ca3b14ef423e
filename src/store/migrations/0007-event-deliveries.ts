import type { Kysely } from 'kysely';

/** One row per (event, app) to deliver, and one per delivery attempt (the delivery log). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_deliveries')
    .addColumn('id', 'varchar(120)', (c) => c.primaryKey())
    .addColumn('outbox_seq', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(80)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    // 'pending' | 'delivered' | 'failed'
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('event_deliveries_due').on('event_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('event_deliveries_app').on('event_deliveries').columns(['app_id', 'outbox_seq']).execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('delivery_id', 'varchar(120)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('delivery_attempts_pk', ['delivery_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_attempts').execute();
  await db.schema.dropTable('event_deliveries').execute();
}
