import type { Kysely } from 'kysely';

/**
 * Administrators are a role of a tenant's users (seed field `admin`, `openvc user admin`): they may open the
 * troubleshooter pages of their tenant's requests and, later, the admin console. 0 or 1; same statement on
 * both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('is_admin').execute();
}
