import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, RoomTable } from '../schema.js';
import { idsOf, isWithin, narrower, subtreeRange, topmost, type TreePath } from '../../domain/room/tree.js';

export type RoomRow = Selectable<RoomTable>;
/** A room as read: with its level's tree path, which gives the room's `path`. */
export type RoomRecord = RoomRow & { level_path: TreePath };
export type NewRoom = Omit<RoomRow, 'seq' | 'tenant_key'>;
export type RoomChanges = Partial<Omit<NewRoom, 'room_id' | 'display_id' | 'created_at' | 'updated_at'>>;

/** Keyset position in room order: level path, name key, room ID. */
export type RoomCursor = { p: string; n: string; i: string };

/** Which rooms a list or search wants; every part narrows the result. */
export interface RoomFilter {
  /** the rooms of exactly this level (ID) */
  level?: string;
  /** rooms anywhere in this subtree */
  within?: TreePath;
  /** the lower-cased name contains this… */
  keyword?: string;
  /** …or (when true) so does the name of its level or of a level above it */
  orLevelNamed?: boolean;
}

/** A LIKE pattern (`\` escapes) for "contains `text`". */
export const containsLike = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * More trigram candidates than this: the keyword is common, and walking the rooms in order fills a page
 * sooner than fetching and sorting them all.
 */
const CANDIDATES = 500;
/** Levels with a matching name read by one query, in path order, when collecting the rooms under them. */
const BATCH = 50;

/** One ordered read: `level` alone, or any of the rest together. */
interface Walk {
  level?: string;
  within?: TreePath;
  keyword?: string;
  /** the rooms in any of these subtrees (sorted, apart from one another) */
  anyOf?: TreePath[];
}

/**
 * Room order is byte order of UTF-8, i.e. code point order. JavaScript compares UTF-16 units, which
 * differs only where a surrogate pair meets U+E000–U+FFFF; this shifts those apart.
 */
function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x < 0xe000 ? 0x2000 : -0x800;
      y += y < 0xe000 ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

type Ordered = Pick<RoomRecord, 'level_path' | 'name_key' | 'room_id'>;
const roomOrder = (a: Ordered, b: Ordered): number =>
  codePointCompare(a.level_path, b.level_path) || codePointCompare(a.name_key, b.name_key) || codePointCompare(a.room_id, b.room_id);

function byLength(paths: readonly string[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const p of paths) {
    const group = groups.get(p.length);
    if (group) group.push(p);
    else groups.set(p.length, [p]);
  }
  return groups;
}

/** Rooms. Every query goes through `forTenant` and carries the tenant_key. */
export class RoomRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  forTenant(tenantKey: string, db: Kysely<Database> = this.db): TenantRooms {
    return new TenantRooms(db, this.dialect, tenantKey);
  }
}

export class TenantRooms {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    readonly tenantKey: string,
  ) {}

  /**
   * Rooms joined to their level. SQLite keeps the table order of a CROSS JOIN as its loop order: with
   * levels outside, it walks the tree in path order and each level's rooms by name (the order asked for,
   * with no sort); with rooms outside, it starts from rooms already known. PostgreSQL plans it as an
   * inner join.
   */
  private joined(outer: 'levels' | 'rooms') {
    const from = outer === 'levels' ? this.db.selectFrom('room_levels as l').crossJoin('rooms as r') : this.db.selectFrom('rooms as r').crossJoin('room_levels as l');
    return from
      .selectAll('r')
      .select('l.tree_path as level_path')
      .whereRef('l.tenant_key', '=', 'r.tenant_key')
      .whereRef('l.room_level_id', '=', 'r.room_level_id')
      .where('l.tenant_key', '=', this.tenantKey);
  }

  private byRooms() {
    return this.joined('rooms').where('r.tenant_key', '=', this.tenantKey);
  }

  async find(id: string): Promise<RoomRecord | undefined> {
    return this.byRooms().where('r.room_id', '=', id).executeTakeFirst();
  }

  async findMany(ids: readonly string[]): Promise<RoomRecord[]> {
    return ids.length === 0 ? [] : this.byRooms().where('r.room_id', 'in', ids).execute();
  }

  async byCustomIds(customIds: readonly string[]): Promise<RoomRecord[]> {
    return customIds.length === 0 ? [] : this.byRooms().where('r.custom_room_id', 'in', customIds).execute();
  }

  /** The room that uses a custom room ID, if any. */
  async idOfCustom(customId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('rooms').select('room_id').where('tenant_key', '=', this.tenantKey).where('custom_room_id', '=', customId).executeTakeFirst())?.room_id;
  }

  async displayIdTaken(displayId: string): Promise<boolean> {
    const row = await this.db.selectFrom('rooms').select('room_id').where('tenant_key', '=', this.tenantKey).where('display_id', '=', displayId).executeTakeFirst();
    return row !== undefined;
  }

  /** Whether a level holds rooms itself. */
  async anyIn(levelId: string): Promise<boolean> {
    const row = await this.db.selectFrom('rooms').select('room_id').where('tenant_key', '=', this.tenantKey).where('room_level_id', '=', levelId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Whether a room is disabled at time `t` (unix ms): inside its disable window. Undefined for an
   * unknown room. (Bookings ask this of the room they would take.)
   */
  async disabledAt(id: string, t: number): Promise<boolean | undefined> {
    const row = await this.db
      .selectFrom('rooms')
      .select((eb) => eb.and([eb('disable_start', '<=', t), eb.or([eb('disable_end', 'is', null), eb('disable_end', '>', t)])]).as('disabled'))
      .where('tenant_key', '=', this.tenantKey)
      .where('room_id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : Boolean(row.disabled);
  }

  /**
   * Rooms in room order (level path, name, ID) after `after`. With `orLevelNamed` the result is the union
   * of the name matches and the rooms under levels whose name matches, each read only as far as a page needs.
   */
  async page(f: RoomFilter, after: RoomCursor | undefined, limit: number): Promise<RoomRecord[]> {
    if (f.keyword === undefined || !f.orLevelNamed) return this.walk(f, after, limit);
    const [named, under] = await Promise.all([this.walk({ within: f.within, keyword: f.keyword }, after, limit), this.underNamed(f.keyword, f.within, after, limit)]);
    // A room both named and under a matched level comes twice; sorted, the two copies are neighbours.
    const merged: RoomRecord[] = [];
    for (const r of [...named, ...under].sort(roomOrder)) if (merged.at(-1)?.room_id !== r.room_id) merged.push(r);
    return merged.slice(0, limit);
  }

  /**
   * The rooms under levels whose name contains `keyword`, within `within`. In room order one subtree's
   * rooms all come before the next one's, and a level's path sorts before its descendants', so the matched
   * levels are read in path order, a batch at a time, until a page is full: a common keyword that names
   * a thousand levels reads a few of them.
   */
  private async underNamed(keyword: string, within: TreePath | undefined, after: RoomCursor | undefined, limit: number): Promise<RoomRecord[]> {
    const span = within === undefined ? undefined : subtreeRange(within);
    let from = span?.lo;
    if (after && (from === undefined || codePointCompare(after.p, from) > 0)) from = after.p;
    const found: RoomRecord[] = [];
    if (from !== undefined) {
      // A matched level at `from` or above it (the one highest up) holds every room from there to its end.
      const holder = (await this.levelsNamed(keyword, { ids: idsOf(from) }, 1))[0];
      const subtree = holder === undefined ? undefined : within === undefined ? holder : narrower(within, holder);
      if (subtree !== undefined) {
        found.push(...(await this.walk({ within: subtree }, after, limit)));
        from = subtreeRange(subtree).hi;
      }
    }
    while (found.length < limit && !(span && from !== undefined && codePointCompare(from, span.hi) >= 0)) {
      const paths = await this.levelsNamed(keyword, { after: from, before: span?.hi }, BATCH);
      if (paths.length === 0) break;
      const subtrees = topmost(paths);
      found.push(...(await this.walk({ anyOf: subtrees }, after, limit - found.length)));
      if (paths.length < BATCH) break;
      from = subtreeRange(subtrees.at(-1)!).hi;
    }
    return found;
  }

  /** Paths of the levels whose lower-cased name contains `keyword`, in path order: among `ids`, or after `after` and before `before`. */
  private async levelsNamed(keyword: string, where: { ids?: string[]; after?: TreePath; before?: string }, limit: number): Promise<TreePath[]> {
    let q = this.db
      .selectFrom('room_levels')
      .select('tree_path')
      .where('tenant_key', '=', this.tenantKey)
      .where(sql<SqlBool>`name_key like ${containsLike(keyword)} escape '\\'`);
    if (where.ids) q = q.where('room_level_id', 'in', where.ids);
    if (where.after !== undefined) q = q.where('tree_path', '>', where.after);
    if (where.before !== undefined) q = q.where('tree_path', '<', where.before);
    return (await q.orderBy('tree_path').limit(limit).execute()).map((r) => r.tree_path);
  }

  private async walk(f: Walk, after: RoomCursor | undefined, limit: number): Promise<RoomRecord[]> {
    if (f.level !== undefined) {
      let q = this.byRooms().where('r.room_level_id', '=', f.level);
      if (after) q = q.where((eb) => eb(eb.refTuple('r.name_key', 'r.room_id'), '>', eb.tuple(after.n, after.i)));
      return q.orderBy('r.name_key').orderBy('r.room_id').limit(limit).execute();
    }
    const { keyword, anyOf } = f;
    if (keyword !== undefined) {
      const found = await this.trigramMatches(keyword, f.within, after, limit);
      if (found) return found;
    }
    // The levels walked: the subtree, or the span of the batch of subtrees (which must match one of them).
    const span = anyOf ? { lo: anyOf[0]!, hi: subtreeRange(anyOf[anyOf.length - 1]!).hi } : f.within !== undefined ? subtreeRange(f.within) : undefined;
    let q = this.joined('levels');
    let from = span?.lo;
    if (after && (from === undefined || codePointCompare(after.p, from) > 0)) from = after.p;
    if (from !== undefined) q = q.where('l.tree_path', '>=', from);
    if (span) q = q.where('l.tree_path', '<', span.hi);
    if (anyOf && anyOf.length > 1) {
      // A level lies in subtree S when its path starts with S's: grouped by length, the batch makes one IN
      // list per length (a handful) rather than an OR per subtree. (One subtree is the span itself; the
      // filter would only make PostgreSQL expect a level where there are a hundred, and sort them all.)
      q = q.where((eb) => eb.or([...byLength(anyOf)].map(([length, paths]) => eb(sql<string>`substr(l.tree_path, 1, ${length})`, 'in', paths))));
    }
    if (keyword !== undefined) q = q.where(sql<SqlBool>`r.name_key like ${containsLike(keyword)} escape '\\'`);
    if (after) q = q.where((eb) => eb.or([eb('l.tree_path', '>', after.p), eb(eb.refTuple('r.name_key', 'r.room_id'), '>', eb.tuple(after.n, after.i))]));
    return q.orderBy('l.tree_path').orderBy('r.name_key').orderBy('r.room_id').limit(limit).execute();
  }

  /**
   * SQLite: the page of rooms whose name contains the keyword, found through the FTS5 trigram index and
   * ordered here (they are few). Undefined when the index cannot narrow them down: a keyword under three
   * characters, or a common one. (PostgreSQL's planner uses its trigram index by itself.)
   */
  private async trigramMatches(keyword: string, within: TreePath | undefined, after: RoomCursor | undefined, limit: number): Promise<RoomRecord[] | undefined> {
    const seqs = await this.trigramCandidates(keyword);
    if (seqs === undefined) return undefined;
    if (seqs.length === 0) return [];
    // By rowid alone: with the tenant in the query SQLite would rather walk a tenant index.
    const rooms = (await this.db.selectFrom('rooms').selectAll().where('seq', 'in', seqs).execute()).filter((r) => r.tenant_key === this.tenantKey && r.name_key.includes(keyword));
    const levelIds = [...new Set(rooms.map((r) => r.room_level_id))];
    const levels = levelIds.length === 0 ? [] : await this.db.selectFrom('room_levels').select(['room_level_id', 'tree_path']).where('tenant_key', '=', this.tenantKey).where('room_level_id', 'in', levelIds).execute();
    const paths = new Map(levels.map((l) => [l.room_level_id, l.tree_path]));
    const cursor = after && { level_path: after.p, name_key: after.n, room_id: after.i };
    return rooms
      .map((r) => ({ ...r, level_path: paths.get(r.room_level_id) ?? '' }))
      .filter((r) => (within === undefined || isWithin(r.level_path, within)) && (cursor === undefined || roomOrder(r, cursor) > 0))
      .sort(roomOrder)
      .slice(0, limit);
  }

  /**
   * SQLite: rows (of any tenant) whose name may hold the keyword — at most CANDIDATES, a superset the
   * caller checks — or undefined when there would be more. The keyword goes in as a quoted phrase, which
   * takes every character literally (`"` doubled); the tokenizer cuts it into trigrams.
   */
  private async trigramCandidates(keyword: string): Promise<number[] | undefined> {
    if (this.dialect !== 'sqlite' || [...keyword].length < 3) return undefined;
    const phrase = `"${keyword.replace(/"/g, '""')}"`;
    const { rows } = await sql<{ seq: number }>`select rowid as seq from rooms_fts where rooms_fts match ${phrase} limit ${CANDIDATES + 1}`.execute(this.db);
    return rows.length > CANDIDATES ? undefined : rows.map((r) => r.seq);
  }

  async insert(row: NewRoom): Promise<void> {
    await this.db
      .insertInto('rooms')
      .values({ ...row, tenant_key: this.tenantKey })
      .execute();
  }

  async update(id: string, changes: RoomChanges, now: number): Promise<void> {
    await this.db
      .updateTable('rooms')
      .set({ ...changes, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('room_id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('rooms').where('tenant_key', '=', this.tenantKey).where('room_id', '=', id).execute();
  }
}
