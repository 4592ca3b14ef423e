import { sql, type Kysely } from 'kysely';

/** Whether a participant may hold the host role (a reserve's "can become host" permission). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meeting_participants').addColumn('may_host', 'integer', (c) => c.notNull().defaultTo(sql`1`)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meeting_participants').dropColumn('may_host').execute();
}
