import type { Kysely } from 'kysely';

/**
 * Claims walk pending deliveries in outbox order and stop after a batch, and skip apps with a live
 * lease; with a large backlog both need an index, or every claim scans the whole backlog.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('event_deliveries_pending_seq').on('event_deliveries').columns(['status', 'outbox_seq']).execute();
  await db.schema.createIndex('event_deliveries_lease').on('event_deliveries').columns(['status', 'locked_until']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('event_deliveries_lease').execute();
  await db.schema.dropIndex('event_deliveries_pending_seq').execute();
}
