/**
 * The legacy room_config API's addresses (scope_config.md §5.3) on the flexible level tree. That API knew
 * a fixed hierarchy — tenant, country/region, city, building, floor, room — and named a node by `scope`
 * plus the IDs of the fixed levels. openvc has one tree of levels of any depth, so each legacy scope maps
 * onto a level or a room of it (docs/decisions.md "Legacy room_config"):
 *
 * | scope | fields | node |
 * |---|---|---|
 * | 1 tenant | — | the tenant root |
 * | 2 country/region | country_id | the level country_id |
 * | 3 city | country_id, district_id | the level district_id, which lies below country_id |
 * | 4 building | building_id | the level building_id |
 * | 5 floor | building_id, floor_name | the child level of building_id with that name (any case) |
 * | 6 room | room_id | the room |
 *
 * Fields a scope does not use are ignored, as the legacy API documents them per scope.
 */
import type { Kysely } from 'kysely';
import { apiError } from '../../contract/errors.js';
import type { Database } from '../../store/schema.js';
import type { RoomDeps } from './room-level.service.js';
import { ROOT_ALIAS } from './ids.js';
import { nameKey, paramError } from './rules.js';
import { SCOPE_LEVEL, SCOPE_ROOM, chainOf, type ScopeType } from './scope-config.js';
import { findScope, type ScopeErrors, type ScopeNode } from './scopes.js';
import { isWithin } from './tree.js';

export interface LegacyAddress {
  scope: number;
  country_id?: string;
  district_id?: string;
  building_id?: string;
  floor_name?: string;
  room_id?: string;
}

type Field = 'country_id' | 'district_id' | 'building_id' | 'floor_name' | 'room_id';

/** Per legacy scope: its name and the fields that address it, the one naming the node last. */
export const LEGACY_SCOPES: Readonly<Record<number, { name: string; fields: readonly Field[] }>> = {
  1: { name: 'tenant', fields: [] },
  2: { name: 'country/region', fields: ['country_id'] },
  3: { name: 'city', fields: ['country_id', 'district_id'] },
  4: { name: 'building', fields: ['building_id'] },
  5: { name: 'floor', fields: ['building_id', 'floor_name'] },
  6: { name: 'room', fields: ['room_id'] },
};
export const LEGACY_ROOM_SCOPE = 6;

/** A checked address: the node's scope_type, and how to find it. */
export interface CheckedAddress {
  type: ScopeType;
  /** finds the node, in the caller's transaction when given one */
  locate: (trx?: Kysely<Database>) => Promise<ScopeNode>;
}

const label = (type: ScopeType) => (type === SCOPE_LEVEL ? 'room level' : 'room');

/** 121004 / 121005 as scope_config answers them, naming the legacy field that was sent. */
const errorsFor = (field: string): ScopeErrors => ({
  unknown: (type, id) => apiError('dataNotExist', `data not exist: ${field} ${id} names no ${label(type)} of this tenant`),
  mismatch: (type, id) => apiError('roomNoPermission', `no permission: ${field} ${id} is not a ${label(type)}`),
});

/** Checks that the scope is known and that the fields it needs are there (121003 otherwise), before anything is read. */
export function checkAddress(deps: RoomDeps, tenantKey: string, a: LegacyAddress, now: number): CheckedAddress {
  const scope = LEGACY_SCOPES[a.scope];
  if (!scope) throw paramError(`scope must be 1 (tenant), 2 (country/region), 3 (city), 4 (building), 5 (floor) or 6 (room), not ${a.scope}`);
  for (const f of scope.fields) if (!a[f]) throw paramError(`${f} is required for scope ${a.scope} (${scope.name})`);
  const level = (field: Field, trx?: Kysely<Database>) => findScope(deps, tenantKey, SCOPE_LEVEL, a[field]!, errorsFor(field), now, trx);
  switch (a.scope) {
    case 1:
      return { type: SCOPE_LEVEL, locate: (trx) => findScope(deps, tenantKey, SCOPE_LEVEL, ROOT_ALIAS, errorsFor('scope'), now, trx) };
    case 2:
      return { type: SCOPE_LEVEL, locate: (trx) => level('country_id', trx) };
    case 3:
      return {
        type: SCOPE_LEVEL,
        locate: async (trx) => {
          const country = await level('country_id', trx);
          const district = await level('district_id', trx);
          if (district.scope_id === country.scope_id || !isWithin(district.path, country.path)) {
            throw apiError('dataNotExist', `data not exist: district_id ${district.scope_id} is not below country_id ${country.scope_id}`);
          }
          return district;
        },
      };
    case 4:
      return { type: SCOPE_LEVEL, locate: (trx) => level('building_id', trx) };
    case 5:
      return { type: SCOPE_LEVEL, locate: async (trx) => floorOf(deps, tenantKey, await level('building_id', trx), a.floor_name!, trx) };
    default:
      return { type: SCOPE_ROOM, locate: (trx) => findScope(deps, tenantKey, SCOPE_ROOM, a.room_id!, errorsFor('room_id'), now, trx) };
  }
}

/** The child level of a building named `floorName`; two such children make the address ambiguous (121003). */
async function floorOf(deps: RoomDeps, tenantKey: string, building: ScopeNode, floorName: string, trx?: Kysely<Database>): Promise<ScopeNode> {
  const floors = await deps.roomLevels.forTenant(tenantKey, trx).childrenNamed(building.scope_id, nameKey(floorName), 2);
  if (floors.length === 0) throw apiError('dataNotExist', `data not exist: building_id ${building.scope_id} has no floor named ${JSON.stringify(floorName)}`);
  if (floors.length > 1) throw paramError(`floor_name ${JSON.stringify(floorName)} names several levels in building_id ${building.scope_id}; rename one, or address it by its ID with scope 4`);
  const floor = floors[0]!;
  return { scope_type: SCOPE_LEVEL, scope_id: floor.room_level_id, path: floor.tree_path, chain: chainOf({ scope_type: SCOPE_LEVEL, path: floor.tree_path }) };
}
