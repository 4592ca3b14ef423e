/**
 * Finding levels the way every room and level method names them: "0" (and the root's own ID) is the
 * tenant root, which is created the first time anything needs it; an unknown ID is 121004.
 */
import { apiError } from '../../contract/errors.js';
import type { LevelRecord, TenantRoomLevels } from '../../store/repositories/room-level.repository.js';
import { ROOT_ALIAS, rootLevelId } from './ids.js';
import { nameKey } from './rules.js';
import { rootPath } from './tree.js';

/** The tenant root: named after the tenant, no parent (`parent_id` ""), an empty `path`. */
export async function rootOf(levels: TenantRoomLevels, now: number): Promise<LevelRecord> {
  const id = rootLevelId(levels.tenantKey);
  const found = await levels.find(id);
  if (found) return found;
  const name = (await levels.tenantName()) ?? levels.tenantKey;
  await levels.insertIfAbsent({ room_level_id: id, name, name_key: nameKey(name), parent_id: '', tree_path: rootPath(id), depth: 0, custom_group_id: null, created_at: now, updated_at: now });
  return (await levels.find(id))!;
}

export const isRoot = (l: LevelRecord): boolean => l.parent_id === '';

/** The level an ID names ("0" and the root's ID: the tenant root), or undefined. */
export async function findLevel(levels: TenantRoomLevels, id: string, now: number): Promise<LevelRecord | undefined> {
  if (id === ROOT_ALIAS || id === rootLevelId(levels.tenantKey)) return rootOf(levels, now);
  return levels.find(id);
}

export async function levelNamed(levels: TenantRoomLevels, id: string, field: string, now: number): Promise<LevelRecord> {
  const level = await findLevel(levels, id, now);
  if (!level) throw apiError('dataNotExist', `data not exist: ${field} ${id} names no room level of this tenant`);
  return level;
}

/** Every change to a tenant's rooms or levels starts here, inside its transaction: the tree is locked until it ends. */
export async function lockTree(levels: TenantRoomLevels, now: number): Promise<LevelRecord> {
  const root = await rootOf(levels, now);
  await levels.lockTree(root.room_level_id);
  return root;
}
