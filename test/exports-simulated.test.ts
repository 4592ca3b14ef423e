import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../src/app/runtime.js';
import { simulateHistory } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { exported } from './helpers/exports.js';

const FROM = Date.parse('2024-05-06T00:00:00Z');
const sec = (ms: number) => String(Math.floor(ms / 1000));

/** The simulator's history feeds every column the exports have: devices, media, quality per medium. */
describe('exports of a simulated history', () => {
  const store = new TestStore();
  let s: TestServer;

  beforeAll(async () => {
    await store.prepare();
    const rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    await rt.repos.directory.applySeed(fixtureSeed());
    await simulateHistory(rt, await resolveTarget(rt, { tenant: 'acme' }), { meetings: 6, participants: 5, from: FROM, to: FROM + 86_400_000, seed: 7 });
    await rt.store.close();
    s = await startTestServer({ store, seed: null, config: { rateLimit: false } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await store.dispose();
  });

  it('lists participants with their clients and quality with every medium', async () => {
    const client = s.client(fixture.acme.full);
    const shared = await s.runtime.store.db.selectFrom('meetings').selectAll().where('tenant_key', '=', 'acme').orderBy('started_at').execute();
    const m = shared.find((x) => (JSON.parse(x.ability) as { use_share_screen: boolean }).use_share_screen)!;
    expect(m).toBeDefined();
    const window = { meeting_start_time: sec(m.started_at!), meeting_end_time: sec(m.ended_at!), meeting_no: m.meeting_no };
    const people = await exported(client, client.vc.export.participantList({ data: window, params: { user_id_type: 'user_id' } }));
    expect(people.rows.length).toBeGreaterThan(2);
    for (const r of people.rows.slice(1)) {
      expect(r[6]).toMatch(/^(WINDOWS|MAC|LINUX|WEB|IOS|IPAD|ANDROID|ROOMS)$/);
      expect(r[8]).toMatch(/^198\.51\.100\.\d+$/);
      expect(r[13]).toBeTruthy();
      expect(r[22]).toMatch(/^(主动离会|会议结束)$/);
    }
    expect(people.rows.slice(1).some((r) => r[18] === '是')).toBe(true);

    const userId = people.rows[1]![2] as string;
    const joined = await s.runtime.store.db.selectFrom('meeting_participants').select('first_join_at').where('meeting_id', '=', m.id).where('key', '=', `u:${userId}`).executeTakeFirstOrThrow();
    const quality = await exported(client, client.vc.export.participantQualityList({ data: { ...window, join_time: sec(joined.first_join_at!), user_id: userId }, params: { user_id_type: 'user_id' } }));
    expect(quality.rows.length).toBeGreaterThan(5);
    for (const r of quality.rows.slice(1)) {
      // audio received, video received, client and system CPU every minute
      expect([r[1], r[11], r[31], r[32], r[33], r[34]].every((v) => typeof v === 'string' && v !== '')).toBe(true);
    }
    // the host shared their screen, the others saw it: screen columns are filled for some minutes
    expect(quality.rows.slice(1).some((r) => r.slice(21, 31).some((v) => v !== null))).toBe(true);
  });
});
