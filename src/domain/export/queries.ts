/**
 * What an export or a meeting-data query asks for (export.md §2–4, §10), checked and normalised. The
 * exports and their JSON twins take the same parameters and obey the same limits, but answer a bad one
 * with different codes (121003 for exports, 126xxx for the twins), so checks name a problem and the
 * caller's `fail` turns it into that surface's error.
 */

export type QueryProblem =
  /** a time that is not unix seconds */
  | 'time'
  /** the window starts in the future (past and ongoing meetings only) */
  | 'start_in_future'
  /** the window ends before it starts, or is longer than allowed */
  | 'range'
  /** the window of future meetings is longer than a month */
  | 'future_range'
  | 'meeting_no_invalid'
  | 'meeting_no_length'
  /** meeting_list: more than one of meeting_no, user_id, room_id, meeting_type */
  | 'several_filters'
  /** participant and quality lists: user_id and room_id together */
  | 'user_and_room'
  /** quality list: neither user_id nor room_id */
  | 'no_participant'
  | 'status'
  | 'meeting_type'
  /** a room_id (room_ids) names no room of the tenant */
  | 'room'
  /** a room_level_id names no room level of the tenant */
  | 'level'
  /** room_ids names a room outside room_level_id, or too many rooms */
  | 'room_ids'
  /** no meeting matches the number, window and status */
  | 'no_meeting'
  /** quality data exists only for ended meetings */
  | 'meeting_not_ended'
  /** no participant of the meeting matches the user (or room) and join time */
  | 'no_device'
  /** a user token asked about a meeting they did not take part in */
  | 'not_visible';

export type Fail = (problem: QueryProblem, message: string) => never;

export const MEETING_STATUS_FILTER = { ongoing: 1, past: 2, future: 3 } as const;
export type MeetingStatusFilter = 1 | 2 | 3;

export interface Window {
  /** unix ms, both inclusive */
  from: number;
  to: number;
}

export interface MeetingListQuery {
  window: Window;
  status: MeetingStatusFilter;
  meetingNo?: string;
  /** tenant user_id once resolved (the request's ID until then) */
  userId?: string;
  /** a room that took part (its existence is checked when the rows are opened) */
  roomId?: string;
  meetingType: 1 | 2 | 3;
  includeExternal: boolean;
}

export interface ParticipantListQuery {
  window: Window;
  status: MeetingStatusFilter;
  meetingNo: string;
  userId?: string;
  roomId?: string;
}

/** Exactly one of `userId` (a tenant user_id once resolved) and `roomId` names the participant. */
export interface QualityListQuery {
  window: Window;
  meetingNo: string;
  /** unix ms of the participant's join */
  joinTime: number;
  userId?: string;
  roomId?: string;
}

export interface ReservationListQuery {
  window: Window;
  /** `omb_…`; anything else names the tenant root */
  levelId: string;
  needTopic: boolean;
  /** the rooms to list (`exclude` false) or to leave out (`exclude` true); distinct */
  roomIds: string[];
  exclude: boolean;
}

const DAY = 86_400_000;
/**
 * Longest windows (export.md §10.5): a year of meetings, a month of future ones, a day for one meeting
 * and a day of room reservations; at most 100 rooms named in room_ids.
 */
export const LIMITS = { meetingList: 365 * DAY, future: 31 * DAY, oneMeeting: DAY, reservations: DAY, roomIds: 100 } as const;

function seconds(field: string, value: string, fail: Fail): number {
  if (!/^\d{1,11}$/.test(value)) fail('time', `${field} must be unix seconds as a string of digits, not "${value}"`);
  return Number(value) * 1000;
}

/** A window of whole seconds: its end second counts whole (a meeting that started at 10:00:00.400 is in [.., 10:00:00]). */
function window(from: [string, string], to: [string, string], limit: number, problem: 'range' | 'future_range', now: number | undefined, fail: Fail): Window {
  const start = seconds(from[0], from[1], fail);
  const end = seconds(to[0], to[1], fail);
  if (now !== undefined && start > now) fail('start_in_future', `${from[0]} lies in the future`);
  if (end < start) fail(problem, `${to[0]} is before ${from[0]}`);
  if (end - start > limit) fail(problem, `the time range from ${from[0]} to ${to[0]} may span at most ${limit / DAY} day(s)`);
  return { from: start, to: end + 999 };
}

function meetingNo(value: string, fail: Fail): string {
  if (!/^\d+$/.test(value)) fail('meeting_no_invalid', `meeting_no must be 9 digits, not "${value}"`);
  if (value.length !== 9) fail('meeting_no_length', `meeting_no must be 9 digits long, "${value}" has ${value.length}`);
  return value;
}

function status(value: number | undefined, allowFuture: boolean, fail: Fail): MeetingStatusFilter {
  const s = value ?? MEETING_STATUS_FILTER.past;
  const allowed = allowFuture ? [1, 2, 3] : [1, 2];
  if (!allowed.includes(s)) fail('status', `meeting_status must be one of ${allowed.join(', ')}, not ${s}`);
  return s as MeetingStatusFilter;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== '';

export interface MeetingListInput {
  start_time: string;
  end_time: string;
  meeting_status?: number;
  meeting_no?: string;
  user_id?: string;
  room_id?: string;
  meeting_type?: number;
  include_external_meetings?: boolean;
}

/** `allowFuture`: the export lists future meetings (status 3); the query twin does not (export.md §10.1). */
export function meetingListQuery(input: MeetingListInput, now: number, allowFuture: boolean, fail: Fail): MeetingListQuery {
  const st = status(input.meeting_status, allowFuture, fail);
  const future = st === MEETING_STATUS_FILTER.future;
  const w = window(['start_time', input.start_time], ['end_time', input.end_time], future ? LIMITS.future : LIMITS.meetingList, future ? 'future_range' : 'range', future ? undefined : now, fail);
  const type = input.meeting_type ?? 1;
  if (type !== 1 && type !== 2 && type !== 3) fail('meeting_type', `meeting_type must be 1, 2 or 3, not ${type}`);
  // meeting_type 1 ("all types") is the absence of a type filter.
  const filters = [given(input.meeting_no) && 'meeting_no', given(input.user_id) && 'user_id', given(input.room_id) && 'room_id', type !== 1 && 'meeting_type'].filter(Boolean);
  if (filters.length > 1) fail('several_filters', `set at most one filter; got ${filters.join(', ')}`);
  return {
    window: w,
    status: st,
    ...(given(input.meeting_no) ? { meetingNo: meetingNo(input.meeting_no, fail) } : {}),
    ...(given(input.user_id) ? { userId: input.user_id } : {}),
    ...(given(input.room_id) ? { roomId: input.room_id } : {}),
    meetingType: type as 1 | 2 | 3,
    includeExternal: input.include_external_meetings === true,
  };
}

export interface ParticipantListInput {
  meeting_start_time: string;
  meeting_end_time: string;
  meeting_status?: number;
  meeting_no: string;
  user_id?: string;
  room_id?: string;
}

export function participantListQuery(input: ParticipantListInput, now: number, fail: Fail): ParticipantListQuery {
  const st = status(input.meeting_status, true, fail);
  const w = window(['meeting_start_time', input.meeting_start_time], ['meeting_end_time', input.meeting_end_time], LIMITS.oneMeeting, 'range', st === MEETING_STATUS_FILTER.future ? undefined : now, fail);
  const no = meetingNo(input.meeting_no, fail);
  if (given(input.user_id) && given(input.room_id)) fail('user_and_room', 'user_id and room_id cannot be set together');
  return { window: w, status: st, meetingNo: no, ...(given(input.user_id) ? { userId: input.user_id } : {}), ...(given(input.room_id) ? { roomId: input.room_id } : {}) };
}

export interface QualityListInput {
  meeting_start_time: string;
  meeting_end_time: string;
  meeting_no: string;
  join_time: string;
  user_id?: string;
  room_id?: string;
}

export function qualityListQuery(input: QualityListInput, now: number, fail: Fail): QualityListQuery {
  const w = window(['meeting_start_time', input.meeting_start_time], ['meeting_end_time', input.meeting_end_time], LIMITS.oneMeeting, 'range', now, fail);
  const no = meetingNo(input.meeting_no, fail);
  const joinTime = seconds('join_time', input.join_time, fail);
  if (given(input.user_id) && given(input.room_id)) fail('user_and_room', 'set exactly one of user_id and room_id, not both');
  const who = given(input.user_id) ? { userId: input.user_id } : given(input.room_id) ? { roomId: input.room_id } : fail('no_participant', 'set exactly one of user_id and room_id: whose quality data to export');
  // "accurate to the minute" (export.md §4): a start given to the second matches its whole minute.
  return { window: { from: Math.floor(w.from / 60_000) * 60_000, to: w.to }, meetingNo: no, joinTime, ...who };
}

export interface ReservationListInput {
  room_level_id: string;
  need_topic?: boolean;
  start_time: string;
  end_time: string;
  room_ids?: string[];
  is_exclude?: boolean;
}

/** The window is checked here; the level and the rooms when the rows are opened (they need the store). */
export function reservationListQuery(input: ReservationListInput, now: number, fail: Fail): ReservationListQuery {
  const w = window(['start_time', input.start_time], ['end_time', input.end_time], LIMITS.reservations, 'range', now, fail);
  const roomIds = [...new Set((input.room_ids ?? []).filter(given))];
  if (roomIds.length > LIMITS.roomIds) fail('room_ids', `room_ids may name at most ${LIMITS.roomIds} rooms, not ${roomIds.length}`);
  return { window: w, levelId: input.room_level_id, needTopic: input.need_topic === true, roomIds, exclude: input.is_exclude === true };
}
