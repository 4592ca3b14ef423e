import { sql, type Kysely } from 'kysely';

/** Recording state of a meeting: whether it records now, and whether its reserve asked for auto-recording. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meetings').addColumn('recording', 'integer', (c) => c.notNull().defaultTo(sql`0`)).execute();
  await db.schema.alterTable('meetings').addColumn('auto_record', 'integer', (c) => c.notNull().defaultTo(sql`0`)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meetings').dropColumn('auto_record').execute();
  await db.schema.alterTable('meetings').dropColumn('recording').execute();
}
