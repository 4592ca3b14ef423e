/**
 * What one meeting adds to the reports, and how many meetings' additions merge into rollup rows. The
 * rules (docs/decisions.md "Reports"):
 *
 * - A meeting counts once it has ended, on the day it started, whole (a meeting past midnight is not
 *   split). One nobody joined never started and does not count; a meeting still going counts when it ends.
 * - Its duration is its end time minus its start time in whole seconds, as meeting.get shows them.
 * - Its participants are the distinct participants who joined it at least once: re-joins and a second
 *   device count once; external users, rooms and phones count too. Invitees who never joined do not.
 * - Top users are the tenant's own users (user_type 1) and rooms (user_type 2) among those participants;
 *   a user's duration is their own time in the meeting over all stints, in whole seconds.
 */
import { MEETING_STATUS, USER_TYPE, type Meeting } from '../meeting/meeting.js';
import { SPAN_DAYS, dayOf, dayStart, spanFirstDay, type SpanDays } from './calendar.js';

/** A user_type that can rank among top users. */
export type RankedUserType = typeof USER_TYPE.lark | typeof USER_TYPE.rooms;

export interface UserUsage {
  userType: RankedUserType;
  /** tenant user_id, or the room's id */
  userId: string;
  /** only for rooms, which are not in the directory */
  name: string | null;
  durationS: number;
}

export interface MeetingUsage {
  tenantKey: string;
  day: number;
  durationS: number;
  participants: number;
  users: UserUsage[];
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** What an ended meeting adds; undefined for a meeting that has not ended or never started. */
export function meetingUsage(m: Meeting): MeetingUsage | undefined {
  if (m.status !== MEETING_STATUS.ended || m.startedAt === null || m.endedAt === null) return undefined;
  const joined = m.participants.filter((p) => p.firstJoinAt !== null);
  const users: UserUsage[] = [];
  for (const p of joined) {
    const ranked = p.userType === USER_TYPE.lark || p.userType === USER_TYPE.rooms;
    if (!ranked || p.userId === null || p.tenantKey !== m.tenantKey) continue;
    users.push({ userType: p.userType as RankedUserType, userId: p.userId, name: p.userType === USER_TYPE.rooms ? p.name : null, durationS: seconds(p.inMeetingMs) });
  }
  return {
    tenantKey: m.tenantKey,
    day: dayOf(seconds(m.startedAt)),
    durationS: seconds(m.endedAt) - seconds(m.startedAt),
    participants: joined.length,
    users,
  };
}

/** One tenant's totals of one day; `day` is the unix time the day begins. */
export interface DayTotals {
  tenantKey: string;
  day: number;
  meetingCount: number;
  durationS: number;
  participantCount: number;
}

/** One user's totals over a span of days beginning at `firstDay` (unix seconds). */
export interface UserSpanTotals {
  tenantKey: string;
  spanDays: SpanDays;
  firstDay: number;
  userType: RankedUserType;
  userId: string;
  name: string | null;
  meetingCount: number;
  durationS: number;
}

/** Increments to add to the rollup tables, one per row. */
export interface Rollup {
  days: DayTotals[];
  userSpans: UserSpanTotals[];
}

/**
 * Merges usages into one increment per row, each list sorted by its key: concurrent writers then take
 * row locks in the same order (PostgreSQL), and no statement touches a row twice.
 */
export function rollup(usages: readonly MeetingUsage[]): Rollup {
  const days = new Map<string, DayTotals>();
  const userSpans = new Map<string, UserSpanTotals>();
  for (const u of usages) {
    const day = dayStart(u.day);
    const key = `${u.tenantKey}\u0000${day}`;
    const d = entry(days, key, () => ({ tenantKey: u.tenantKey, day, meetingCount: 0, durationS: 0, participantCount: 0 }));
    d.meetingCount++;
    d.durationS += u.durationS;
    d.participantCount += u.participants;
    for (const user of u.users) {
      for (const spanDays of SPAN_DAYS) {
        const firstDay = dayStart(spanFirstDay(u.day, spanDays));
        const k = `${u.tenantKey}\u0000${spanDays}\u0000${firstDay}\u0000${user.userType}\u0000${user.userId}`;
        const s = entry(userSpans, k, () => ({ tenantKey: u.tenantKey, spanDays, firstDay, userType: user.userType, userId: user.userId, name: null, meetingCount: 0, durationS: 0 }));
        s.meetingCount++;
        s.durationS += user.durationS;
        s.name = user.name ?? s.name;
      }
    }
  }
  return { days: [...days.values()].sort(byDayKey), userSpans: [...userSpans.values()].sort(bySpanKey) };
}

/** The map's value for `key`, created first when missing. */
function entry<T>(map: Map<string, T>, key: string, create: () => T): T {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const byDayKey = (a: DayTotals, b: DayTotals) => cmp(a.tenantKey, b.tenantKey) || a.day - b.day;
const bySpanKey = (a: UserSpanTotals, b: UserSpanTotals) =>
  cmp(a.tenantKey, b.tenantKey) || a.spanDays - b.spanDays || a.firstDay - b.firstDay || a.userType - b.userType || cmp(a.userId, b.userId);
