/**
 * The report queries' rules: which days a request covers, and the daily report built from the day rows.
 * Reports work in whole days (docs/decisions.md "Reports"): a range covers every day it touches, from
 * the day of `start_time` to the day of `end_time`, but never past today.
 */
import { apiError } from '../../contract/errors.js';
import { DAY_S, dayOf, dayStart } from './calendar.js';
import type { DayTotals } from './usage.js';

/** get_top_user `order_by` (report.md §3): ranked by meeting count or by meeting duration, descending. */
export const ORDER_BY = { meetingCount: 1, duration: 2 } as const;
export type OrderBy = (typeof ORDER_BY)[keyof typeof ORDER_BY];

/** Inclusive day numbers; `to < from` when the range lies wholly in the future. */
export interface DayRange {
  from: number;
  to: number;
}

const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);

function unixSeconds(name: string, value: string): number {
  if (!/^\d{1,12}$/.test(value)) throw paramError(`${name} must be a unix timestamp in seconds, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * The days `start_time`..`end_time` cover. Refused (121003): values that are not unix seconds, a start
 * after the end, and a start before the first day of the window — the day `windowDays` days before now,
 * so a client that computes "now minus 90 days" a moment before sending is never refused.
 */
export function dayRange(startTime: string, endTime: string, nowMs: number, windowDays: number): DayRange {
  const start = unixSeconds('start_time', startTime);
  const end = unixSeconds('end_time', endTime);
  if (start > end) throw paramError(`start_time (${start}) is after end_time (${end})`);
  const nowS = Math.floor(nowMs / 1000);
  const first = dayOf(nowS - windowDays * DAY_S);
  if (dayOf(start) < first) {
    throw paramError(`start_time (${start}) reaches back further than the ${windowDays} days reports cover: the earliest allowed is ${dayStart(first)}`);
  }
  return { from: dayOf(start), to: Math.min(dayOf(end), dayOf(nowS)) };
}

export interface DailyReport {
  totals: { meetingCount: number; durationS: number; participantCount: number };
  /** every day of the range, days without meetings included with zeros */
  days: { date: number; meetingCount: number; durationS: number; participantCount: number }[];
}

/** The daily report of a range from the day rows stored for it; totals are the sums of the days. */
export function dailyReport(range: DayRange, rows: readonly Pick<DayTotals, 'day' | 'meetingCount' | 'durationS' | 'participantCount'>[]): DailyReport {
  const byDate = new Map(rows.map((r) => [r.day, r]));
  const report: DailyReport = { totals: { meetingCount: 0, durationS: 0, participantCount: 0 }, days: [] };
  for (let day = range.from; day <= range.to; day++) {
    const date = dayStart(day);
    const r = byDate.get(date);
    const entry = { date, meetingCount: r?.meetingCount ?? 0, durationS: r?.durationS ?? 0, participantCount: r?.participantCount ?? 0 };
    report.days.push(entry);
    report.totals.meetingCount += entry.meetingCount;
    report.totals.durationS += entry.durationS;
    report.totals.participantCount += entry.participantCount;
  }
  return report;
}

/** Top users' durations are whole minutes (report.md §3), cut from the exact seconds. */
export function wholeMinutes(seconds: number): number {
  return Math.floor(seconds / 60);
}
