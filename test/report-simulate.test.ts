import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { simulateHistory } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import { rebuildReports } from '../src/domain/report/rebuild.js';
import { dayOf } from '../src/domain/report/calendar.js';
import { TestStore } from './helpers/server.js';
import { fixtureSeed } from './helpers/fixture.js';

const FROM = Date.parse('2024-05-06T00:00:00Z');
const TO = Date.parse('2024-05-11T00:00:00Z');

describe('simulated history in the reports', () => {
  const store = new TestStore();
  let rt: Runtime;

  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    await rt.repos.directory.applySeed(fixtureSeed());
    const target = await resolveTarget(rt, { tenant: 'acme' });
    await simulateHistory(rt, target, { meetings: 40, participants: 6, from: FROM, to: TO, seed: 7 });
  }, 120_000);
  afterAll(async () => {
    await rt?.store.close();
    await store.dispose();
  });

  const stored = async () => {
    const days = await rt.repos.reports.days('acme', dayOf(FROM / 1000) - 1, dayOf(TO / 1000) + 1);
    const top = await rt.repos.reports.topUsers('acme', [{ days: 1, firstDay: dayOf(FROM / 1000) - 1, lastFirstDay: dayOf(TO / 1000) + 1 }], 1, 100);
    // the dashboard's rollups, which the simulated sessions filled as they joined and ended
    const mix = await rt.store.db.selectFrom('console_mix_days').selectAll().orderBy('tenant_key').orderBy('day').orderBy('field').orderBy('kind').execute();
    const quality = await rt.store.db.selectFrom('console_quality_days').selectAll().orderBy('tenant_key').orderBy('day').execute();
    return { days, top, mix, quality };
  };

  it('rolls up every simulated meeting as it ends, matching the meeting rows', async () => {
    const meetings = await rt.store.db.selectFrom('meetings').selectAll().where('tenant_key', '=', 'acme').execute();
    const participants = await rt.store.db.selectFrom('meeting_participants').selectAll().where('tenant_key', '=', 'acme').where('first_join_at', 'is not', null).execute();
    const { days, top } = await stored();
    expect(meetings).toHaveLength(40);
    expect(days.reduce((n, d) => n + d.meetingCount, 0)).toBe(40);
    expect(days.reduce((n, d) => n + d.durationS, 0)).toBe(meetings.reduce((n, m) => n + Math.floor(m.ended_at! / 1000) - Math.floor(m.started_at! / 1000), 0));
    expect(days.reduce((n, d) => n + d.participantCount, 0)).toBe(participants.length);
    // every participant is a user of the tenant: each user's meetings and time add up
    const perUser = new Map<string, { meetings: number; seconds: number }>();
    for (const p of participants) {
      const u = perUser.get(p.user_id!) ?? { meetings: 0, seconds: 0 };
      perUser.set(p.user_id!, { meetings: u.meetings + 1, seconds: u.seconds + Math.floor(p.in_meeting_ms / 1000) });
    }
    expect(new Map(top.map((t) => [t.userId, { meetings: t.meetingCount, seconds: t.durationS }]))).toEqual(perUser);
  });

  it('rebuilds exactly what the meetings rolled up as they ended', async () => {
    const before = await stored();
    expect(before.mix.length).toBeGreaterThan(0);
    expect(before.quality.length).toBeGreaterThan(0);
    await rebuildReports(rt.store.db, rt.repos, { batch: 7 });
    expect(await stored()).toEqual(before);
  });
});
