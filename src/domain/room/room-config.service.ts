/**
 * What the legacy room_config API does (scope_config.md §5.3): scope_config's reads and writes on the node
 * a legacy address names, so that both APIs read and write the same settings. Addresses are checked
 * before anything is read; the node is found in the write's transaction, with the tree locked.
 */
import type { UserIdMapper } from '../identity/user-ids.js';
import type { RoomDeps } from './room-level.service.js';
import { checkAddress, type LegacyAddress } from './legacy-scopes.js';
import { ROOM_CONFIG_SECTIONS, type RoomConfigInput } from './room-config.js';
import { paramError, splitCustomIds } from './rules.js';
import type { Sections } from './scope-config.js';
import { issueAccessCode, readRoomConfig, saveRoomConfig } from './scope-config.service.js';

/** What applies to the node: its own sections, and for the rest the nearest level's above it. */
export async function queryRoomConfig(deps: RoomDeps, tenantKey: string, address: LegacyAddress, now: number): Promise<Sections> {
  const node = await checkAddress(deps, tenantKey, address, now).locate();
  return (await readRoomConfig(deps, tenantKey, node)).current.own;
}

/** As scope_config set: sections sent replace the node's own, those left out keep it. */
export async function setRoomConfig(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, address: LegacyAddress & { room_config: RoomConfigInput }, now: number): Promise<void> {
  const { type, locate } = checkAddress(deps, tenantKey, address, now);
  await saveRoomConfig(deps, tenantKey, ids, type, locate, address.room_config, now);
}

/**
 * Clears the node's own value of the sections `config` names (comma-separated, as level search takes
 * custom IDs), so it inherits them again: what `null` does in a set.
 */
export async function deleteRoomConfig(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, address: LegacyAddress & { config: string }, now: number): Promise<void> {
  const names = [...new Set(splitCustomIds(address.config))];
  if (names.length === 0) throw paramError(`config must name a section: ${ROOM_CONFIG_SECTIONS.join(', ')}`);
  const unknown = names.find((n) => !(ROOM_CONFIG_SECTIONS as readonly string[]).includes(n));
  if (unknown !== undefined) throw paramError(`config ${JSON.stringify(unknown)} is not a section of room_config; one of ${ROOM_CONFIG_SECTIONS.join(', ')}`);
  const { type, locate } = checkAddress(deps, tenantKey, address, now);
  await saveRoomConfig(deps, tenantKey, ids, type, locate, Object.fromEntries(names.map((n) => [n, null])), now);
}

/** A deployment code for the Feishu Rooms devices or the check-in boards of a node (one kind of code for both). */
export async function createLegacyAccessCode(deps: RoomDeps, tenantKey: string, address: LegacyAddress & { valid_day: number }, now: number): Promise<string> {
  return issueAccessCode(deps, tenantKey, checkAddress(deps, tenantKey, address, now).locate, address.valid_day, now);
}
