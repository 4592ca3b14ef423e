import type { Kysely } from 'kysely';

/**
 * Cluster-wide rate-limit windows (src/http/rate-limit.ts `SharedRateLimiter`): one row per (limit key,
 * window start) counting the calls every process has taken leases for. Rows live for a window or two;
 * maintenance deletes old ones. Same statements on both dialects (used on PostgreSQL).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_windows')
    .addColumn('key', 'varchar(400)', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_windows_pk', ['key', 'window_start'])
    .execute();
  await db.schema.createIndex('rate_windows_start').on('rate_windows').column('window_start').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_windows').execute();
}
