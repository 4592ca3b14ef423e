import type { Kysely } from 'kysely';

/**
 * Room bookings (openvc's extension; docs/room-bookings.md) and the per-level "bookings need approval"
 * flag. Independent of the migrations landing around it: it creates its own tables and touches no other.
 *
 * No double booking is enforced by the booking transaction, which locks the room row (PostgreSQL
 * `FOR UPDATE`; SQLite runs one writer at a time) before it checks for overlaps and inserts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('room_bookings')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('room_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('organizer_user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('topic', 'varchar(255)', (c) => c.notNull())
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('needs_approval', 'integer', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addColumn('decided_by_app_id', 'varchar(64)')
    .addColumn('decision_note', 'text')
    .addColumn('check_in_deadline', 'bigint')
    .addColumn('checked_in_at', 'bigint')
    .addColumn('check_in_method', 'varchar(16)')
    .addColumn('released_at', 'bigint')
    .addColumn('release_reason', 'varchar(16)')
    .addColumn('released_by_user_id', 'varchar(64)')
    .addColumn('meeting_no', 'varchar(9)')
    .addColumn('meeting_id', 'varchar(32)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // A room's bookings in time order: the overlap check and the list by room.
  await db.schema.createIndex('room_bookings_room').on('room_bookings').columns(['tenant_key', 'room_id', 'start_time', 'id']).execute();
  await db.schema.createIndex('room_bookings_organizer').on('room_bookings').columns(['tenant_key', 'organizer_user_id', 'start_time', 'id']).execute();
  await db.schema.createIndex('room_bookings_time').on('room_bookings').columns(['tenant_key', 'start_time', 'id']).execute();
  // The bookings a meeting holds, released when it ends.
  await db.schema.createIndex('room_bookings_meeting').on('room_bookings').columns(['meeting_id']).execute();

  await db.schema
    .createTable('room_booking_levels')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('room_level_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('needs_approval', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_booking_levels_pk', ['tenant_key', 'room_level_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('room_booking_levels').execute();
  await db.schema.dropTable('room_bookings').execute();
}
