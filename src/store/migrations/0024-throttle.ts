import type { Kysely } from 'kysely';

/**
 * Counters of failed credential guesses (src/domain/auth/guess-throttle.ts), shared by every process of
 * the store. One row per counted key: a (source, target) pair, a source, or a target of one credential
 * kind. Rows are few (only failures make them) and pruned by maintenance once quiet and unlocked.
 * Same statements on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guess_counters')
    .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guess_counters_updated').on('guess_counters').column('updated_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('guess_counters').execute();
}
