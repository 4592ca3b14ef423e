import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { simulateHistory, type HistorySummary } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import { MEETING_STATUS, PARTICIPANT_STATUS } from '../src/domain/meeting/meeting.js';
import type { OutboxRow } from '../src/store/repositories/outbox.repository.js';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { cliArgv } from './helpers/cli.js';

const FROM = Date.parse('2024-05-06T00:00:00Z');
const TO = Date.parse('2024-05-11T00:00:00Z');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Seeded {
  store: TestStore;
  rt: Runtime;
}

async function seededRuntime(): Promise<Seeded> {
  const store = new TestStore();
  await store.prepare();
  const rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
  await rt.repos.directory.applySeed(fixtureSeed());
  return { store, rt };
}

async function dispose(s: Seeded | undefined): Promise<void> {
  await s?.rt.store.close();
  await s?.store.dispose();
}

async function history(s: Seeded, seed: number, meetings = 30): Promise<HistorySummary> {
  const target = await resolveTarget(s.rt, { tenant: 'acme' });
  return simulateHistory(s.rt, target, { meetings, participants: 6, from: FROM, to: TO, seed });
}

async function allOutbox(rt: Runtime): Promise<OutboxRow[]> {
  const rows: OutboxRow[] = [];
  for (let after = 0; ; ) {
    const page = await rt.repos.outbox.list('acme', after, 1000);
    if (page.length === 0) return rows;
    rows.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

const meetingsOf = (rt: Runtime) => rt.store.db.selectFrom('meetings').selectAll().where('tenant_key', '=', 'acme').orderBy('started_at').orderBy('id').execute();

/** What a history looks like without its random IDs: per meeting, in time order, its facts and who joined in what order. */
async function shape(rt: Runtime) {
  const out = [];
  for (const m of await meetingsOf(rt)) {
    const people = await rt.store.db.selectFrom('meeting_participants').select(['user_id', 'in_meeting_ms']).where('meeting_id', '=', m.id).orderBy('first_join_at').orderBy('key').execute();
    out.push({ topic: m.topic, source: m.source, started: m.started_at, ended: m.ended_at, peak: m.peak, people: people.map((p) => `${p.user_id}:${p.in_meeting_ms}`) });
  }
  return out;
}

/** Runs the CLI as a user would; OPENVC_* variables of this process are dropped so that only the flags count. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENVC_')));
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args), { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('openvc simulate: history', () => {
  let s: Seeded;
  let summary: HistorySummary;

  beforeAll(async () => {
    s = await seededRuntime();
    summary = await history(s, 42);
  }, 120_000);
  afterAll(async () => dispose(s));

  it('leaves N ended meetings inside the window, each with at least two participants', async () => {
    expect(summary.meetings).toBe(30);
    const meetings = await meetingsOf(s.rt);
    expect(meetings).toHaveLength(30);
    for (const m of meetings) {
      expect(m.status).toBe(MEETING_STATUS.ended);
      expect(m.started_at).toBeGreaterThanOrEqual(FROM);
      expect(m.ended_at).toBeLessThanOrEqual(TO);
      expect(m.ended_at! - m.started_at!).toBeGreaterThanOrEqual(9 * 60_000);
      expect(m.ended_at! - m.started_at!).toBeLessThanOrEqual(100 * 60_000);
      expect(m.accumulated).toBeGreaterThanOrEqual(2);
      const people = await s.rt.store.db.selectFrom('meeting_participants').selectAll().where('meeting_id', '=', m.id).execute();
      expect(people.length).toBeGreaterThanOrEqual(2);
      expect(people.every((p) => p.status === PARTICIPANT_STATUS.left && p.in_meeting_ms > 0)).toBe(true);
    }
    // some were booked through the reserve API first; the others started instantly
    expect(summary.reserved).toBeGreaterThan(0);
    expect(meetings.filter((m) => m.reserve_id !== null)).toHaveLength(summary.reserved);
    expect(meetings.filter((m) => m.reserve_id === null && m.source === 2)).toHaveLength(30 - summary.reserved);
    // and they used what meetings use
    expect(meetings.some((m) => (JSON.parse(m.ability) as { use_share_screen: boolean }).use_share_screen)).toBe(true);
    expect(meetings.some((m) => (JSON.parse(m.ability) as { use_video: boolean }).use_video)).toBe(true);
  });

  it('records every session with its device and per-minute quality samples', async () => {
    const sessions = await s.rt.store.db.selectFrom('participant_sessions').selectAll().where('tenant_key', '=', 'acme').execute();
    expect(sessions).toHaveLength(summary.sessions);
    const participants = await s.rt.store.db.selectFrom('meeting_participants').select('key').where('tenant_key', '=', 'acme').execute();
    // some people dropped out and came back: more sessions than participants
    expect(sessions.length).toBeGreaterThan(participants.length);
    let samples = 0;
    for (const session of sessions) {
      expect(session.left_at).not.toBeNull();
      expect(['left', 'meeting_ended']).toContain(session.leave_reason);
      expect(JSON.parse(session.device)).toMatchObject({
        type: expect.stringMatching(/^(web|desktop|ios|android|room)$/),
        client_version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        network_type: expect.stringMatching(/^(wifi|4g|ethernet)$/),
      });
      const rows = await s.rt.repos.sessions.samples(session.id);
      expect(rows.length).toBeGreaterThan(0);
      // one per minute of the session
      expect(rows.length).toBeLessThanOrEqual(Math.ceil((session.left_at! - session.joined_at) / 60_000) + 1);
      for (const r of rows) {
        const q = JSON.parse(r.sample) as Record<string, number>;
        expect(q.bitrate_kbps).toBeGreaterThan(0);
        expect(q.packet_loss).toBeGreaterThanOrEqual(0);
        expect(q.packet_loss).toBeLessThanOrEqual(0.5);
        expect(q.rtt_ms).toBeGreaterThan(0);
        expect(q.jitter_ms).toBeGreaterThanOrEqual(0);
        expect(q.cpu).toBeGreaterThan(0);
        expect(q.cpu).toBeLessThanOrEqual(100);
      }
      samples += rows.length;
    }
    expect(samples).toBe(summary.samples);
  });

  it('writes paired events to the outbox, as any meeting does', async () => {
    const events = await allOutbox(s.rt);
    expect(events).toHaveLength(summary.events);
    const ofType = (type: string) => events.filter((e) => e.event_type === `vc.meeting.${type}_v1`).map((e) => e.meeting_id);
    const started = ofType('all_meeting_started');
    expect(started).toHaveLength(30);
    expect(new Set(started).size).toBe(30);
    expect(ofType('all_meeting_ended').sort()).toEqual([...started].sort());
    // reserved meetings also get the vc.meeting.* events, each join with its leave and each share with its end
    const reserved = ofType('meeting_started');
    expect(reserved).toHaveLength(summary.reserved);
    expect(ofType('meeting_ended').sort()).toEqual([...reserved].sort());
    const count = (ids: (string | null)[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string | null, number>());
    expect(count(ofType('leave_meeting'))).toEqual(count(ofType('join_meeting')));
    expect(count(ofType('share_ended'))).toEqual(count(ofType('share_started')));
    expect(ofType('join_meeting').length).toBeGreaterThan(2 * summary.reserved);
    // every meeting's end comes after its start
    for (const id of started) {
      const seqs = events.filter((e) => e.meeting_id === id).map((e) => e.event_type);
      expect(seqs.indexOf('vc.meeting.all_meeting_started_v1')).toBeLessThan(seqs.indexOf('vc.meeting.all_meeting_ended_v1'));
    }
  });

  it('leaves no pending meeting jobs behind', async () => {
    const pending = await s.rt.store.db.selectFrom('jobs').select('kind').where('status', '=', 'pending').where('kind', 'like', 'meeting.%').execute();
    expect(pending).toEqual([]);
  });
});

describe('openvc simulate: determinism', () => {
  const runs: Seeded[] = [];
  afterAll(async () => {
    for (const r of runs) await dispose(r);
  });

  it('the same seed replays the same history into another store; another seed does not', async () => {
    for (let i = 0; i < 3; i++) runs.push(await seededRuntime());
    const [a, b, c] = runs as [Seeded, Seeded, Seeded];
    const first = await history(a, 7, 12);
    const second = await history(b, 7, 12);
    expect(second).toMatchObject({ meetings: first.meetings, reserved: first.reserved, sessions: first.sessions, samples: first.samples, events: first.events });
    const shapeA = await shape(a.rt);
    expect(shapeA).toHaveLength(12);
    expect(await shape(b.rt)).toEqual(shapeA);
    await history(c, 8, 12);
    expect(await shape(c.rt)).not.toEqual(shapeA);
  }, 120_000);
});

describe('openvc simulate: command line', () => {
  const store = new TestStore();
  beforeAll(async () => store.prepare());
  afterAll(async () => store.dispose());

  it('fills an empty store (creating the demo tenant) and prints a summary', async () => {
    const r = await cli(['simulate', '--meetings', '6', '--participants', '3', '--from', '2024-05-06', '--to', '2024-05-07', '--seed', '3', ...store.cliArgs()]);
    expect(r.stderr).toContain('created the demo tenant');
    expect(r.stderr).toMatch(/\[#{30}\] 6\/6 meetings/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^simulated 6 meetings \(\d+ booked as reserves\), \d+ sessions, \d+ quality samples, \d+ events in [\d.]+ s .*tenant demo, 2024-05-06T00:00:00Z to 2024-05-08T00:00:00Z, seed 3\n$/);

    const rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    try {
      const meetings = await rt.store.db.selectFrom('meetings').selectAll().execute();
      expect(meetings).toHaveLength(6);
      expect(meetings.every((m) => m.tenant_key === 'demo' && m.status === MEETING_STATUS.ended)).toBe(true);
    } finally {
      await rt.store.close();
    }
  });

  it('rejects what it cannot do', async () => {
    expect((await cli(['simulate', '--live', ...store.cliArgs()])).stderr).toContain('--live needs --url');
    expect((await cli(['simulate', '--from', 'yesterday-ish', ...store.cliArgs()])).stderr).toContain('--from');
    const r = await cli(['simulate', '--tenant', 'nope', ...store.cliArgs()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('tenant nope has no app');
  });
});

describe('openvc simulate --live', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('drives meetings on a running server: participants join, heartbeat and leave', async () => {
    const r = await cli(['simulate', '--live', '--url', s.url, '--meetings', '2', '--participants', '3', '--duration', '2', '--heartbeat', '0.4', '--tenant', 'acme', '--seed', '5', ...s.store.cliArgs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ran 2 live meetings, 6 sessions, \d+ heartbeats, \d+ quality samples, 6 left, 0 errors in [\d.]+ s — meetings \d{19} \d{19}\n$/);
    const ids = r.stdout.trim().split(' ').slice(-2);

    const client = s.client(fixture.acme.full);
    for (const id of ids) {
      const sessions = await s.runtime.store.db.selectFrom('participant_sessions').selectAll().where('meeting_id', '=', id).execute();
      expect(sessions).toHaveLength(3);
      for (const session of sessions) {
        expect(session).toMatchObject({ leave_reason: 'left', app_id: fixture.acme.full.appId });
        // it heartbeated after joining, and sent its quality samples
        expect(session.last_seen_at).toBeGreaterThan(session.joined_at);
        expect((await s.runtime.repos.sessions.samples(session.id)).length).toBeGreaterThan(0);
      }
      // the Open API sees the meeting and its three participants, all gone
      const res = await client.vc.meeting.get({ path: { meeting_id: id }, params: { with_participants: true, user_id_type: 'user_id' } });
      expect(res.code).toBe(0);
      expect(res.data?.meeting?.participants).toHaveLength(3);
      expect(res.data?.meeting?.participants?.every((p) => p.status === PARTICIPANT_STATUS.left)).toBe(true);
    }
    // empty, they end by the server's own job
    await expect.poll(async () => (await Promise.all(ids.map(async (id) => (await s.runtime.repos.meetings.load('acme', id))?.meeting.status))), { timeout: 10_000 }).toEqual([MEETING_STATUS.ended, MEETING_STATUS.ended]);
  });
});
