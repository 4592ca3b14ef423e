/**
 * A room's enable/disable state (room.md §2 `room_status`). What is stored is a disable window: from
 * `start` until `end` (unix ms; no end = disabled for good), or none. Both `status` (enabled now) and
 * `schedule_status` (the state it is heading for) are read off the window at a given time, so the room
 * re-enables itself when the window closes without anything having to run.
 */
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';

export interface DisableWindow {
  start: number;
  /** null: disabled permanently (`disable_end_time` "0") */
  end: number | null;
}

/** The parts of room_status that are kept as they were sent; contacts as tenant user_ids. */
export interface StatusInfo {
  disable_reason?: string;
  contact_ids?: string[];
  disable_notice?: boolean;
  resume_notice?: boolean;
}

/** A checked room_status: its window and the parts kept as sent (rooms and levels store the same). */
export interface CheckedStatus {
  window: DisableWindow | null;
  info: StatusInfo;
}

/** room_status as a client sends it (schedule_status is output only and ignored, room.md §2). */
export interface RoomStatusInput {
  status: boolean;
  schedule_status?: boolean;
  disable_start_time?: string;
  disable_end_time?: string;
  disable_reason?: string;
  contact_ids?: string[];
  disable_notice?: boolean;
  resume_notice?: boolean;
}

export const MAX_REASON_LENGTH = 1000;
export const MAX_CONTACTS = 100;

const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);

export function isDisabledAt(w: DisableWindow | null, t: number): boolean {
  return w !== null && w.start <= t && (w.end === null || t < w.end);
}

/** The state the room is heading for: what it will be once the present window closes or the next one opens. */
export function scheduleStatusAt(w: DisableWindow | null, t: number): boolean {
  if (w === null) return true;
  if (isDisabledAt(w, t)) return w.end !== null;
  return w.start <= t;
}

function seconds(value: string, field: string): number {
  if (!/^\d{1,11}$/.test(value)) throw paramError(`room_status.${field} must be unix seconds as a string, e.g. "1652356050"`);
  return Number(value) * 1000;
}

/**
 * The window a room_status asks for, checked against the present:
 * - `status: false` disables the room: from `disable_start_time` (default: now) until
 *   `disable_end_time` (default or "0": for good); the window must include the present or lie wholly in
 *   the future (a scheduled disable, as Feishu accepts it), not have closed already.
 * - `status: true` keeps it enabled: no window, or one that does not include the present (a future one
 *   schedules a disable; a past one is kept as history, as Feishu's own example does).
 */
export function disableWindow(input: RoomStatusInput, now: number): DisableWindow | null {
  // An empty string is no time at all, as Feishu reads it (its clients send "" for the unused fields).
  const start = !input.disable_start_time ? undefined : seconds(input.disable_start_time, 'disable_start_time');
  const endMs = !input.disable_end_time ? undefined : seconds(input.disable_end_time, 'disable_end_time');
  const end = endMs === undefined || endMs === 0 ? null : endMs;
  if (start === undefined && !input.status) {
    return checked({ start: Math.floor(now / 1000) * 1000, end }, input.status, now);
  }
  if (start === undefined) {
    if (end !== null) throw paramError('room_status.disable_end_time needs a disable_start_time');
    return null;
  }
  return checked({ start, end }, input.status, now);
}

function checked(w: DisableWindow, status: boolean, now: number): DisableWindow {
  if (w.end !== null && w.end <= w.start) throw paramError('room_status.disable_end_time must be later than disable_start_time ("0" disables for good)');
  const disabledNow = isDisabledAt(w, now);
  if (!status && !disabledNow && w.start <= now) {
    throw paramError('room_status.status is false, but the disable window has already closed');
  }
  if (status && disabledNow) throw paramError('room_status.status is true, but the disable window includes the present');
  return w;
}

/** The kept parts of a room_status; `contactUserIds` are the contacts already resolved to tenant user_ids. */
export function statusInfo(input: RoomStatusInput, contactUserIds: string[] | undefined): StatusInfo {
  if (input.disable_reason !== undefined && input.disable_reason.length > MAX_REASON_LENGTH) {
    throw paramError(`room_status.disable_reason must be at most ${MAX_REASON_LENGTH} characters`);
  }
  const info: StatusInfo = {};
  if (input.disable_reason !== undefined) info.disable_reason = input.disable_reason;
  if (contactUserIds !== undefined) info.contact_ids = [...new Set(contactUserIds)];
  if (input.disable_notice !== undefined) info.disable_notice = input.disable_notice;
  if (input.resume_notice !== undefined) info.resume_notice = input.resume_notice;
  return info;
}

export function checkContactCount(ids: readonly string[] | undefined): void {
  if (ids && ids.length > MAX_CONTACTS) throw paramError(`room_status.contact_ids holds at most ${MAX_CONTACTS} users`);
}

/** Checks a room_status as sent and resolves its contacts (in the caller's user_id_type) to tenant user_ids. */
export async function checkStatus(input: RoomStatusInput, ids: UserIdMapper, now: number): Promise<CheckedStatus> {
  const window = disableWindow(input, now);
  checkContactCount(input.contact_ids);
  const contacts = input.contact_ids === undefined ? undefined : (await ids.resolveMany(input.contact_ids)).map((u) => u.user_id);
  return { window, info: statusInfo(input, contacts) };
}
