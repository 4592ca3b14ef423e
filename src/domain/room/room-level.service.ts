/**
 * What the room-level API does. Writes check the rules, then change the tree and append the event for it
 * in one transaction, with the tree locked: bad input leaves the store as it was.
 */
import { apiError } from '../../contract/errors.js';
import type { Repositories } from '../../store/repositories/index.js';
import type { LevelCursor, LevelRecord, TenantRoomLevels } from '../../store/repositories/room-level.repository.js';
import { levelChanged, levelDeleted, roomDeleted } from './room-events.js';
import { newLevelId, rootLevelId } from './ids.js';
import { isRoot, levelNamed, lockTree, rootOf } from './levels.js';
import { checkBatch, checkCustomId, checkName, nameKey, paramError, splitCustomIds } from './rules.js';
import { MAX_DEPTH, childPath, depthOf, moveProblem } from './tree.js';

export type RoomDeps = Pick<Repositories, 'roomLevels' | 'rooms' | 'outbox' | 'scopeConfigs'>;

export interface LevelInput {
  name: string;
  parent_id: string;
  /** omitted: unchanged (patch) or none (create); "": none */
  custom_group_id?: string;
}

const rootIsFixed = (what: string) => apiError('roomNoPermission', `no permission: the tenant root level cannot be ${what}`);

async function checkCustomFree(levels: TenantRoomLevels, customId: string, self?: string): Promise<void> {
  const owner = (await levels.byCustomIds([customId]))[0];
  if (owner && owner.room_level_id !== self) throw paramError(`custom_group_id "${customId}" is already used by room level ${owner.room_level_id}`);
}

export async function createLevel(deps: RoomDeps, tenantKey: string, input: LevelInput, now: number): Promise<LevelRecord> {
  const name = checkName(input.name);
  const customId = checkCustomId(input.custom_group_id, 'custom_group_id');
  return deps.roomLevels.transaction(async (trx) => {
    const levels = deps.roomLevels.forTenant(tenantKey, trx);
    await lockTree(levels, now);
    const parent = await levelNamed(levels, input.parent_id, 'parent_id', now);
    if (parent.depth + 1 > MAX_DEPTH) throw paramError(`levels nest at most ${MAX_DEPTH} deep below the tenant root`);
    if (customId) await checkCustomFree(levels, customId);
    const id = newLevelId();
    await levels.insert({
      room_level_id: id,
      name,
      name_key: nameKey(name),
      parent_id: parent.room_level_id,
      tree_path: childPath(parent.tree_path, id),
      depth: parent.depth + 1,
      custom_group_id: customId ?? null,
      created_at: now,
      updated_at: now,
    });
    const created = (await levels.find(id))!;
    await deps.outbox.append([levelChanged(tenantKey, 'created', created, now)], trx);
    return created;
  });
}

/** Renames a level and, when `parent_id` changed, moves it with its whole subtree and the rooms in it. */
export async function patchLevel(deps: RoomDeps, tenantKey: string, id: string, input: LevelInput, now: number): Promise<void> {
  const name = checkName(input.name);
  const customId = checkCustomId(input.custom_group_id, 'custom_group_id');
  await deps.roomLevels.transaction(async (trx) => {
    const levels = deps.roomLevels.forTenant(tenantKey, trx);
    await lockTree(levels, now);
    const level = await levelNamed(levels, id, 'room_level_id', now);
    if (isRoot(level)) throw rootIsFixed('changed');
    const parent = await levelNamed(levels, input.parent_id, 'parent_id', now);
    if (parent.room_level_id !== level.parent_id) {
      const height = (await levels.deepestIn(level.tree_path)) - level.depth;
      const problem = moveProblem(level.tree_path, parent.tree_path, height);
      if (problem === 'cycle') throw paramError(`parent_id ${input.parent_id} is the level itself or one of its descendants: a level cannot move below itself`);
      if (problem === 'too_deep') throw paramError(`the move would nest levels more than ${MAX_DEPTH} deep below the tenant root`);
      const to = childPath(parent.tree_path, level.room_level_id);
      await levels.move(level.room_level_id, parent.room_level_id, level.tree_path, to, depthOf(to) - level.depth, now);
    }
    if (customId) await checkCustomFree(levels, customId, level.room_level_id);
    await levels.update(level.room_level_id, { name, name_key: nameKey(name), ...(customId !== undefined ? { custom_group_id: customId } : {}) }, now);
    // One event for the level; its descendants' and rooms' new paths follow from its own (decisions.md).
    await deps.outbox.append([levelChanged(tenantKey, 'updated', (await levels.find(level.room_level_id))!, now)], trx);
  });
}

/**
 * Deletes a level. Without `delete_child` a level that still holds levels or rooms is refused (125001:
 * keeping children without their level is not supported); with it, the subtree and its rooms go too.
 */
export async function deleteLevel(deps: RoomDeps, tenantKey: string, id: string, deleteChild: boolean, now: number): Promise<void> {
  await deps.roomLevels.transaction(async (trx) => {
    const levels = deps.roomLevels.forTenant(tenantKey, trx);
    await lockTree(levels, now);
    const level = await levelNamed(levels, id, 'room_level_id', now);
    if (isRoot(level)) throw rootIsFixed('deleted');
    if (!deleteChild && (level.has_child || (await deps.rooms.forTenant(tenantKey, trx).anyIn(level.room_level_id)))) {
      throw apiError('cannotDeleteChild', 'cannot delete child at this level: the level still holds levels or rooms; delete them first or send delete_child: true');
    }
    // Their settings go with them (docs/decisions.md "Scope config"); found through the subtree, so first.
    await deps.scopeConfigs.forTenant(tenantKey, trx).deleteWithin(level.tree_path);
    const roomIds = await levels.deleteSubtree(level.tree_path);
    await deps.outbox.append([...roomIds.map((r) => roomDeleted(tenantKey, r, now)), levelDeleted(tenantKey, level.room_level_id, deleteChild, now)], trx);
  });
}

export async function getLevel(deps: RoomDeps, tenantKey: string, id: string, now: number): Promise<LevelRecord> {
  return levelNamed(deps.roomLevels.forTenant(tenantKey), id, 'room_level_id', now);
}

/** Child levels of a level (the root when none is named), `limit` rows after `after`. */
export async function listLevels(deps: RoomDeps, tenantKey: string, parentId: string | undefined, after: LevelCursor | undefined, limit: number, now: number): Promise<LevelRecord[]> {
  const levels = deps.roomLevels.forTenant(tenantKey);
  // The root's children name it by its derived ID, so listing them needs no root row.
  const parent = parentId ? (await levelNamed(levels, parentId, 'room_level_id', now)).room_level_id : rootLevelId(tenantKey);
  return levels.children(parent, after, limit);
}

/** The levels that exist among `ids`, in the order asked; unknown IDs are left out. */
export async function mgetLevels(deps: RoomDeps, tenantKey: string, ids: readonly string[], now: number): Promise<LevelRecord[]> {
  const wanted = checkBatch(ids, 'level_ids');
  const levels = deps.roomLevels.forTenant(tenantKey);
  if (wanted.includes(rootLevelId(tenantKey))) await rootOf(levels, now);
  const found = new Map((await levels.findMany(wanted)).map((l) => [l.room_level_id, l]));
  return wanted.flatMap((id) => found.get(id) ?? []);
}

/** IDs of the levels with the given custom IDs (comma-separated), in the order asked. */
export async function searchLevels(deps: RoomDeps, tenantKey: string, customLevelIds: string): Promise<string[]> {
  const wanted = checkBatch(splitCustomIds(customLevelIds), 'custom_level_ids');
  if (wanted.length === 0) throw paramError('custom_level_ids must name at least one custom level ID');
  const found = new Map((await deps.roomLevels.forTenant(tenantKey).byCustomIds(wanted)).map((l) => [l.custom_group_id, l.room_level_id]));
  return wanted.flatMap((c) => found.get(c) ?? []);
}
