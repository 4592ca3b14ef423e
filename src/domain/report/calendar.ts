/**
 * The report calendar: where days begin, and the spans of days the per-user rollups are kept in.
 *
 * Days begin at 00:00 in Asia/Shanghai (UTC+8, no daylight saving) for every tenant: openvc's tenants
 * carry no time zone, and China time is the most plausible one for a Feishu-compatible service, whose
 * docs name none (docs/decisions.md "Reports"). With a fixed offset every day is 86,400 s long, so days
 * are plain numbers: day 0 began on 1970-01-01 at 00:00 UTC+8.
 */

export const REPORT_UTC_OFFSET_S = 8 * 3600;
export const DAY_S = 86_400;

/** The day a unix time (seconds) falls on. */
export function dayOf(unixS: number): number {
  return Math.floor((unixS + REPORT_UTC_OFFSET_S) / DAY_S);
}

/** The unix time (seconds) a day begins at: the `date` of a daily report row. */
export function dayStart(day: number): number {
  return day * DAY_S - REPORT_UTC_OFFSET_S;
}

/**
 * Lengths in days of the spans per-user totals are kept for: powers of two up to 256. A span of n days
 * starts on a day divisible by n, so every span nests in the next longer one. Ranking users over a range
 * then reads a handful of spans per user instead of one row per user and day: at most one span of each
 * shorter length at either end of the range, and the 256-day spans between them (about 8 spans for a
 * year, 6 for 90 days). Each meeting's end writes one row per length for each ranked participant.
 */
export const SPAN_DAYS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
export type SpanDays = (typeof SPAN_DAYS)[number];

/** The first day of the span of `days` days that holds `day`. */
export function spanFirstDay(day: number, days: SpanDays): number {
  return Math.floor(day / days) * days;
}

/** A run of consecutive spans of one length: those starting on `firstDay`, `firstDay + days`, … `lastFirstDay`. */
export interface SpanRun {
  days: SpanDays;
  firstDay: number;
  lastFirstDay: number;
}

/**
 * The fewest spans that exactly cover the days `from`..`to` (inclusive), as runs per length: from each
 * day on, the longest span that starts there and ends within the range. Empty when `to < from`.
 */
export function coverDays(from: number, to: number): SpanRun[] {
  const runs: SpanRun[] = [];
  for (let day = from; day <= to; ) {
    const days = [...SPAN_DAYS].reverse().find((n) => day % n === 0 && day + n - 1 <= to) ?? 1;
    const run = runs.find((r) => r.days === days && r.lastFirstDay + days === day);
    if (run) run.lastFirstDay = day;
    else runs.push({ days, firstDay: day, lastFirstDay: day });
    day += days;
  }
  return runs;
}
