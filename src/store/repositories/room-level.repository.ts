import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, RoomLevelTable } from '../schema.js';
import { subtreeRange, type TreePath } from '../../domain/room/tree.js';

export type LevelRow = Selectable<RoomLevelTable>;
export type LevelRecord = LevelRow & { has_child: boolean };
export type LevelChanges = Partial<Pick<LevelRow, 'name' | 'name_key' | 'custom_group_id'>>;
/** Keyset position in a list of child levels. */
export type LevelCursor = { n: string; i: string };

/** has_child: whether any level names this one as its parent (rooms do not count, room_level.md §2). */
const hasChild = (eb: ExpressionBuilder<Database & { l: RoomLevelTable }, 'l'>) =>
  eb
    .exists(eb.selectFrom('room_levels as c').select('c.room_level_id').whereRef('c.tenant_key', '=', 'l.tenant_key').whereRef('c.parent_id', '=', 'l.room_level_id'))
    .as('has_child');

/** SQLite answers EXISTS with 0/1, PostgreSQL with a boolean. */
const record = (r: LevelRow & { has_child: unknown }): LevelRecord => ({ ...r, has_child: Boolean(r.has_child) });

/** The room-level tree. Every query goes through `forTenant` and carries the tenant_key. */
export class RoomLevelRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  forTenant(tenantKey: string, db: Kysely<Database> = this.db): TenantRoomLevels {
    return new TenantRoomLevels(db, this.dialect, tenantKey);
  }

  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }
}

export class TenantRoomLevels {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    readonly tenantKey: string,
  ) {}

  private select() {
    return this.db.selectFrom('room_levels as l').selectAll('l').select(hasChild).where('l.tenant_key', '=', this.tenantKey);
  }

  async find(id: string): Promise<LevelRecord | undefined> {
    const row = await this.select().where('l.room_level_id', '=', id).executeTakeFirst();
    return row && record(row);
  }

  async findMany(ids: readonly string[]): Promise<LevelRecord[]> {
    if (ids.length === 0) return [];
    return (await this.select().where('l.room_level_id', 'in', ids).execute()).map(record);
  }

  /** Direct children of a level by name, after `after`. */
  async children(parentId: string, after: LevelCursor | undefined, limit: number): Promise<LevelRecord[]> {
    let q = this.select().where('l.parent_id', '=', parentId);
    if (after) q = q.where((eb) => eb(eb.refTuple('l.name_key', 'l.room_level_id'), '>', eb.tuple(after.n, after.i)));
    return (await q.orderBy('l.name_key').orderBy('l.room_level_id').limit(limit).execute()).map(record);
  }

  /** Up to `limit` direct children of a level whose lower-cased name is `key`, in list order. */
  async childrenNamed(parentId: string, key: string, limit: number): Promise<LevelRecord[]> {
    const rows = await this.select().where('l.parent_id', '=', parentId).where('l.name_key', '=', key).orderBy('l.room_level_id').limit(limit).execute();
    return rows.map(record);
  }

  async hasChildren(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('room_levels').select('room_level_id').where('tenant_key', '=', this.tenantKey).where('parent_id', '=', id).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async byCustomIds(customIds: readonly string[]): Promise<{ room_level_id: string; custom_group_id: string }[]> {
    if (customIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('room_levels')
      .select(['room_level_id', 'custom_group_id'])
      .where('tenant_key', '=', this.tenantKey)
      .where('custom_group_id', 'in', customIds)
      .execute();
    return rows.map((r) => ({ room_level_id: r.room_level_id, custom_group_id: r.custom_group_id ?? '' }));
  }

  /** The deepest depth in the subtree at `path`. */
  async deepestIn(path: TreePath): Promise<number> {
    const { lo, hi } = subtreeRange(path);
    const row = await this.db
      .selectFrom('room_levels')
      .select((eb) => eb.fn.max('depth').as('depth'))
      .where('tenant_key', '=', this.tenantKey)
      .where('tree_path', '>=', lo)
      .where('tree_path', '<', hi)
      .executeTakeFirst();
    return Number(row?.depth ?? 0);
  }

  async tenantName(): Promise<string | undefined> {
    return (await this.db.selectFrom('tenants').select('name').where('tenant_key', '=', this.tenantKey).executeTakeFirst())?.name;
  }

  async insert(row: Omit<LevelRow, 'tenant_key'>): Promise<void> {
    await this.db
      .insertInto('room_levels')
      .values({ ...row, tenant_key: this.tenantKey })
      .execute();
  }

  /** For the tenant root, which any process may create the first time it is needed. */
  async insertIfAbsent(row: Omit<LevelRow, 'tenant_key'>): Promise<void> {
    await this.db
      .insertInto('room_levels')
      .values({ ...row, tenant_key: this.tenantKey })
      .onConflict((oc) => oc.columns(['tenant_key', 'room_level_id']).doNothing())
      .execute();
  }

  /**
   * Serialises changes to the tenant's tree until the transaction ends, by locking the root row: two
   * moves checked against the same snapshot could otherwise build a cycle between them. (SQLite runs
   * one writer at a time already.)
   */
  async lockTree(rootId: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db.selectFrom('room_levels').select('room_level_id').where('tenant_key', '=', this.tenantKey).where('room_level_id', '=', rootId).forUpdate().execute();
  }

  async update(id: string, changes: LevelChanges, now: number): Promise<void> {
    await this.db
      .updateTable('room_levels')
      .set({ ...changes, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('room_level_id', '=', id)
      .execute();
  }

  /**
   * Moves the subtree at `from` (the level `id` and everything below it) to `to`: one UPDATE rewrites
   * the paths and depths by replacing the path prefix in place. Rooms name their level only and stay put.
   */
  async move(id: string, parentId: string, from: TreePath, to: TreePath, depthDelta: number, now: number): Promise<void> {
    const { lo, hi } = subtreeRange(from);
    await this.db
      .updateTable('room_levels')
      .set({ parent_id: parentId, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('room_level_id', '=', id)
      .execute();
    // substr counts from 1: the rest of each path after the old prefix
    await this.db
      .updateTable('room_levels')
      .set({ tree_path: sql`cast(${to} as text) || substr(tree_path, ${from.length + 1})`, depth: sql`depth + ${depthDelta}` })
      .where('tenant_key', '=', this.tenantKey)
      .where('tree_path', '>=', lo)
      .where('tree_path', '<', hi)
      .execute();
  }

  /** Deletes the subtree at `path` with every room in it; returns the IDs of the rooms deleted, in room order. */
  async deleteSubtree(path: TreePath): Promise<string[]> {
    const { lo, hi } = subtreeRange(path);
    const levels = this.db.selectFrom('room_levels').select('room_level_id').where('tenant_key', '=', this.tenantKey).where('tree_path', '>=', lo).where('tree_path', '<', hi);
    const rooms = await this.db
      .selectFrom('room_levels as l')
      .innerJoin('rooms as r', (j) => j.onRef('r.tenant_key', '=', 'l.tenant_key').onRef('r.room_level_id', '=', 'l.room_level_id'))
      .select('r.room_id')
      .where('l.tenant_key', '=', this.tenantKey)
      .where('l.tree_path', '>=', lo)
      .where('l.tree_path', '<', hi)
      .orderBy('l.tree_path')
      .orderBy('r.name_key')
      .orderBy('r.room_id')
      .execute();
    await this.db.deleteFrom('rooms').where('tenant_key', '=', this.tenantKey).where('room_level_id', 'in', levels).execute();
    await this.db.deleteFrom('room_levels').where('tenant_key', '=', this.tenantKey).where('tree_path', '>=', lo).where('tree_path', '<', hi).execute();
    return rooms.map((r) => r.room_id);
  }
}
