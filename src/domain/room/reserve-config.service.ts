/**
 * What the reserve_configs API does (scope_config.md §5.2), and the loaders booking code uses with
 * booking-rules.ts. Values are checked and people resolved before the transaction; the node is then found
 * and written with the tenant's tree locked, with vc.reserve_config.updated_v1 in the same transaction.
 */
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';
import type { TenantDirectory } from '../../store/repositories/directory.repository.js';
import { RESERVE_EVENT_SECTIONS, reserveConfigUpdated } from './room-events.js';
import type { BookingConfig, Booker } from './booking-rules.js';
import type { RoomDeps } from './room-level.service.js';
import { lockTree } from './levels.js';
import {
  APPROVAL,
  RESERVE_SCOPE,
  ROOT_DEPARTMENT,
  TIME,
  mapPeople,
  peopleOf,
  reserveConfigChanges,
  withDefaults,
  type ApprovalConfig,
  type ReserveConfigInput,
  type ReserveScopeConfig,
  type PeopleNames,
  type ReserveSection,
  type TimeConfig,
} from './reserve-config.js';
import { SCOPE_ROOM, chainOf, resolve, type SectionChange, type Sections } from './scope-config.js';
import { chainSections, checkScopeType, findScope, saveSections, scopeLabel, type ScopeErrors } from './scopes.js';

/** scope_config.md §5.2: an unknown scope and one of the other type are both 126001. */
const reserveErrors: ScopeErrors = {
  unknown: (type, id) => apiError('invalidScopeId', `invalid room or level id, check itself or whether the scope_type corresponds to it: ${id} names no ${scopeLabel(type)} of this tenant`),
  mismatch: (type, id) => apiError('invalidScopeId', `invalid room or level id, check itself or whether the scope_type corresponds to it: ${id} is not a ${scopeLabel(type)} (scope_type ${type})`),
};

/** Departments above a user's, at most this many steps (seeds refuse cycles; this bounds a broken store). */
const MAX_DEPARTMENT_DEPTH = 64;

/**
 * The people of checked sections as tenant IDs: users must be active users of the tenant (126013),
 * departments its departments by open_department_id, "0" being the whole tenant (126014). Every bad ID
 * is named.
 */
async function resolvePeople(ids: UserIdMapper, changes: readonly SectionChange[]): Promise<SectionChange[]> {
  const users = new Map<string, string>();
  const depts = new Map<string, string>([[ROOT_DEPARTMENT, ROOT_DEPARTMENT]]);
  const badUsers = new Set<string>();
  const badDepts = new Set<string>();
  for (const c of changes) {
    const named = peopleOf(c.section, c.value);
    for (const u of named.users) {
      if (users.has(u) || badUsers.has(u)) continue;
      const user = await ids.find(u);
      if (user?.status === 'active') users.set(u, user.user_id);
      else badUsers.add(u);
    }
    for (const d of named.depts) {
      if (depts.has(d) || badDepts.has(d)) continue;
      const dept = await ids.directory.departmentByOpenId(d);
      if (dept) depts.set(d, dept.department_id);
      else badDepts.add(d);
    }
  }
  if (badUsers.size > 0) throw apiError('invalidSubscriberUsers', `some userIDs you put is invalid: [${[...badUsers].join(' ')}] name no active user of this tenant (as ${ids.type})`);
  if (badDepts.size > 0) throw apiError('invalidSubscriberDepts', `some deptIDs you put is invalid: [${[...badDepts].join(' ')}] name no department of this tenant (open_department_id)`);
  return changes.map((c) => ({ ...c, value: mapPeople(c.section, c.value, (u) => users.get(u)!, (d) => depts.get(d)!) }));
}

/** The names to show beside the IDs of sections (reads and the updated event answer them; writes ignore them). */
export async function peopleNames(directory: TenantDirectory, tenantName: string, sections: Record<string, unknown>): Promise<PeopleNames> {
  const users = new Set<string>();
  const depts = new Set<string>();
  for (const [section, value] of Object.entries(sections)) {
    if (value === undefined) continue;
    const p = peopleOf(section, value);
    p.users.forEach((u) => users.add(u));
    p.depts.forEach((d) => depts.add(d));
  }
  const names: PeopleNames = { users: new Map(), depts: new Map() };
  for (const u of users) names.users.set(u, (await directory.userByUserId(u))?.name ?? '');
  for (const d of depts) names.depts.set(d, d === ROOT_DEPARTMENT ? tenantName : ((await directory.departmentById(d))?.name ?? ''));
  return names;
}

/** Replaces the node's own value of each section sent; see reserve-config.ts for the rules. */
export async function patchReserveConfig(deps: RoomDeps, tenantKey: string, ids: UserIdMapper, scopeType: number | string, scopeId: string, input: ReserveConfigInput, now: number): Promise<void> {
  const type = checkScopeType(scopeType);
  const changes = await resolvePeople(ids, reserveConfigChanges(input));
  const tenantName = await ids.directory.tenantName();
  await deps.roomLevels.transaction(async (trx) => {
    await lockTree(deps.roomLevels.forTenant(tenantKey, trx), now);
    const node = await findScope(deps, tenantKey, type, scopeId, reserveErrors, now, trx);
    const configs = deps.scopeConfigs.forTenant(tenantKey, trx);
    await saveSections(configs, node, changes, now);
    if (changes.some((c) => RESERVE_EVENT_SECTIONS.includes(c.section))) {
      const applied = withDefaults(resolve(await chainSections(configs, node, RESERVE_EVENT_SECTIONS)));
      await deps.outbox.append([reserveConfigUpdated(tenantKey, node, applied, await peopleNames(ids.directory.within(trx), tenantName, applied), now)], trx);
    }
  });
}

/** The sections that apply to a level or room: its own or inherited, defaults where no node sets one. */
export async function readReserveConfig(deps: RoomDeps, tenantKey: string, scopeType: number | string, scopeId: string, sections: readonly ReserveSection[], now: number): Promise<Sections> {
  const node = await findScope(deps, tenantKey, checkScopeType(scopeType), scopeId, reserveErrors, now);
  return withDefaults(resolve(await chainSections(deps.scopeConfigs.forTenant(tenantKey), node, sections)));
}

/** One section that applies to a level or room; the reserve form has no default (126002 when no node sets one). */
export async function readReserveSection(deps: RoomDeps, tenantKey: string, scopeType: number, scopeId: string, section: ReserveSection, now: number): Promise<unknown> {
  const value = (await readReserveConfig(deps, tenantKey, scopeType, scopeId, [section], now))[section];
  if (value === undefined) throw apiError('reserveFormNotConfigured', `reserve form is not configured: neither ${scopeId} nor any level above it sets a reserve form`);
  return value;
}

/**
 * The booking rules that apply to a room (undefined for an unknown room): one query for the room and
 * its level's path, one for the sections of the whole chain.
 */
export async function roomBookingConfig(deps: Pick<RoomDeps, 'rooms' | 'scopeConfigs'>, tenantKey: string, roomId: string): Promise<BookingConfig | undefined> {
  const room = await deps.rooms.forTenant(tenantKey).find(roomId);
  if (!room) return undefined;
  const chain = chainOf({ scope_type: SCOPE_ROOM, roomId, levelPath: room.level_path });
  const applied = withDefaults(resolve(await chainSections(deps.scopeConfigs.forTenant(tenantKey), { chain }, [APPROVAL, TIME, RESERVE_SCOPE])));
  return { approval: applied[APPROVAL] as ApprovalConfig, time: applied[TIME] as TimeConfig, scope: applied[RESERVE_SCOPE] as ReserveScopeConfig };
}

/** A user as booking rules see them: with their departments and every department above those. */
export async function bookerOf(directory: TenantDirectory, userId: string): Promise<Booker | undefined> {
  const found = await directory.userWithDepartments(userId);
  if (!found) return undefined;
  const seen = new Set<string>();
  let next = found.departments.map((d) => d.id);
  for (let depth = 0; next.length > 0 && depth < MAX_DEPARTMENT_DEPTH; depth++) {
    const parents: string[] = [];
    for (const id of next) {
      if (seen.has(id)) continue;
      seen.add(id);
      const parent = (await directory.departmentById(id))?.parent_department_id;
      if (parent && parent !== ROOT_DEPARTMENT) parents.push(parent);
    }
    next = parents;
  }
  return { userId, departmentIds: [...seen] };
}
