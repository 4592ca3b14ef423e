/**
 * What the scope_config API does (scope_config.md §3, §5.1). Values are checked and contacts resolved
 * before the transaction; the node is then found and written with the tenant's tree locked, so that it
 * cannot vanish or move meanwhile and a cover clears exactly the subtree it has. Bad input changes nothing.
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';
import { roomChanged } from './room-events.js';
import type { RoomDeps } from './room-level.service.js';
import { lockTree } from './levels.js';
import { statusColumns } from './room.service.js';
import { ROOM_CONFIG_SECTIONS, roomConfigChanges, type RoomConfigInput } from './room-config.js';
import { checkStatus, type CheckedStatus } from './room-status.js';
import { paramError } from './rules.js';
import { SCOPE_ROOM, resolve, type NodeSections, type ScopeType } from './scope-config.js';
import { chainSections, checkScopeType, findScope, saveSections, scopeLabel, type ScopeErrors, type ScopeNode } from './scopes.js';
import { storedStatusOf } from './views.js';

export interface ScopeConfigInput {
  scope_type: number;
  scope_id: string;
  scope_config?: RoomConfigInput;
}

/** A level or room with its own settings and those that apply to it. */
export interface ScopeConfigRead {
  /** the node itself, then each level above it up to the tenant root, each with its own sections */
  origins: NodeSections[];
  /** the node with the sections that apply to it */
  current: NodeSections;
}

/** scope_config.md §1.1: 121004 for an unknown scope, 121005 (HTTP 404) for an ID of the other type. */
const scopeErrors: ScopeErrors = {
  unknown: (type, id) => apiError('dataNotExist', `data not exist: scope_id ${id} names no ${scopeLabel(type)} of this tenant`),
  mismatch: (type, id) => apiError('roomNoPermission', `no permission: scope_id ${id} is not a ${scopeLabel(type)}; scope_type 1 takes a room level ID, 2 a room ID`),
};

/** Days an access code may stay valid: the legacy room_config access codes' values (scope_config.md §5.3). */
export const ACCESS_CODE_DAYS = [1, 7, 30];
const DAY_MS = 86_400_000;
/** Draws before giving up on a free access code (each collides with p = codes / 26^9). */
const DRAWS = 20;

/** Finds the node a request addresses, in the caller's transaction when given one. */
export type Locate = (trx?: Kysely<Database>) => Promise<ScopeNode>;

const locateScope = (deps: RoomDeps, tenantKey: string, type: ScopeType, id: string, now: number): Locate => (trx) => findScope(deps, tenantKey, type, id, scopeErrors, now, trx);

export async function setScopeConfig(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, input: ScopeConfigInput, now: number): Promise<void> {
  const type = checkScopeType(input.scope_type);
  await saveRoomConfig(deps, tenantKey, ids, type, locateScope(deps, tenantKey, type, input.scope_id, now), input.scope_config ?? {}, now);
}

/** Saves the sections of a room_config sent for the node `locate` finds, a node of type `type`. */
export async function saveRoomConfig(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, type: ScopeType, locate: Locate, config: RoomConfigInput, now: number): Promise<void> {
  const changes = roomConfigChanges(config);
  let status: CheckedStatus | null | undefined;
  if (config.room_status === null) {
    if (type === SCOPE_ROOM) throw paramError('room_status cannot be cleared on a room, which always has a status; send {"status": true} to enable it');
    status = null;
  } else if (config.room_status !== undefined) {
    status = await checkStatus(config.room_status, ids, now);
  }
  await deps.roomLevels.transaction(async (trx) => {
    await lockTree(deps.roomLevels.forTenant(tenantKey, trx), now);
    const node = await locate(trx);
    if (node.room && status) {
      // A room's status is the room's own (room.md): set it there, as room patch does, with its event.
      const rooms = deps.rooms.forTenant(tenantKey, trx);
      await rooms.update(node.room.room_id, statusColumns(status), now);
      await deps.outbox.append([roomChanged(tenantKey, 'updated', (await rooms.find(node.room.room_id))!, now)], trx);
    } else if (status !== undefined) {
      changes.push({ section: 'room_status', value: status ?? undefined, cover: false });
    }
    await saveSections(deps.scopeConfigs.forTenant(tenantKey, trx), node, changes, now);
  });
}

export async function getScopeConfig(deps: RoomDeps, tenantKey: string, scopeType: number, scopeId: string, now: number): Promise<ScopeConfigRead> {
  return readRoomConfig(deps, tenantKey, await locateScope(deps, tenantKey, checkScopeType(scopeType), scopeId, now)());
}

/** A node's room_config: its own sections and those of the levels above it, and what applies to it. */
export async function readRoomConfig(deps: RoomDeps, tenantKey: string, node: ScopeNode): Promise<ScopeConfigRead> {
  const origins = await chainSections(deps.scopeConfigs.forTenant(tenantKey), node, ROOM_CONFIG_SECTIONS);
  if (node.room) origins[0]!.own.room_status = storedStatusOf(node.room);
  return { origins, current: { scope_type: node.scope_type, scope_id: node.scope_id, own: resolve(origins) } };
}

/** Like the legacy API's `YNMLTJOUZ`: 9 capital letters. */
const randomCode = (): string => Array.from({ length: 9 }, () => String.fromCharCode(65 + randomInt(26))).join('');

/** A deployment code for a level or room, valid `valid_day` days; kept so that a device can redeem it. */
export async function createAccessCode(deps: RoomDeps, tenantKey: string, input: ScopeConfigInput & { valid_day: number }, now: number): Promise<string> {
  const type = checkScopeType(input.scope_type);
  return issueAccessCode(deps, tenantKey, locateScope(deps, tenantKey, type, input.scope_id, now), input.valid_day, now);
}

export async function issueAccessCode(deps: RoomDeps, tenantKey: string, locate: Locate, validDay: number, now: number): Promise<string> {
  if (!ACCESS_CODE_DAYS.includes(validDay)) throw paramError(`valid_day must be one of ${ACCESS_CODE_DAYS.join(', ')}`);
  return deps.roomLevels.transaction(async (trx) => {
    await lockTree(deps.roomLevels.forTenant(tenantKey, trx), now);
    const node = await locate(trx);
    const configs = deps.scopeConfigs.forTenant(tenantKey, trx);
    for (let i = 0; i < DRAWS; i++) {
      const code = randomCode();
      const row = { code, scope_type: node.scope_type, scope_id: node.scope_id, expires_at: now + validDay * DAY_MS, created_at: now };
      if (await configs.insertAccessCode(row)) return code;
    }
    throw new Error(`no free access code after ${DRAWS} draws`);
  });
}
