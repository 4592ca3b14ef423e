import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { MEETING_STATUS, createMeeting, end, join } from '../src/domain/meeting/meeting.js';
import { newMeetingId } from '../src/domain/meeting/meeting.service.js';
import { deriveUnionId } from '../src/domain/ids.js';
import { cliArgv } from './helpers/cli.js';

type Json = Record<string, any>;

/**
 * A known meeting history, replayed through the participant protocol and the Open API on a clock the
 * test sets (Date is faked before the server starts, so the meeting service and the job runner read it),
 * then every report number checked against hand arithmetic. Days are UTC+8 days.
 */

/** Unix ms of day `n` of the history at a wall-clock time in UTC+8; day 0 is Monday 6 May 2024. */
const day = (n: number, hhmmss = '00:00:00') => Date.parse(`2024-05-06T${hhmmss}+08:00`) + n * 86_400_000;
const unix = (ms: number) => String(Math.floor(ms / 1000));
const NOW = day(10, '12:00:00');

const REPORT_APP = { appId: 'cli_acmereport01', appSecret: 'acme-report-secret' };

/** Runs the CLI as a user would. */
function openvc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args), { env: { ...process.env, OPENVC_LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('reports over a known meeting history', () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const meetings: Record<string, string> = {};
  const at = (ms: number) => vi.setSystemTime(ms);

  /** A participant-protocol call as `user`; fails the test unless it succeeds. */
  const client = async (user: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}/client/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    expect(json.code, JSON.stringify(json)).toBe(0);
    return json.data as Json;
  };
  const start = (user: string, topic: string) => client(user, '/meetings', { topic });
  const joinNo = (user: string, meetingNo: string) => client(user, '/meetings/join', { meeting_no: meetingNo });
  const leave = (user: string, sessionId: string) => client(user, `/sessions/${sessionId}/leave`);
  const acme = () => s.client(fixture.acme.full);
  /** The host ends the meeting through the Open API (meeting.end takes user tokens). */
  const endAsHost = (user: string, meetingId: string) =>
    (user === 'gina' ? globex() : acme()).vc.meeting.end({ path: { meeting_id: meetingId } }, lark.withUserAccessToken(tokens[user]!));
  const globex = () => s.client(fixture.globex.full);

  const daily = (c = acme(), from = day(0), to = NOW) => c.vc.report.getDaily({ params: { start_time: unix(from), end_time: unix(to) } });
  const top = (order_by: number, extra: Partial<{ limit: number; user_id_type: 'open_id' | 'union_id' | 'user_id'; start: number; end: number }> = {}, c = acme()) =>
    c.vc.report.getTopUser({
      params: { start_time: unix(extra.start ?? day(0)), end_time: unix(extra.end ?? NOW), limit: extra.limit ?? 10, order_by, ...(extra.user_id_type ? { user_id_type: extra.user_id_type } : {}) },
    });
  /** The report through plain HTTP, for requests the SDK would not send. */
  const raw = async (path: string, query: string, app = fixture.acme.full) => {
    const token = (await (await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }) })).json()) as Json;
    const res = await fetch(`${s.url}/open-apis/vc/v1/reports/${path}?${query}`, { headers: { authorization: `Bearer ${token.tenant_access_token}` } });
    return { status: res.status, body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(day(0, '08:00:00'));
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: REPORT_APP.appId, app_secret: REPORT_APP.appSecret, name: 'Acme reports', scopes: ['vc:report:readonly'] });
    s = await startTestServer({
      seed,
      // Sessions never time out and tokens outlive the history; an emptied meeting ends a minute later.
      config: { heartbeatTimeout: 30 * 86_400, emptyMeetingGrace: 60, userTokenTtl: 60 * 86_400, tenantTokenTtl: 60 * 86_400 },
    });
    const apps = { acme: (await s.runtime.repos.apps.find(fixture.acme.full.appId))!, globex: (await s.runtime.repos.apps.find(fixture.globex.full.appId))! };
    for (const u of ['alice', 'bob', 'member00', 'member01', 'member02']) tokens[u] = (await s.runtime.tokens.issueUserTokens(apps.acme, u, apps.acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(apps.globex, 'gina', apps.globex.scopes, 'v1', Date.now())).accessToken;

      // M1, day 0 09:00–10:00: alice; bob in two stints (25 + 20 min); gina from globex; alice switches device.
    at(day(0, '09:00:00'));
    const m1 = await start('alice', 'M1');
    meetings.m1 = m1.meeting.id;
    at(day(0, '09:05:00'));
    const bob1 = await joinNo('bob', m1.meeting.meeting_no);
    at(day(0, '09:10:00'));
    const gina = await joinNo('gina', m1.meeting.meeting_no);
    at(day(0, '09:12:00'));
    await joinNo('alice', m1.meeting.meeting_no);
    at(day(0, '09:20:00'));
    await leave('gina', gina.session_id);
    at(day(0, '09:30:00'));
    await leave('bob', bob1.session_id);
    at(day(0, '09:40:00'));
    await joinNo('bob', m1.meeting.meeting_no);
    at(day(0, '10:00:00'));
    await endAsHost('alice', m1.meeting.id);

    // G1, globex, day 0 11:00–11:30: gina hosts, alice joins from acme.
    at(day(0, '11:00:00'));
    const g1 = await start('gina', 'G1');
    at(day(0, '11:05:00'));
    await joinNo('alice', g1.meeting.meeting_no);
    at(day(0, '11:30:00'));
    await endAsHost('gina', g1.meeting.id);

    // M2, day 0 14:00: bob 14:00–14:20, member00 14:00:30–14:30; empty, it ends by itself at 14:31.
    at(day(0, '14:00:00'));
    const m2 = await start('bob', 'M2');
    meetings.m2 = m2.meeting.id;
    at(day(0, '14:00:30'));
    const mem0 = await joinNo('member00', m2.meeting.meeting_no);
    at(day(0, '14:20:00'));
    await leave('bob', m2.session_id);
    at(day(0, '14:30:00'));
    await leave('member00', mem0.session_id);
    at(day(0, '14:31:00'));
    for (let i = 0; (await s.runtime.repos.meetings.find('acme', m2.meeting.id))?.status !== MEETING_STATUS.ended; i++) {
      if (i > 100) throw new Error('M2 did not end once empty');
      await sleep(50);
    }

    // R1, globex, day 0 15:00–15:10: a room alone (rooms do not join through the protocol yet).
    at(day(0, '15:00:00'));
    const r1 = createMeeting({ id: newMeetingId(), tenantKey: 'globex', meetingNo: '912300001', topic: 'R1', source: 2, ownerUserId: 'gina', createdAt: Date.now() });
    await s.runtime.repos.meetings.insert(r1);
    await s.runtime.meetings.mutate('globex', r1.id, (m, t) => ({ events: join(m, { key: 'r:omm_board', userId: 'omm_board', userType: 2, tenantKey: 'globex', name: 'Board room', sessionId: 'rs_1' }, t), result: undefined }));
    at(day(0, '15:10:00'));
    await s.runtime.meetings.mutate('globex', r1.id, (m, t) => ({ events: end(m, null, t), result: undefined }));

    // M3, day 1 22:00 – day 2 02:00: alice; member01 from 22:05. Counted on day 1.
    at(day(1, '22:00:00'));
    const m3 = await start('alice', 'M3');
    at(day(1, '22:05:00'));
    await joinNo('member01', m3.meeting.meeting_no);
    at(day(2, '02:00:00'));
    await endAsHost('alice', m3.meeting.id);

    // M4, day 3: a reserve of bob's opened at 10:00; alice 10:10–10:20; ended 10:40.
    at(day(3, '09:00:00'));
    const reserve = await acme().vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: unix(day(3, '18:00:00')), owner_id: 'bob', meeting_settings: { topic: 'M4', password: '' } },
    });
    at(day(3, '10:00:00'));
    const m4 = await joinNo('bob', reserve.data!.reserve!.meeting_no!);
    at(day(3, '10:10:00'));
    const alice4 = await joinNo('alice', reserve.data!.reserve!.meeting_no!);
    at(day(3, '10:20:00'));
    await leave('alice', alice4.session_id);
    at(day(3, '10:40:00'));
    await endAsHost('bob', m4.meeting.id);

    // M5, day 4 09:00: member02's meeting, still going when the reports are read.
    at(day(4, '09:00:00'));
    await start('member02', 'M5');

    at(NOW);
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    vi.useRealTimers();
  });

  const zero = (n: number) => ({ date: unix(day(n)), meeting_count: '0', meeting_duration: '0', participant_count: '0' });

  it('get_daily: every day of the range, ended meetings on their start day, durations in seconds, all as strings', async () => {
    const r = await daily();
    expect(r.code).toBe(0);
    expect(r.data!.meeting_report).toEqual({
      // M1 3600 + M2 1860 + M3 14400 + M4 2400; participants 3 + 2 + 2 + 2; M5 is still going
      total_meeting_count: '4',
      total_meeting_duration: '22260',
      total_participant_count: '9',
      daily_report: [
        { date: unix(day(0)), meeting_count: '2', meeting_duration: String(3600 + 1860), participant_count: '5' },
        { date: unix(day(1)), meeting_count: '1', meeting_duration: '14400', participant_count: '2' },
        zero(2),
        { date: unix(day(3)), meeting_count: '1', meeting_duration: '2400', participant_count: '2' },
        ...[4, 5, 6, 7, 8, 9, 10].map(zero),
      ],
    });
  });

  it('get_daily: a range covers the whole days it touches, and not beyond today', async () => {
    const r = await daily(acme(), day(0, '09:30:00'), day(1, '08:00:00'));
    expect(r.data!.meeting_report!.daily_report!.map((d) => [d.date, d.meeting_count])).toEqual([
      [unix(day(0)), '2'],
      [unix(day(1)), '1'],
    ]);
    const future = await daily(acme(), day(9), day(55));
    expect(future.data!.meeting_report!.daily_report!.map((d) => d.date)).toEqual([unix(day(9)), unix(day(10))]);
    // the longest range the window allows reads the same history
    const wide = await daily(acme(), day(10 - 90), NOW);
    expect(wide.data!.meeting_report!.daily_report).toHaveLength(91);
    expect(wide.data!.meeting_report!.total_meeting_duration).toBe('22260');
  });

  it('get_top_user: own users ranked by meeting count or by time, durations in whole minutes', async () => {
    const shown = (r: Awaited<ReturnType<typeof top>>) => r.data!.top_user_report!.map((u) => [u.name, u.user_type, u.meeting_count, u.meeting_duration]);
    // alice 3600 + 14400 + 600 s, bob 2700 + 1200 + 2400 s, member01 14100 s, member00 1770 s; gina is external
    expect(shown(await top(1))).toEqual([
      ['Alice', 1, '3', '310'],
      ['Bob', 1, '3', '105'],
      ['Member 1', 1, '1', '235'],
      ['Member 0', 1, '1', '29'],
    ]);
    expect(shown(await top(2))).toEqual([
      ['Alice', 1, '3', '310'],
      ['Member 1', 1, '1', '235'],
      ['Bob', 1, '3', '105'],
      ['Member 0', 1, '1', '29'],
    ]);
    expect(shown(await top(2, { limit: 2 }))).toEqual([
      ['Alice', 1, '3', '310'],
      ['Member 1', 1, '1', '235'],
    ]);
    // day 0 alone: bob 2 meetings (2700 + 1200 s), alice 1 (3600 s), member00 1 (1770 s)
    expect(shown(await top(1, { end: day(0, '23:59:59') }))).toEqual([
      ['Bob', 1, '2', '65'],
      ['Alice', 1, '1', '60'],
      ['Member 0', 1, '1', '29'],
    ]);
    // day 1 holds M3, which ran past midnight; day 2 holds nothing
    expect(shown(await top(1, { start: day(1), end: day(1) }))).toEqual([
      ['Alice', 1, '1', '240'],
      ['Member 1', 1, '1', '235'],
    ]);
    expect(shown(await top(1, { start: day(2), end: day(2, '23:00:00') }))).toEqual([]);
    // the widest window reads longer spans of the same rollups
    expect(shown(await top(1, { start: day(10 - 90) }))).toEqual(shown(await top(1)));
  });

  it('get_top_user: IDs in the requested type (open_id by default)', async () => {
    const dir = s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId);
    const ids = async (type?: 'open_id' | 'union_id' | 'user_id') => (await top(1, { limit: 2, ...(type ? { user_id_type: type } : {}) })).data!.top_user_report!.map((u) => u.id);
    expect(await ids()).toEqual([dir.openIdOf('alice'), dir.openIdOf('bob')]);
    expect(await ids('open_id')).toEqual([dir.openIdOf('alice'), dir.openIdOf('bob')]);
    expect(await ids('union_id')).toEqual([deriveUnionId('acme', 'alice'), deriveUnionId('acme', 'bob')]);
    expect(await ids('user_id')).toEqual(['alice', 'bob']);
    // limit defaults to 10
    const all = await raw('get_top_user', `start_time=${unix(day(0))}&end_time=${unix(NOW)}&order_by=1`);
    expect(all.body.data.top_user_report).toHaveLength(4);
  });

  it('keeps tenants apart: globex sees its own meetings, with a room among its top users', async () => {
    const g = await daily(globex());
    // G1 1800 s with gina and alice (external), R1 600 s with the room
    expect(g.data!.meeting_report).toMatchObject({ total_meeting_count: '2', total_meeting_duration: '2400', total_participant_count: '3' });
    expect(g.data!.meeting_report!.daily_report![0]).toEqual({ date: unix(day(0)), meeting_count: '2', meeting_duration: '2400', participant_count: '3' });
    const t = await top(1, { user_id_type: 'union_id' }, globex());
    expect(t.data!.top_user_report).toEqual([
      { id: deriveUnionId('globex', 'gina'), name: 'Gina', user_type: 1, meeting_count: '1', meeting_duration: '30' },
      { id: 'omm_board', name: 'Board room', user_type: 2, meeting_count: '1', meeting_duration: '10' },
    ]);
    // Rooms have no user_id (report.md §1.2)
    const e = await sdkError(top(1, { user_id_type: 'user_id' }, globex()));
    expect(e.status).toBe(400);
    expect(e.body).toMatchObject({ code: 122359 });
    expect(e.body.msg).toMatch(/Feishu Rooms, which have no user_id/);
  });

  it('refuses reversed, malformed and too old ranges and bad parameters with 121003, saying what is wrong', async () => {
    const bad = async (path: string, query: string, pattern: RegExp) => {
      const r = await raw(path, query);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.code).toBe(121003);
      expect(r.body.msg).toMatch(pattern);
    };
    const ok = `start_time=${unix(day(0))}&end_time=${unix(NOW)}`;
    await bad('get_daily', `start_time=${unix(day(3))}&end_time=${unix(day(1))}`, /start_time \(\d+\) is after end_time \(\d+\)/);
    await bad('get_daily', `start_time=yesterday&end_time=${unix(NOW)}`, /start_time must be a unix timestamp in seconds, got "yesterday"/);
    await bad('get_daily', `start_time=${unix(day(0))}&end_time=1.5e9`, /end_time must be a unix timestamp in seconds/);
    await bad('get_daily', `end_time=${unix(NOW)}`, /start_time is required/);
    await bad('get_daily', `start_time=${unix(day(10 - 91))}&end_time=${unix(NOW)}`, /reaches back further than the 90 days reports cover/);
    await bad('get_daily', `${ok}&unit=4`, /unit must be <= 3/);
    await bad('get_top_user', `${ok}&order_by=3`, /order_by must be <= 2/);
    await bad('get_top_user', ok, /order_by is required/);
    await bad('get_top_user', `${ok}&order_by=1&limit=101`, /limit must be <= 100/);
    await bad('get_top_user', `${ok}&order_by=1&limit=0`, /limit must be >= 1/);
    await bad('get_top_user', `${ok}&order_by=x`, /order_by must be integer/);
    await bad('get_top_user', `${ok}&order_by=1&user_id_type=email`, /user_id_type must be one of: open_id, union_id, user_id/);
    await bad('get_daily', `start_time=${unix(day(0))}&start_time=${unix(day(1))}&end_time=${unix(NOW)}`, /start_time must be string/);
    await bad('get_daily', `start_time=0&end_time=${unix(NOW)}`, /reaches back further/);
    // a range wholly in the future has no days yet
    const later = await raw('get_daily', `start_time=999999999999&end_time=999999999999`);
    expect(later.body.data.meeting_report).toEqual({ total_meeting_count: '0', total_meeting_duration: '0', total_participant_count: '0', daily_report: [] });
    // every residency answers the same: openvc keeps a tenant's data in one place
    const unit1 = await raw('get_daily', `${ok}&unit=1`);
    expect(unit1.body.data).toEqual((await raw('get_daily', ok)).body.data);
  });

  it('takes tenant tokens with vc:report:readonly only, and user_id needs the employee ID field scope', async () => {
    const asUser = await fetch(`${s.url}/open-apis/vc/v1/reports/get_daily?start_time=${unix(day(0))}&end_time=${unix(NOW)}`, { headers: { authorization: `Bearer ${tokens.alice}` } });
    expect(asUser.status).toBe(400);
    expect(await asUser.json()).toMatchObject({ code: 99991668, msg: expect.stringMatching(/accepts only a tenant_access_token/) });

    const narrow = await sdkError(daily(s.client(fixture.acme.narrow)));
    expect(narrow.status).toBe(400);
    expect(narrow.body).toMatchObject({ code: 99991672, error: { permission_violations: [{ type: 'action_scope_required', subject: 'vc:report:readonly' }] } });
    expect((await sdkError(top(1, {}, s.client(fixture.acme.none)))).body.code).toBe(99991672);

    const reportsOnly = s.client(REPORT_APP);
    expect((await daily(reportsOnly)).data!.meeting_report!.total_meeting_count).toBe('4');
    expect((await top(1, {}, reportsOnly)).data!.top_user_report).toHaveLength(4);
    const fieldScope = await sdkError(top(1, { user_id_type: 'user_id' }, reportsOnly));
    expect(fieldScope.status).toBe(400);
    expect(fieldScope.body).toMatchObject({ code: 99991672, error: { permission_violations: [{ type: 'field_scope_required', subject: 'contact:user.employee_id:readonly' }] } });
  });

  it('openvc reports rebuild recomputes the same reports from the meeting history', async () => {
    const before = { daily: (await daily()).data, top: (await top(2)).data, globex: (await top(1, {}, globex())).data };
    await s.runtime.repos.reports.clear('acme');
    expect((await daily()).data!.meeting_report!.total_meeting_count).toBe('0');

    const r = await openvc(['reports', 'rebuild', ...s.store.cliArgs()]);
    expect(r.stderr + r.stdout).toMatch(/rebuilt the reports of 2 tenant\(s\) from 6 ended meetings/);
    expect(r.code).toBe(0);
    expect({ daily: (await daily()).data, top: (await top(2)).data, globex: (await top(1, {}, globex())).data }).toEqual(before);

    const one = await openvc(['reports', 'rebuild', '--tenant', 'globex', ...s.store.cliArgs()]);
    expect(one.stdout).toMatch(/rebuilt the reports of 1 tenant\(s\) from 2 ended meetings/);
    expect((await top(1, {}, globex())).data).toEqual(before.globex);
  });
});
