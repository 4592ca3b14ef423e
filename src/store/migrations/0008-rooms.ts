import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { trigramIndex } from './pg-trigram.js';

/**
 * The room-level tree and its rooms.
 *
 * A level's `tree_path` is its materialised path ('/<root>/<a>/<b>/', itself included): a subtree is one
 * index range, and moving one is a prefix replacement in a single UPDATE. Rooms name their level only and
 * are read joined to it (levels in path order, each level's rooms by name), so a move never rewrites
 * rooms: on PostgreSQL rewriting 50,000 room rows with their indexes took two seconds.
 *
 * Dialect notes:
 * - The subtree range relies on byte-wise string order ('/' sorts just before '0'). SQLite's default
 *   BINARY collation is byte-wise; on PostgreSQL the path and sort-key columns are declared
 *   `collate "C"` so that the database's locale cannot reorder them.
 * - Keyword search (a substring of the name anywhere) needs a trigram index to avoid reading every room:
 *   on SQLite an FTS5 table with the trigram tokenizer over `rooms.name_key`, kept in step by triggers
 *   and addressed by `rooms.seq` (an INTEGER PRIMARY KEY, so VACUUM keeps it); on PostgreSQL a GIN index
 *   with pg_trgm's operator class, when the extension can be installed (otherwise search scans).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bytewise = isPostgres ? sql`text collate "C"` : sql`text`;

  await db.schema
    .createTable('room_levels')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('room_level_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    // lower-cased name: case-insensitive search and ordering, identical on both dialects
    .addColumn('name_key', bytewise, (c) => c.notNull())
    // '' for the tenant root
    .addColumn('parent_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('tree_path', bytewise, (c) => c.notNull())
    // the root is 0
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('custom_group_id', 'varchar(100)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('room_levels_pk', ['tenant_key', 'room_level_id'])
    .execute();
  await db.schema.createIndex('room_levels_tree').on('room_levels').columns(['tenant_key', 'tree_path']).unique().execute();
  await db.schema.createIndex('room_levels_children').on('room_levels').columns(['tenant_key', 'parent_id', 'name_key', 'room_level_id']).execute();
  // NULLs never collide: levels without a custom ID are not constrained
  await db.schema.createIndex('room_levels_custom').on('room_levels').columns(['tenant_key', 'custom_group_id']).unique().execute();

  let rooms = db.schema.createTable('rooms');
  rooms = isPostgres ? rooms.addColumn('seq', 'bigserial', (c) => c.primaryKey()) : rooms.addColumn('seq', 'integer', (c) => c.primaryKey());
  await rooms
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('room_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('name_key', bytewise, (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('display_id', 'varchar(20)', (c) => c.notNull())
    .addColumn('custom_room_id', 'varchar(100)')
    .addColumn('room_level_id', 'varchar(40)', (c) => c.notNull())
    // the disable window (unix ms); no window when disable_start is NULL, permanent when disable_end is NULL
    .addColumn('disable_start', 'bigint')
    .addColumn('disable_end', 'bigint')
    // JSON: the rest of room_status (reason, contacts as tenant user_ids, notice flags)
    .addColumn('status_info', 'text', (c) => c.notNull())
    // JSON device list
    .addColumn('devices', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rooms_id').on('rooms').columns(['tenant_key', 'room_id']).unique().execute();
  // a level's rooms in name order: the inner side of every list and search
  await db.schema.createIndex('rooms_level').on('rooms').columns(['tenant_key', 'room_level_id', 'name_key', 'room_id']).execute();
  await db.schema.createIndex('rooms_custom').on('rooms').columns(['tenant_key', 'custom_room_id']).unique().execute();
  await db.schema.createIndex('rooms_display').on('rooms').columns(['tenant_key', 'display_id']).unique().execute();
  await (isPostgres ? trigramIndex(db, 'rooms_name_trigram', 'rooms', 'name_key') : trigramIndexSqlite(db));
}

async function trigramIndexSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`create virtual table rooms_fts using fts5(name_key, content='rooms', content_rowid='seq', tokenize='trigram')`.execute(db);
  await sql`create trigger rooms_fts_insert after insert on rooms begin
    insert into rooms_fts(rowid, name_key) values (new.seq, new.name_key);
  end`.execute(db);
  await sql`create trigger rooms_fts_delete after delete on rooms begin
    insert into rooms_fts(rooms_fts, rowid, name_key) values ('delete', old.seq, old.name_key);
  end`.execute(db);
  await sql`create trigger rooms_fts_update after update of name_key on rooms begin
    insert into rooms_fts(rooms_fts, rowid, name_key) values ('delete', old.seq, old.name_key);
    insert into rooms_fts(rowid, name_key) values (new.seq, new.name_key);
  end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) await sql`drop table rooms_fts`.execute(db);
  await db.schema.dropTable('rooms').execute();
  await db.schema.dropTable('room_levels').execute();
}
