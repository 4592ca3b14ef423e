import type { Kysely } from 'kysely';

/**
 * The admin console's submitted requests (docs/decisions.md "Admin console"): a form's request id is
 * claimed here before its action runs, so a second submit of the same form, through any server process,
 * finds the first one's result instead of acting twice. Same statements on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_requests')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('console_requests_pk', ['tenant_key', 'request_id'])
    .execute();
  await db.schema.createIndex('console_requests_created').on('console_requests').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('console_requests').execute();
}
