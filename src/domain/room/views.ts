/**
 * The one shape of a room level and of a room (room_level.md §2, room.md §2), shared by the API
 * responses and the event bodies (events.md `room_level`, `room_event`). They differ only in how a user
 * is written: an ID of the caller's user_id_type in responses, an ID triple in events, so the shape
 * takes that as a function.
 */
import type { LevelRecord } from '../../store/repositories/room-level.repository.js';
import type { RoomRecord } from '../../store/repositories/room.repository.js';
import { isDisabledAt, scheduleStatusAt, type CheckedStatus, type DisableWindow, type StatusInfo } from './room-status.js';
import { ancestorsOf, idsOf } from './tree.js';

export interface LevelView {
  room_level_id: string;
  name: string;
  parent_id: string;
  path: string[];
  has_child: boolean;
  custom_group_id?: string;
}

export interface RoomStatusView<U> {
  status: boolean;
  schedule_status: boolean;
  disable_start_time?: string;
  disable_end_time?: string;
  disable_reason?: string;
  contact_ids?: U[];
  disable_notice?: boolean;
  resume_notice?: boolean;
}

export interface RoomView<U> {
  room_id: string;
  name: string;
  capacity: number;
  description?: string;
  display_id: string;
  custom_room_id?: string;
  room_level_id: string;
  path: string[];
  room_status: RoomStatusView<U>;
  device: { name: string }[];
}

export function levelView(l: LevelRecord): LevelView {
  return {
    room_level_id: l.room_level_id,
    name: l.name,
    parent_id: l.parent_id,
    path: ancestorsOf(l.tree_path),
    has_child: l.has_child,
    custom_group_id: l.custom_group_id ?? '',
  };
}

export const windowOf = (r: Pick<RoomRecord, 'disable_start' | 'disable_end'>): DisableWindow | null =>
  r.disable_start === null ? null : { start: r.disable_start, end: r.disable_end };

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

/** A room's stored status in the shape levels store theirs (scope_config). */
export const storedStatusOf = (r: RoomRecord): CheckedStatus => ({ window: windowOf(r), info: JSON.parse(r.status_info) as StatusInfo });

/** room_status as of `now`: status and schedule_status are read off the disable window. */
export function statusView<U>({ window: w, info }: CheckedStatus, now: number, user: (userId: string) => U): RoomStatusView<U> {
  return {
    status: !isDisabledAt(w, now),
    schedule_status: scheduleStatusAt(w, now),
    // Every field is answered, as the SDK declares them: "" for no window, no reason; no contacts; no notices.
    disable_start_time: w ? seconds(w.start) : '',
    disable_end_time: w ? (w.end === null ? '0' : seconds(w.end)) : '',
    disable_reason: info.disable_reason ?? '',
    contact_ids: (info.contact_ids ?? []).map(user),
    disable_notice: info.disable_notice ?? false,
    resume_notice: info.resume_notice ?? false,
  };
}

/** A room's `path` is every level above it, root first, its own level included (room.md §2). */
export function roomView<U>(r: RoomRecord, now: number, user: (userId: string) => U): RoomView<U> {
  return {
    room_id: r.room_id,
    name: r.name,
    capacity: r.capacity,
    description: r.description ?? '',
    display_id: r.display_id,
    custom_room_id: r.custom_room_id ?? '',
    room_level_id: r.room_level_id,
    path: idsOf(r.level_path),
    room_status: statusView(storedStatusOf(r), now, user),
    device: JSON.parse(r.devices) as { name: string }[],
  };
}
