/**
 * What the room API does. User IDs (room_status.contact_ids) are resolved before the transaction (the
 * directory is read on its own connection); the room and its event are then written in one, with the
 * tenant's tree locked so that the level cannot vanish and custom IDs cannot be taken meanwhile.
 */
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';
import type { RoomChanges, RoomCursor, RoomFilter, RoomRecord, TenantRooms } from '../../store/repositories/room.repository.js';
import { roomChanged, roomDeleted } from './room-events.js';
import { newRoomId, randomDisplayId } from './ids.js';
import type { RoomDeps } from './room-level.service.js';
import { levelNamed, lockTree } from './levels.js';
import { checkStatus, type CheckedStatus, type RoomStatusInput } from './room-status.js';
import { checkBatch, checkCapacity, checkCustomId, checkDescription, checkDevices, checkName, nameKey, paramError } from './rules.js';

export interface RoomInput {
  name?: string;
  capacity?: number;
  description?: string;
  /** "": none */
  custom_room_id?: string;
  room_level_id?: string;
  /** replaces the whole status when sent */
  room_status?: RoomStatusInput;
  /** replaces the whole list when sent */
  device?: { name: string }[];
}

export interface RoomSearch {
  custom_room_ids?: string[];
  keyword?: string;
  room_level_id?: string;
  search_level_name?: boolean;
}

/** Draws before giving up on a free display ID (each draw collides with p = rooms / 9e8). */
const DRAWS = 20;

/** The checked columns an input sets; a new level is resolved in the transaction. */
async function changesOf(input: RoomInput, ids: UserIdMapper, now: number): Promise<RoomChanges> {
  const c: RoomChanges = {};
  if (input.name !== undefined) {
    c.name = checkName(input.name);
    c.name_key = nameKey(c.name);
  }
  if (input.capacity !== undefined) c.capacity = checkCapacity(input.capacity);
  if (input.description !== undefined) c.description = checkDescription(input.description);
  const customId = checkCustomId(input.custom_room_id, 'custom_room_id');
  if (customId !== undefined) c.custom_room_id = customId;
  if (input.device !== undefined) c.devices = JSON.stringify(checkDevices(input.device));
  if (input.room_status !== undefined) Object.assign(c, statusColumns(await checkStatus(input.room_status, ids, now)));
  return c;
}

/** A room's columns for a checked room_status (scope_config sets a room's status through them too). */
export const statusColumns = (s: CheckedStatus): Pick<RoomChanges, 'disable_start' | 'disable_end' | 'status_info'> => ({
  disable_start: s.window?.start ?? null,
  disable_end: s.window?.end ?? null,
  status_info: JSON.stringify(s.info),
});

async function checkCustomFree(rooms: TenantRooms, customId: string | null | undefined, self?: string): Promise<void> {
  if (!customId) return;
  const owner = await rooms.idOfCustom(customId);
  if (owner !== undefined && owner !== self) throw paramError(`custom_room_id "${customId}" is already used by room ${owner}`);
}

async function freeDisplayId(rooms: TenantRooms): Promise<string> {
  for (let i = 0; i < DRAWS; i++) {
    const id = randomDisplayId();
    if (!(await rooms.displayIdTaken(id))) return id;
  }
  throw new Error(`no free display ID after ${DRAWS} draws`);
}

const notFound = (id: string) => apiError('dataNotExist', `data not exist: room_id ${id} names no room of this tenant`);

export async function createRoom(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, input: RoomInput & { name: string; capacity: number; room_level_id: string }, now: number): Promise<RoomRecord> {
  const c = await changesOf(input, ids, now);
  return deps.roomLevels.transaction(async (trx) => {
    const levels = deps.roomLevels.forTenant(tenantKey, trx);
    const rooms = deps.rooms.forTenant(tenantKey, trx);
    await lockTree(levels, now);
    const level = await levelNamed(levels, input.room_level_id, 'room_level_id', now);
    await checkCustomFree(rooms, c.custom_room_id);
    const id = newRoomId();
    await rooms.insert({
      room_id: id,
      name: c.name!,
      name_key: c.name_key!,
      capacity: c.capacity!,
      description: c.description ?? null,
      display_id: await freeDisplayId(rooms),
      custom_room_id: c.custom_room_id ?? null,
      room_level_id: level.room_level_id,
      disable_start: c.disable_start ?? null,
      disable_end: c.disable_end ?? null,
      status_info: c.status_info ?? '{}',
      devices: c.devices ?? '[]',
      created_at: now,
      updated_at: now,
    });
    const created = (await rooms.find(id))!;
    await deps.outbox.append([roomChanged(tenantKey, 'created', created, now)], trx);
    return created;
  });
}

/** Changes only what was sent; a new `room_level_id` moves the room. */
export async function patchRoom(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, id: string, input: RoomInput, now: number): Promise<void> {
  const c = await changesOf(input, ids, now);
  await deps.roomLevels.transaction(async (trx) => {
    const levels = deps.roomLevels.forTenant(tenantKey, trx);
    const rooms = deps.rooms.forTenant(tenantKey, trx);
    await lockTree(levels, now);
    if (!(await rooms.find(id))) throw notFound(id);
    if (input.room_level_id !== undefined) {
      c.room_level_id = (await levelNamed(levels, input.room_level_id, 'room_level_id', now)).room_level_id;
    }
    await checkCustomFree(rooms, c.custom_room_id, id);
    await rooms.update(id, c, now);
    await deps.outbox.append([roomChanged(tenantKey, 'updated', (await rooms.find(id))!, now)], trx);
  });
}

export async function deleteRoom(deps: RoomDeps, tenantKey: string, id: string, now: number): Promise<void> {
  await deps.roomLevels.transaction(async (trx) => {
    const rooms = deps.rooms.forTenant(tenantKey, trx);
    await lockTree(deps.roomLevels.forTenant(tenantKey, trx), now);
    if (!(await rooms.find(id))) throw notFound(id);
    await rooms.delete(id);
    await deps.scopeConfigs.forTenant(tenantKey, trx).deleteOf(id);
    await deps.outbox.append([roomDeleted(tenantKey, id, now)], trx);
  });
}

export async function getRoom(deps: RoomDeps, tenantKey: string, id: string): Promise<RoomRecord> {
  const room = await deps.rooms.forTenant(tenantKey).find(id);
  if (!room) throw notFound(id);
  return room;
}

/** The rooms that exist among `ids`, in the order asked; unknown IDs are left out. */
export async function mgetRooms(deps: RoomDeps, tenantKey: string, ids: readonly string[]): Promise<RoomRecord[]> {
  const wanted = checkBatch(ids, 'room_ids');
  const found = new Map((await deps.rooms.forTenant(tenantKey).findMany(wanted)).map((r) => [r.room_id, r]));
  return wanted.flatMap((id) => found.get(id) ?? []);
}

/** Rooms of one level (not of its descendants), or of the whole tenant when none is named. */
export async function listRooms(deps: RoomDeps, tenantKey: string, levelId: string | undefined, after: RoomCursor | undefined, limit: number, now: number): Promise<RoomRecord[]> {
  const filter: RoomFilter = {};
  if (levelId) filter.level = (await levelNamed(deps.roomLevels.forTenant(tenantKey), levelId, 'room_level_id', now)).room_level_id;
  return deps.rooms.forTenant(tenantKey).page(filter, after, limit);
}

/**
 * Search (room.md §3.7): custom room IDs win and are answered whole, in the order asked; otherwise the
 * keyword matches room names case-insensitively anywhere, and with `search_level_name` also the names of
 * the levels above a room; `room_level_id` keeps to that level's subtree. `paged` says whether
 * `limit` and `after` applied.
 */
export async function searchRooms(deps: RoomDeps, tenantKey: string, s: RoomSearch, after: RoomCursor | undefined, limit: number, now: number): Promise<{ rooms: RoomRecord[]; paged: boolean }> {
  const rooms = deps.rooms.forTenant(tenantKey);
  if (s.custom_room_ids && s.custom_room_ids.length > 0) {
    const wanted = checkBatch(s.custom_room_ids, 'custom_room_ids');
    const found = new Map((await rooms.byCustomIds(wanted)).map((r) => [r.custom_room_id, r]));
    return { rooms: wanted.flatMap((c) => found.get(c) ?? []), paged: false };
  }
  const levels = deps.roomLevels.forTenant(tenantKey);
  const filter: RoomFilter = {};
  if (s.room_level_id) filter.within = (await levelNamed(levels, s.room_level_id, 'room_level_id', now)).tree_path;
  const keyword = nameKey(s.keyword?.trim() ?? '');
  if (keyword !== '') {
    filter.keyword = keyword;
    filter.orLevelNamed = s.search_level_name === true;
  }
  return { rooms: await rooms.page(filter, after, limit), paged: true };
}
