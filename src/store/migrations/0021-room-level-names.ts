import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { trigramIndex } from './pg-trigram.js';

/**
 * Room search by level names (`search_level_name`) reads the levels whose name matches in path order, a
 * batch at a time, and the rooms below them in room order until a page is full (bench/rooms.ts).
 *
 * - SQLite: an index on (tenant, path, name), so that walking the levels in path order for a name reads
 *   the index alone rather than each level's row (a name no level has: 2 ms → 0.5 ms over 10,000 levels).
 * - PostgreSQL: a trigram index on level names, for a name that few levels have (a scan of 10,000 levels,
 *   ~1.5 ms → ~0.1 ms). Its price is paid by subtree moves, whose every level gets new index entries: the
 *   UPDATE of a 5,001-level subtree takes ~250 ms instead of ~75 ms, inside the 1 s budget; searches are
 *   many and moves rare. And a finer histogram
 *   of `tree_path`. With the default one the planner took a subtree of a hundred levels for one level,
 *   sorted all its rooms (1,000 for a building) for a page of 20 and took ~2 ms; estimated right, it reads
 *   them in order (an incremental sort) and stops at the page: ~0.1 ms. (Its plans need no covering
 *   index, which would only slow subtree moves.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await db.schema.createIndex('room_levels_names').on('room_levels').columns(['tenant_key', 'tree_path', 'name_key']).execute();
    return;
  }
  await trigramIndex(db, 'room_levels_name_trigram', 'room_levels', 'name_key');
  await sql`alter table room_levels alter column tree_path set statistics 1000`.execute(db);
  await sql`analyze room_levels`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await db.schema.dropIndex('room_levels_names').execute();
    return;
  }
  await sql`alter table room_levels alter column tree_path set statistics -1`.execute(db);
  await sql`drop index if exists room_levels_name_trigram`.execute(db);
}
