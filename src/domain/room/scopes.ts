/**
 * The levels and rooms that scope_config and reserve_configs address by (scope_type, scope_id), and the
 * one way their own sections are read and written.
 */
import type { Kysely } from 'kysely';
import type { ApiError } from '../../contract/errors.js';
import type { Database } from '../../store/schema.js';
import type { RoomRecord } from '../../store/repositories/room.repository.js';
import type { TenantScopeConfigs } from '../../store/repositories/scope-config.repository.js';
import type { RoomDeps } from './room-level.service.js';
import { findLevel } from './levels.js';
import { paramError } from './rules.js';
import { SCOPE_LEVEL, SCOPE_ROOM, chainOf, coveredSections, withSections, type NodeSections, type ScopeRef, type ScopeType, type SectionChange } from './scope-config.js';
import type { TreePath } from './tree.js';

export interface ScopeNode extends ScopeRef {
  /** itself first, then each level above it up to the tenant root */
  chain: ScopeRef[];
  /** a level's own tree path (what `if_cover_child_scope` clears below); a room's level's */
  path: TreePath;
  /** the room, when the node is one */
  room?: RoomRecord;
}

/** How a method reports a scope it cannot find: scope_config and reserve_configs use different codes. */
export interface ScopeErrors {
  unknown: (type: ScopeType, id: string) => ApiError;
  /** the ID names a node of the other type */
  mismatch: (type: ScopeType, id: string) => ApiError;
}

/** scope_type: 1 level, 2 room (reserve_scope and the reserve_configs patch send it as a string). */
export function checkScopeType(value: number | string): ScopeType {
  if (value === SCOPE_LEVEL || value === String(SCOPE_LEVEL)) return SCOPE_LEVEL;
  if (value === SCOPE_ROOM || value === String(SCOPE_ROOM)) return SCOPE_ROOM;
  throw paramError(`scope_type must be 1 (room level) or 2 (room), not ${JSON.stringify(value)}`);
}

export const scopeLabel = (type: ScopeType): string => (type === SCOPE_LEVEL ? 'room level' : 'room');

/**
 * The node (scope_type, scope_id) names in the tenant, with its chain. "0" is the tenant root, as
 * everywhere a level ID goes. An ID of the other type is `errors.mismatch`; another tenant's IDs do
 * not exist here.
 */
export async function findScope(deps: RoomDeps, tenantKey: string, type: ScopeType, id: string, errors: ScopeErrors, now: number, trx?: Kysely<Database>): Promise<ScopeNode> {
  const levels = deps.roomLevels.forTenant(tenantKey, trx);
  const rooms = deps.rooms.forTenant(tenantKey, trx);
  if (type === SCOPE_LEVEL) {
    const level = await findLevel(levels, id, now);
    if (level) return { scope_type: SCOPE_LEVEL, scope_id: level.room_level_id, path: level.tree_path, chain: chainOf({ scope_type: SCOPE_LEVEL, path: level.tree_path }) };
    throw (await rooms.find(id)) ? errors.mismatch(type, id) : errors.unknown(type, id);
  }
  const room = await rooms.find(id);
  if (room) return { scope_type: SCOPE_ROOM, scope_id: room.room_id, path: room.level_path, room, chain: chainOf({ scope_type: SCOPE_ROOM, roomId: room.room_id, levelPath: room.level_path }) };
  throw (await findLevel(levels, id, now)) ? errors.mismatch(type, id) : errors.unknown(type, id);
}

/** The node's chain with the given sections each node sets itself: one query for the whole chain. */
export async function chainSections(configs: TenantScopeConfigs, node: Pick<ScopeNode, 'chain'>, sections: readonly string[]): Promise<NodeSections[]> {
  return withSections(
    node.chain,
    await configs.sectionsOf(
      node.chain.map((n) => n.scope_id),
      sections,
    ),
  );
}

/** Writes a node's own sections and clears the covered ones below it; runs in the caller's transaction. */
export async function saveSections(configs: TenantScopeConfigs, node: ScopeNode, changes: readonly SectionChange[], now: number): Promise<void> {
  for (const c of changes) {
    if (c.value === undefined) await configs.remove(node.scope_id, [c.section]);
    else await configs.put(node.scope_id, c.section, c.value, now);
  }
  await configs.clearBelow(node.path, coveredSections(node, changes));
}
