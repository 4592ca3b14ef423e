import type { Kysely } from 'kysely';

/**
 * Which dispatcher holds a delivery's claim. A process may then go on claiming an app's new events
 * while its own lane for that app runs (feeding the lane), while every other process still keeps off an
 * app that has a live claim anywhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('event_deliveries').addColumn('claimed_by', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('event_deliveries').dropColumn('claimed_by').execute();
}
