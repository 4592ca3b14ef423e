import type { Kysely } from 'kysely';

/**
 * Indexes behind `/metrics` (src/store/repositories/metrics.repository.ts), which a scraper asks every few
 * seconds: live meetings by status, and the latest minutes of quality samples. Without them each scrape
 * would scan every meeting and every sample ever kept. Same statements on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('meetings_status').on('meetings').column('status').execute();
  await db.schema.createIndex('quality_samples_minute').on('quality_samples').column('minute').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('quality_samples_minute').execute();
  await db.schema.dropIndex('meetings_status').execute();
}
