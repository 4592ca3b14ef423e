import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import { MEETING_STATUS, call, createMeeting, end, invite, join, leave, userKey, type Meeting } from '../src/domain/meeting/meeting.js';
import { DAY_S, SPAN_DAYS, coverDays, dayOf, dayStart } from '../src/domain/report/calendar.js';
import { dailyReport, dayRange, wholeMinutes } from '../src/domain/report/report.js';
import { meetingUsage, rollup, type MeetingUsage } from '../src/domain/report/usage.js';

/** Unix ms of a wall-clock time in UTC+8, the report time zone. */
const cst = (iso: string) => Date.parse(`${iso}+08:00`);
const sec = (ms: number) => ms / 1000;
const MAY6 = dayOf(sec(cst('2024-05-06T00:00:00')));

const lark = (userId: string, tenantKey = 'acme', sessionId = `s-${userId}`) => ({
  key: tenantKey === 'acme' ? userKey(userId) : `x:${tenantKey}:${userId}`,
  userId,
  userType: 1 as const,
  tenantKey,
  sessionId,
});
const newMeeting = (at: number, id = '7000000000000000001'): Meeting =>
  createMeeting({ id, tenantKey: 'acme', meetingNo: '912345678', topic: 'Weekly', source: 2, ownerUserId: 'ann', createdAt: at });

describe('report calendar (UTC+8 days)', () => {
  it('starts days at 00:00 in UTC+8', () => {
    expect(dayStart(MAY6)).toBe(sec(cst('2024-05-06T00:00:00')));
    expect(dayOf(sec(cst('2024-05-06T23:59:59')))).toBe(MAY6);
    expect(dayOf(sec(cst('2024-05-05T23:59:59')))).toBe(MAY6 - 1);
    // Feishu's example date, 2020-12-28 00:00 UTC, is 08:00 in China: inside the day that began at 16:00 UTC before
    expect(dayStart(dayOf(1609113600))).toBe(1609113600 - 8 * 3600);
  });

  it('covers every range with aligned spans, each day once, and few of them', () => {
    const spans = (from: number, to: number) => coverDays(from, to).flatMap((r) => Array.from({ length: (r.lastFirstDay - r.firstDay) / r.days + 1 }, (_, i) => ({ days: r.days, first: r.firstDay + i * r.days })));
    for (let i = 0; i < 2000; i++) {
      const from = MAY6 + Math.floor(Math.random() * 400) - 200;
      const to = from + Math.floor(Math.random() * 400);
      const covered: number[] = [];
      const list = spans(from, to);
      for (const s of list) {
        expect(s.first % s.days).toBe(0);
        for (let d = s.first; d < s.first + s.days; d++) covered.push(d);
      }
      expect(covered).toEqual(Array.from({ length: to - from + 1 }, (_, k) => from + k));
      // at most one span of each shorter length at either end, and the longest spans between
      const longest = SPAN_DAYS[SPAN_DAYS.length - 1]!;
      expect(list.length).toBeLessThanOrEqual(2 * (SPAN_DAYS.length - 1) + Math.floor((to - from + 1) / longest));
      // one scan per run: runs of one length are at most one per end
      expect(coverDays(from, to).length).toBeLessThanOrEqual(2 * SPAN_DAYS.length - 1);
    }
    expect(coverDays(MAY6, MAY6 - 1)).toEqual([]);
  });
});

describe('what a meeting adds to the reports', () => {
  it('counts an ended meeting on its start day: whole seconds, distinct participants, own users and rooms ranked', () => {
    const t0 = cst('2024-05-06T23:30:00.400');
    const m = newMeeting(t0);
    join(m, lark('ann'), t0);
    join(m, lark('bob'), t0 + 60_000);
    leave(m, userKey('bob'), t0 + 120_000);
    join(m, lark('bob', 'acme', 's-bob-2'), t0 + 180_000); // re-join: still one participant
    join(m, lark('bob', 'acme', 's-bob-3'), t0 + 190_000); // another device: replaces the session
    join(m, lark('gina', 'globex'), t0 + 200_000); // external: a participant, not ranked
    join(m, { key: 'r:omm_1', userId: 'omm_1', userType: 2, tenantKey: 'acme', name: 'Room 1', sessionId: 's-room' }, t0 + 300_000);
    invite(m, userKey('ann'), { key: userKey('cat'), userId: 'cat', userType: 1, tenantKey: 'acme' }, t0 + 400_000); // never joins
    call(m, userKey('ann'), { key: 'p:+8613800000000', userId: null, userType: 6, tenantKey: null, name: 'phone' }, t0 + 500_000); // never answers
    end(m, userKey('ann'), cst('2024-05-07T00:45:00.100')); // past midnight

    expect(meetingUsage(m)).toEqual({
      tenantKey: 'acme',
      day: MAY6,
      // 23:30:00 → 00:45:00 as the API shows the times (whole seconds)
      durationS: 75 * 60,
      participants: 4,
      users: [
        { userType: 1, userId: 'ann', name: null, durationS: 75 * 60 - 1 }, // 23:30:00.400 → 00:45:00.100
        { userType: 1, userId: 'bob', name: null, durationS: 60 + (75 * 60 - 180 - 1) },
        { userType: 2, userId: 'omm_1', name: 'Room 1', durationS: 75 * 60 - 300 - 1 },
      ],
    });
  });

  it('does not count a meeting before it ends, nor one nobody joined', () => {
    const t0 = cst('2024-05-06T09:00:00');
    const live = newMeeting(t0);
    join(live, lark('ann'), t0);
    expect(meetingUsage(live)).toBeUndefined();
    const empty = newMeeting(t0);
    end(empty, null, t0 + 1000);
    expect(empty.status).toBe(MEETING_STATUS.ended);
    expect(meetingUsage(empty)).toBeUndefined();
  });

  it('merges usages into one increment per day and per user span, sorted by key', () => {
    const usage = (day: number, durationS: number, users: [string, number][]): MeetingUsage => ({
      tenantKey: 'acme',
      day,
      durationS,
      participants: users.length + 1,
      users: users.map(([userId, d]) => ({ userType: 1, userId, name: null, durationS: d })),
    });
    const r = rollup([usage(MAY6 + 1, 100, [['bob', 90]]), usage(MAY6, 200, [['bob', 150], ['ann', 200]]), usage(MAY6, 50, [['ann', 50]])]);
    expect(r.days).toEqual([
      { tenantKey: 'acme', day: dayStart(MAY6), meetingCount: 2, durationS: 250, participantCount: 5 },
      { tenantKey: 'acme', day: dayStart(MAY6 + 1), meetingCount: 1, durationS: 100, participantCount: 2 },
    ]);
    const one = r.userSpans.filter((s) => s.spanDays === 1).map((s) => [s.firstDay, s.userId, s.meetingCount, s.durationS]);
    expect(one).toEqual([
      [dayStart(MAY6), 'ann', 2, 250],
      [dayStart(MAY6), 'bob', 1, 150],
      [dayStart(MAY6 + 1), 'bob', 1, 90],
    ]);
    // MAY6 is day 19849: the 2-day spans split the two days (19848..19849, 19850..19851), the 64-day one holds both (19840..19903)
    expect(r.userSpans.filter((s) => s.spanDays === 2).map((s) => [s.firstDay, s.userId, s.meetingCount])).toEqual([
      [dayStart(19848), 'ann', 2],
      [dayStart(19848), 'bob', 1],
      [dayStart(19850), 'bob', 1],
    ]);
    expect(r.userSpans.filter((s) => s.spanDays === 64).map((s) => [s.firstDay, s.userId, s.meetingCount, s.durationS])).toEqual([
      [dayStart(19840), 'ann', 2, 250],
      [dayStart(19840), 'bob', 2, 240],
    ]);
    expect(r.userSpans).toHaveLength(3 + 3 + 2 * 7);
    expect(MAY6).toBe(19849);
  });

  it('sums to the same per-user totals over any range whether read by day or by covering spans', () => {
    const users = ['ann', 'bob', 'cat', 'dan'];
    const usages: MeetingUsage[] = Array.from({ length: 500 }, () => ({
      tenantKey: 'acme',
      day: MAY6 + Math.floor(Math.random() * 200),
      durationS: 60,
      participants: 2,
      users: users.filter(() => Math.random() < 0.5).map((userId) => ({ userType: 1 as const, userId, name: null, durationS: Math.floor(Math.random() * 3600) })),
    }));
    const r = rollup(usages);
    for (let i = 0; i < 200; i++) {
      const from = MAY6 + Math.floor(Math.random() * 200);
      const to = from + Math.floor(Math.random() * 120);
      const want = new Map<string, [number, number]>();
      for (const u of usages.filter((x) => x.day >= from && x.day <= to)) {
        for (const x of u.users) {
          const [c, d] = want.get(x.userId) ?? [0, 0];
          want.set(x.userId, [c + 1, d + x.durationS]);
        }
      }
      const got = new Map<string, [number, number]>();
      for (const run of coverDays(from, to)) {
        for (const s of r.userSpans.filter((x) => x.spanDays === run.days && x.firstDay >= dayStart(run.firstDay) && x.firstDay <= dayStart(run.lastFirstDay))) {
          const [c, d] = got.get(s.userId) ?? [0, 0];
          got.set(s.userId, [c + s.meetingCount, d + s.durationS]);
        }
      }
      expect(got).toEqual(want);
    }
  });
});

describe('report ranges and the daily report', () => {
  const now = cst('2024-08-04T15:00:00');
  const today = dayOf(sec(now));
  const s = (ms: number) => String(Math.floor(ms / 1000));

  it('covers whole days from the start day to the end day, never past today', () => {
    expect(dayRange(s(cst('2024-08-01T09:00:00')), s(cst('2024-08-03T01:00:00')), now, 90)).toEqual({ from: today - 3, to: today - 1 });
    expect(dayRange(s(cst('2024-08-01T09:00:00')), s(cst('2024-08-01T09:00:00')), now, 90)).toEqual({ from: today - 3, to: today - 3 });
    expect(dayRange(s(cst('2024-08-01T09:00:00')), s(cst('2025-01-01T00:00:00')), now, 90)).toEqual({ from: today - 3, to: today });
    // wholly in the future: no days
    expect(dayRange(s(cst('2024-08-06T00:00:00')), s(cst('2024-08-07T00:00:00')), now, 90)).toEqual({ from: today + 2, to: today });
  });

  it('refuses reversed and malformed ranges, and starts before the window, with 121003', () => {
    expect(errorCode(() => dayRange('1722500000', '1722400000', now, 90))).toBe(121003);
    expect(() => dayRange('1722500000', '1722400000', now, 90)).toThrow(/start_time \(1722500000\) is after end_time \(1722400000\)/);
    for (const bad of ['', 'abc', '-5', '1.5', '1e9', '1234567890123']) {
      expect(() => dayRange(bad, '1722400000', now, 90)).toThrow(/start_time must be a unix timestamp in seconds/);
      expect(() => dayRange('1722400000', bad, now, 90)).toThrow(/end_time must be a unix timestamp in seconds/);
    }
    // the window's first day is the day 90 days ago: a start a moment before "now minus 90 days" still counts
    const windowStart = now - 90 * DAY_S * 1000;
    expect(dayRange(s(windowStart - 3_600_000), s(now), now, 90).from).toBe(today - 90);
    expect(dayRange(s(cst('2024-05-06T00:00:00')), s(now), now, 90).from).toBe(today - 90);
    expect(() => dayRange(s(cst('2024-05-05T23:59:59')), s(now), now, 90)).toThrow(/reaches back further than the 90 days reports cover: the earliest allowed is 1714924800/);
    expect(dayRange(s(cst('2024-05-05T23:59:59')), s(now), now, 91).from).toBe(today - 91);
  });

  it('lists every day of the range, zeros included, and totals them', () => {
    const report = dailyReport({ from: MAY6, to: MAY6 + 2 }, [
      { day: dayStart(MAY6), meetingCount: 2, durationS: 300, participantCount: 5 },
      { day: dayStart(MAY6 + 2), meetingCount: 1, durationS: 60, participantCount: 2 },
    ]);
    expect(report).toEqual({
      totals: { meetingCount: 3, durationS: 360, participantCount: 7 },
      days: [
        { date: dayStart(MAY6), meetingCount: 2, durationS: 300, participantCount: 5 },
        { date: dayStart(MAY6 + 1), meetingCount: 0, durationS: 0, participantCount: 0 },
        { date: dayStart(MAY6 + 2), meetingCount: 1, durationS: 60, participantCount: 2 },
      ],
    });
    expect(dailyReport({ from: MAY6 + 1, to: MAY6 }, [])).toEqual({ totals: { meetingCount: 0, durationS: 0, participantCount: 0 }, days: [] });
  });

  it('shows top users’ time in whole minutes', () => {
    expect([0, 59, 60, 119, 7800].map(wholeMinutes)).toEqual([0, 0, 1, 1, 130]);
  });
});
