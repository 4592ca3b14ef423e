import pino from 'pino';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../src/app/runtime.js';
import { simulateHistory } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import * as dashboardRollups from '../src/store/migrations/0040-dashboard-rollups.js';
import { fixture, fixtureSeedWithAdmin } from './helpers/fixture.js';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { signIn } from './helpers/sign-in.js';
import { runCli } from './helpers/cli.js';

type Json = Record<string, any>;
const DAY = 86_400_000;
/** Report days begin at 00:00 UTC+8. */
const isoDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const dayStartOf = (unixS: number) => Math.floor((unixS + 8 * 3600) / 86_400) * 86_400 - 8 * 3600;
/**
 * How far a dashboard percentile may be from the exact nearest-rank value of the raw samples: half a
 * bucket (buckets are 2^(1/16) wide, told by their geometric middle) and rounding to 4 significant digits.
 */
const TOLERANCE = 2 ** (1 / 32) * 1.0005;

function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** The figures a sample carries (every sample here has the link's own). */
function figures(json: string): { loss: number; jitter: number; bitrate: number } {
  const s = JSON.parse(json) as Json;
  for (const k of ['packet_loss', 'jitter_ms', 'bitrate_kbps']) expect(typeof s[k], `${k} in ${json}`).toBe('number');
  return { loss: s.packet_loss * 100, jitter: s.jitter_ms, bitrate: s.bitrate_kbps };
}

function expectClose(got: number | null, exact: number | null, what: string): void {
  if (exact === null || exact === 0) return void expect(got, what).toBe(exact);
  expect(got, what).not.toBeNull();
  const ratio = got! / exact;
  expect(ratio, `${what}: dashboard ${got}, raw ${exact}`).toBeLessThanOrEqual(TOLERANCE);
  expect(ratio, `${what}: dashboard ${got}, raw ${exact}`).toBeGreaterThanOrEqual(1 / TOLERANCE);
}

describe('dashboard rollups equal what the raw rows give', () => {
  const store = new TestStore();
  let s: TestServer;
  let cookie: string;
  const now = Date.now();
  const range = `from=${isoDay(now - 30 * DAY)}&to=${isoDay(now + DAY)}`;
  let olderSessions = 0;
  let backlogAtUpgrade = 0;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    await store.prepare();
    const rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    await rt.repos.directory.applySeed(fixtureSeedWithAdmin());
    const target = await resolveTarget(rt, { tenant: 'acme' });
    // History from before the rollups: the store as an older openvc left it, then brought up to date
    // (migration 0040 again), so these sessions can only reach the dashboard through the backfill job.
    olderSessions = (await simulateHistory(rt, target, { meetings: 10, participants: 5, from: now - 24 * DAY, to: now - 14 * DAY, seed: 5 })).sessions;
    await dashboardRollups.down(rt.store.db as unknown as Kysely<unknown>);
    await dashboardRollups.up(rt.store.db as unknown as Kysely<unknown>);
    backlogAtUpgrade = await rt.repos.consoleRollups.backlogSize();
    // History since: through the meeting service, rolled up as it happens.
    await simulateHistory(rt, target, { meetings: 10, participants: 5, from: now - 12 * DAY, to: now - 2 * DAY, seed: 6 });
    await rt.store.close();
    s = await startTestServer({ store, seed: null, config: { rateLimit: false } });
    cookie = await signIn(s.url, 'acme', 'alice');
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['bob', 'member00', 'alice']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    await store.dispose();
  });

  const dashboard = async (q = range): Promise<Json> => {
    const json = (await (await fetch(`${s.url}/admin/api/dashboard?${q}`, { headers: { cookie } })).json()) as Json;
    expect(json.code, JSON.stringify(json)).toBe(0);
    return json.data as Json;
  };

  /** A participant-protocol call with a user token, as a client makes it. */
  const client = async (user: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    return (await res.json()) as Json;
  };

  /** The raw rows of the range: sessions by join, and the samples of sessions that have ended. */
  async function raw(fromMs: number, toMs: number) {
    const db = s.runtime.store.db;
    const fromS = dayStartOf(Math.floor(fromMs / 1000));
    const toS = dayStartOf(Math.floor(toMs / 1000)) + 86_400;
    const sessions = await db.selectFrom('participant_sessions').select(['device']).where('tenant_key', '=', 'acme').where('joined_at', '>=', fromS * 1000).where('joined_at', '<', toS * 1000).execute();
    const samples = await db
      .selectFrom('quality_samples as q')
      .innerJoin('participant_sessions as s', 's.id', 'q.session_id')
      .select(['q.minute', 'q.sample'])
      .where('q.tenant_key', '=', 'acme')
      .where('s.left_at', 'is not', null)
      .where('q.minute', '>=', fromS)
      .where('q.minute', '<', toS)
      .execute();
    const mix = (field: string) => {
      const counts = new Map<string, number>();
      for (const x of sessions) {
        const v = (JSON.parse(x.device) as Json)[field];
        const kind = typeof v === 'string' && v !== '' ? v : 'unknown';
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
      }
      return Object.fromEntries(counts);
    };
    const byDay = new Map<number, { loss: number; jitter: number; bitrate: number }[]>();
    for (const x of samples) {
      const day = dayStartOf(Number(x.minute));
      byDay.set(day, [...(byDay.get(day) ?? []), figures(x.sample)]);
    }
    return { devices: mix('type'), networks: mix('network_type'), byDay, all: samples.map((x) => figures(x.sample)) };
  }

  function expectPercentiles(got: Json, values: { loss: number; jitter: number; bitrate: number }[], what: string): void {
    expect(got.samples, `${what}: samples`).toBe(values.length);
    for (const key of ['loss', 'jitter', 'bitrate'] as const) {
      for (const p of [50, 90, 99]) expectClose(got[key][`p${p}`], nearestRank(values.map((v) => v[key]), p), `${what} ${key} p${p}`);
    }
  }

  /** Every figure of the dashboard over the range against the raw rows: mixes exactly, percentiles within a bucket. */
  async function expectDashboardMatchesRaw(): Promise<Json> {
    const d = await dashboard();
    const r = await raw(now - 30 * DAY, now + DAY);
    expect(Object.fromEntries(d.devices.map((m: Json) => [m.kind, m.sessions]))).toEqual(r.devices);
    expect(Object.fromEntries(d.networks.map((m: Json) => [m.kind, m.sessions]))).toEqual(r.networks);
    for (const q of d.quality as Json[]) expectPercentiles(q, r.byDay.get(q.date) ?? [], `day ${isoDay(q.date * 1000)}`);
    expect([...r.byDay.keys()].every((day) => (d.quality as Json[]).some((q) => q.date === day))).toBe(true);
    expectPercentiles(d.quality_range, r.all, 'whole range');
    return d;
  }

  it('rolls up history from before the rollups through the backfill, and history since as it happened', async () => {
    expect(backlogAtUpgrade).toBe(olderSessions);
    // The server's backfill job empties the backlog, a batch per transaction.
    await expect.poll(() => s.runtime.repos.consoleRollups.backlogSize(), { timeout: 60_000, interval: 200 }).toBe(0);
    const d = await expectDashboardMatchesRaw();
    // both histories are there: days with samples two weeks ago (backfilled) and last week (live)
    const withSamples = (d.quality as Json[]).filter((q) => q.samples > 0).map((q) => q.date * 1000);
    expect(withSamples.some((t) => t < now - 13 * DAY)).toBe(true);
    expect(withSamples.some((t) => t > now - 13 * DAY)).toBe(true);
    expect(d.devices.length).toBeGreaterThan(1);
    expect(d.networks.length).toBeGreaterThan(1);
  });

  it('counts a live meeting: its joins at once, its samples when each session ends (left, dropped, ended)', async () => {
    await expect.poll(() => s.runtime.repos.consoleRollups.backlogSize(), { timeout: 60_000, interval: 200 }).toBe(0);
    const before = await dashboard();
    const started = await client('bob', '/client/v1/meetings', { topic: 'Rollups', device: { type: 'ios', network_type: '4g', os: 'iOS' } });
    expect(started.code, JSON.stringify(started)).toBe(0);
    const joined = await client('member00', '/client/v1/meetings/join', { meeting_no: started.data.meeting.meeting_no, device: { type: 'android', network_type: 'wifi' } });
    expect(joined.code, JSON.stringify(joined)).toBe(0);
    const bob = started.data.session_id as string;
    const member = joined.data.session_id as string;
    const minute = Math.floor(now / 60_000) * 60 - 10 * 60;
    const sample = (i: number, loss: number, jitter: number, bitrate: number) => ({ minute: minute + i * 60, packet_loss: loss, jitter_ms: jitter, bitrate_kbps: bitrate });
    expect((await client('bob', `/client/v1/sessions/${bob}/stats`, { samples: [sample(0, 0, 3, 900), sample(1, 0.02, 40, 1200), sample(2, 0.5, 250, 80)] })).code).toBe(0);
    expect((await client('member00', `/client/v1/sessions/${member}/stats`, { samples: [sample(0, 0.001, 8, 1500), sample(1, 0.004, 9, 1450)] })).code).toBe(0);
    // A later sample of the same minute replaces the earlier one, in the raw rows and so in the rollups.
    expect((await client('member00', `/client/v1/sessions/${member}/stats`, { samples: [sample(1, 0.3, 120, 300)] })).code).toBe(0);

    // The joins are in the mix at once; the open sessions' samples are not counted yet.
    const open = await expectDashboardMatchesRaw();
    const count = (rows: Json[], kind: string) => rows.find((m) => m.kind === kind)?.sessions ?? 0;
    expect(count(open.devices, 'ios')).toBe(count(before.devices, 'ios') + 1);
    expect(count(open.networks, '4g')).toBe(count(before.networks, '4g') + 1);
    expect(open.quality_range.samples).toBe(before.quality_range.samples);

    expect((await client('member00', `/client/v1/sessions/${member}/leave`)).code).toBe(0);
    const left = await expectDashboardMatchesRaw();
    expect(left.quality_range.samples).toBe(before.quality_range.samples + 2);
    // no sample is taken from a session that has ended
    expect((await client('member00', `/client/v1/sessions/${member}/stats`, { samples: [sample(3, 0.9, 900, 1)] })).code).toBe(122009);

    // A session that stops heartbeating is ended by the sweep, and its samples count then.
    const third = await client('alice', '/client/v1/meetings/join', { meeting_no: started.data.meeting.meeting_no, device: { type: 'desktop', network_type: 'ethernet' } });
    expect(third.code, JSON.stringify(third)).toBe(0);
    const alice = third.data.session_id as string;
    expect((await client('alice', `/client/v1/sessions/${alice}/stats`, { samples: [sample(0, 0.01, 5, 2000), sample(1, 0.01, 6, 2100)] })).code).toBe(0);
    // Alice's last heartbeat lies past the timeout (set in the store: a state, not a wait).
    await s.runtime.store.db.updateTable('participant_sessions').set({ last_seen_at: Date.now() - (s.runtime.config.heartbeatTimeout + 5) * 1000 }).where('id', '=', alice).execute();
    expect(await s.runtime.meetings.dropStaleSessions()).toBeGreaterThanOrEqual(1);
    const dropped = await expectDashboardMatchesRaw();
    expect(dropped.quality_range.samples).toBe(before.quality_range.samples + 4);

    expect((await client('bob', `/client/v1/sessions/${bob}/end`)).code).toBe(0);
    const ended = await expectDashboardMatchesRaw();
    expect(ended.quality_range.samples).toBe(before.quality_range.samples + 7);
    const openNow = await s.runtime.store.db.selectFrom('participant_sessions').select('id').where('tenant_key', '=', 'acme').where('left_at', 'is', null).execute();
    expect(openNow).toEqual([]);
  });

  it('openvc reports rebuild makes the dashboard again from the sessions, dropping what the backlog still held', async () => {
    await expect.poll(() => s.runtime.repos.consoleRollups.backlogSize(), { timeout: 60_000, interval: 200 }).toBe(0);
    const before = await expectDashboardMatchesRaw();
    const db = s.runtime.store.db;
    // Damage: acme's mix and quality gone, and one of its sessions back in the backlog (a backfill after the
    // rebuild would count it twice).
    await db.deleteFrom('console_mix_days').where('tenant_key', '=', 'acme').execute();
    await db.deleteFrom('console_quality_days').where('tenant_key', '=', 'acme').execute();
    const one = await db.selectFrom('participant_sessions').select('id').where('tenant_key', '=', 'acme').where('left_at', 'is not', null).limit(1).executeTakeFirstOrThrow();
    await db.insertInto('console_rollup_backlog').values({ session_id: one.id, quality: 1 }).execute();
    const damaged = await dashboard();
    expect(damaged.devices).toEqual([]);
    expect(damaged.quality_range.samples).toBe(0);

    const r = await runCli(['reports', 'rebuild', '--tenant', 'acme', ...s.store.cliArgs()]);
    expect(r.code, r.stderr).toBe(0);
    const sessions = await db.selectFrom('participant_sessions').select('id').where('tenant_key', '=', 'acme').execute();
    expect(r.stdout).toContain(`rebuilt the reports of 1 tenant(s) from`);
    expect(r.stdout).toContain(`and their dashboards from ${sessions.length} sessions`);
    expect(await s.runtime.repos.consoleRollups.backlogSize()).toBe(0);
    expect(await expectDashboardMatchesRaw()).toEqual(before);
  });
});
