/**
 * Room and room-level events in the shapes of spec/events.md. As with meeting events, users in a stored
 * body are `{"$user": "<user_id>"}` (room_status.contact_ids), turned into each app's ID triple at
 * delivery by `renderEvent` (events/event-envelope.ts).
 */
import type { NewOutboxEvent } from '../../store/repositories/outbox.repository.js';
import type { LevelRecord } from '../../store/repositories/room-level.repository.js';
import type { RoomRecord } from '../../store/repositories/room.repository.js';
import { randomHex } from '../ids.js';
import { levelView, roomView } from './views.js';
import { APPROVAL, RESERVE_SCOPE, TIME, sectionView, type PeopleNames } from './reserve-config.js';
import type { ScopeRef, Sections } from './scope-config.js';
import type { StoredUser } from '../meeting/meeting-events.js';

function event(tenantKey: string, type: string, at: number, payload: object): NewOutboxEvent {
  return { eventId: randomHex(16), tenantKey, eventType: type, meetingId: null, at, payload };
}

const storedUser = (userId: string): StoredUser => ({ $user: userId });

/** vc.room.created_v1 / updated_v1: the whole room as it is after the change. */
export const roomChanged = (tenantKey: string, kind: 'created' | 'updated', room: RoomRecord, at: number): NewOutboxEvent =>
  event(tenantKey, `vc.room.${kind}_v1`, at, { room: roomView(room, at, storedUser) });

/** vc.room.deleted_v1 carries the room ID only. */
export const roomDeleted = (tenantKey: string, roomId: string, at: number): NewOutboxEvent => event(tenantKey, 'vc.room.deleted_v1', at, { room: { room_id: roomId } });

/** vc.room_level.created_v1 / updated_v1: the level as it is after the change. */
export const levelChanged = (tenantKey: string, kind: 'created' | 'updated', level: LevelRecord, at: number): NewOutboxEvent =>
  event(tenantKey, `vc.room_level.${kind}_v1`, at, { room_level: levelView(level) });

/** vc.room_level.deleted_v1: one event for the level, `delete_child` saying whether its subtree went with it. */
export const levelDeleted = (tenantKey: string, levelId: string, deleteChild: boolean, at: number): NewOutboxEvent =>
  event(tenantKey, 'vc.room_level.deleted_v1', at, { room_level_id: levelId, delete_child: deleteChild });

/** The sections vc.reserve_config.updated_v1 carries: a change to any of them writes one. */
export const RESERVE_EVENT_SECTIONS = [APPROVAL, TIME, RESERVE_SCOPE];

/**
 * vc.reserve_config.updated_v1: the booking rules that apply to the node after the change (its own or
 * inherited, defaults filled in), in the SDK's event shape: the approval section named approve_config,
 * users as ID triples, no if_cover_child_scope in the reserve scope.
 */
export function reserveConfigUpdated(tenantKey: string, node: ScopeRef, applied: Sections, names: PeopleNames, at: number): NewOutboxEvent {
  const view = (section: string) => sectionView(tenantKey, section, applied[section], storedUser, names);
  const { if_cover_child_scope: _cover, ...reserveScope } = view(RESERVE_SCOPE);
  return event(tenantKey, 'vc.reserve_config.updated_v1', at, {
    scope_id: node.scope_id,
    scope_type: node.scope_type,
    approve_config: view(APPROVAL),
    time_config: view(TIME),
    reserve_scope_config: reserveScope,
  });
}
