import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';
import { downloadError, exported, finished, hms, protocol, shanghai } from './helpers/exports.js';
import { deriveOpenId } from '../src/domain/ids.js';
import { MEETING_HEADERS, PARTICIPANT_HEADERS, QUALITY_HEADERS } from './helpers/export-headers.js';

type Json = Record<string, any>;

const OTHER = { appId: 'cli_acmeother001', appSecret: 'acme-other-secret' };
const sec = (ms: number) => String(Math.floor(ms / 1000));

/**
 * A known history, played through the participant protocol: the sheets must say what happened.
 *
 * 1. "Quarterly review": alice (host, Windows) starts it; bob (web) and gina (from globex) join; bob turns
 *    on audio and video and shares his screen; alice turns on audio, reports two minutes of quality,
 *    leaves, re-joins from her phone and reports again (one minute overlaps); bob leaves; alice ends it.
 * 2. "All hands": bob starts it, alice and 22 members join, everybody leaves, the empty meeting ends.
 * 3. "Still going": member24 starts it and stays (an ongoing meeting).
 */
describe('exports and meeting-data queries', () => {
  let s: TestServer;
  let client: lark.Client;
  const tokens: Record<string, string> = {};
  const asUser = (u: string) => lark.withUserAccessToken(tokens[u]!);
  const t0 = Date.now() - 1000;
  const m: Json = {};
  const T = Math.floor(t0 / 60_000) * 60 - 600; // quality minutes (unix s), before the meeting for simplicity

  const aliceSample = (minute: number, k: number) => ({
    minute,
    rtt_ms: 40 * k,
    cpu: 20 * k,
    cpu_min: 10 * k,
    cpu_max: 30 * k,
    system_cpu: 40,
    system_cpu_max: 50 + 10 * k,
    audio: {
      sent: { bitrate_kbps: 50 * k, latency_ms: 20 * k, jitter_ms: 2 * k, packet_loss: 0.01 * k, packet_loss_max: 0.04 * k },
      received: { bitrate_kbps: 60 * k, latency_ms: 22, jitter_ms: 3, packet_loss: 0.02 },
      mic_volume_db: -20,
      speaker_volume_db: -10,
    },
    video: { received: { bitrate_kbps: 800 * k, latency_ms: 30, jitter_ms: 5, packet_loss: 0.005, packet_loss_max: 0.01, resolution: 360 * k, framerate: 15 * k } },
  });

  beforeAll(async () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: OTHER.appId, app_secret: OTHER.appSecret, name: 'Acme other', scopes: ALL });
    // Rate limits off: polling tasks would reach export.get's 100 calls a minute.
    s = await startTestServer({ seed, config: { emptyMeetingGrace: 0, rateLimit: false } });
    client = s.client(fixture.acme.full);
    const apps = { acme: (await s.runtime.repos.apps.find(fixture.acme.full.appId))!, globex: (await s.runtime.repos.apps.find(fixture.globex.full.appId))! };
    const members = Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`);
    for (const u of ['alice', 'bob', ...members]) tokens[u] = (await s.runtime.tokens.issueUserTokens(apps.acme, u, apps.acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(apps.globex, 'gina', apps.globex.scopes, 'v1', Date.now())).accessToken;
    const p = (u: string) => protocol(s.url, tokens[u]!);

    // 1. Quarterly review
    const a1 = await p('alice').start('Quarterly review', { type: 'desktop', os: 'Windows 11', client_version: '7.21.4', network_type: 'ethernet', ip: '192.168.1.10', microphone: '与系统一致', speaker: '与系统一致', camera: 'Integrated Camera' });
    const no = a1.meeting.meeting_no as string;
    const b1 = await p('bob').join(no, { type: 'web', os: 'Chrome 126 / macOS', client_version: '7.21.1', network_type: 'wifi', ip: '10.0.0.7', proxy: true, location: '中国大陆', protocol: 'tcp' });
    const g1 = await p('gina').join(no, { type: 'ios', os: 'iOS 17.5', client_version: '7.21.3', network_type: '4g' });
    await p('bob').media(b1.session_id, { audio: true, video: true });
    await p('bob').share(b1.session_id, true);
    await p('alice').media(a1.session_id, { audio: true });
    await p('alice').stats(a1.session_id, [aliceSample(T, 1), aliceSample(T + 60, 1)]);
    await p('alice').leave(a1.session_id);
    const a2 = await p('alice').join(no, { type: 'android', os: 'Android 14', client_version: '7.20.5', network_type: '4g', ip: '10.64.1.2', camera: '前置摄像头' });
    await p('alice').stats(a2.session_id, [aliceSample(T + 60, 3), aliceSample(T + 120, 2)]);
    await p('bob').leave(b1.session_id);
    await client.vc.meeting.end({ path: { meeting_id: a1.meeting.id } }, asUser('alice'));
    m.review = { id: a1.meeting.id, no, sessions: { a1: a1.session_id, a2: a2.session_id, b1: b1.session_id, g1: g1.session_id } };

    // 2. All hands
    const b2 = await p('bob').start('All hands', { type: 'desktop', os: 'macOS 14.5', client_version: '7.21.4', network_type: 'wifi' });
    const joined = [b2.session_id as string];
    for (const u of ['alice', ...members.slice(0, 22)]) joined.push((await p(u).join(b2.meeting.meeting_no, { type: 'web' })).session_id);
    const users = ['bob', 'alice', ...members.slice(0, 22)];
    for (const [i, session] of joined.entries()) await p(users[i]!).leave(session);
    await s.runtime.jobs.runDue();
    m.allHands = { id: b2.meeting.id, no: b2.meeting.meeting_no };

    // 3. Still going
    const o = await p('member24').start('Still going', { type: 'room' });
    m.ongoing = { id: o.meeting.id, no: o.meeting.meeting_no };
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  const meeting = (id: string) => s.runtime.repos.meetings.find('acme', id).then((x) => x!);
  const window = () => ({ start_time: sec(t0), end_time: sec(Date.now()) });

  it('exports the meeting list as the meetings happened', async () => {
    const sheet = await exported(client, client.vc.export.meetingList({ data: window(), params: { user_id_type: 'user_id' } }));
    expect(sheet.name).toBe('会议明细');
    expect(sheet.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(decodeURIComponent(String(sheet.headers['content-disposition']))).toMatch(/attachment; .*filename\*=UTF-8''会议明细_\d{8}_\d{6}\.xlsx/);
    expect(sheet.rows[0]).toEqual(MEETING_HEADERS);
    const review = await meeting(m.review.id);
    const allHands = await meeting(m.allHands.id);
    expect(sheet.rows.slice(1)).toEqual([
      [m.review.no, 'Quarterly review', 'Alice', 'Engineering', 'alice', 'A1', 'alice@acme.test', '+86138****0001', shanghai(review.startedAt!), shanghai(review.endedAt!), hms(review.endedAt! - review.startedAt!), 3, '是', '是', '是', '否', '否'],
      [m.allHands.no, 'All hands', 'Bob', 'Engineering', 'bob', null, 'bob@acme.test', '+141****0100', shanghai(allHands.startedAt!), shanghai(allHands.endedAt!), hms(allHands.endedAt! - allHands.startedAt!), 24, '否', '否', '否', '否', '否'],
    ]);
  });

  it('filters the meeting list by status, number and user, in the caller\'s ID type', async () => {
    const ongoing = await exported(client, client.vc.export.meetingList({ data: { ...window(), meeting_status: 1 } }));
    expect(ongoing.rows.slice(1).map((r) => [r[0], r[1], r[4], r[9]])).toEqual([[m.ongoing.no, 'Still going', deriveOpenId(fixture.acme.full.appId, 'acme', 'member24'), null]]);
    const byNo = await exported(client, client.vc.export.meetingList({ data: { ...window(), meeting_no: m.allHands.no } }));
    expect(byNo.rows.slice(1).map((r) => r[1])).toEqual(['All hands']);
    const byUser = await exported(client, client.vc.export.meetingList({ data: { ...window(), user_id: 'member03' }, params: { user_id_type: 'user_id' } }));
    expect(byUser.rows.slice(1).map((r) => r[1])).toEqual(['All hands']);
    // a user token sees the meetings that user took part in
    const mine = await exported(client, client.vc.export.meetingList({ data: window() }, asUser('member03')), asUser('member03'));
    expect(mine.rows.slice(1).map((r) => r[1])).toEqual(['All hands']);
    // there are no local screen-casts, nor scheduled future meetings
    const casts = await exported(client, client.vc.export.meetingList({ data: { ...window(), meeting_type: 3 } }));
    expect(casts.rows).toHaveLength(1);
    const future = await exported(client, client.vc.export.meetingList({ data: { start_time: sec(Date.now() + 86_400_000), end_time: sec(Date.now() + 2 * 86_400_000), meeting_status: 3 } }));
    expect(future.rows).toHaveLength(1);
    // a user asking about a meeting they did not take part in
    const live = await meeting(m.ongoing.id);
    const body = { meeting_start_time: sec(live.startedAt!), meeting_end_time: sec(Date.now()), meeting_no: m.ongoing.no, meeting_status: 1 };
    expect(await sdkError(client.vc.export.participantList({ data: body }, asUser('bob')))).toMatchObject({ status: 403, body: { code: 121005 } });
    expect((await exported(client, client.vc.export.participantList({ data: body }))).rows.slice(1).map((r) => [r[0], r[20], r[22]])).toEqual([['Member 24', null, null]]);
  });

  it('exports the participant list with devices, media and leave reasons', async () => {
    const review = await meeting(m.review.id);
    const sheet = await exported(
      client,
      client.vc.export.participantList({ data: { meeting_start_time: sec(review.startedAt!), meeting_end_time: sec(review.endedAt!) + '', meeting_no: m.review.no }, params: { user_id_type: 'user_id' } }),
    );
    expect(sheet.name).toBe('参会人明细');
    expect(sheet.rows[0]).toEqual(PARTICIPANT_HEADERS);
    const p = (key: string) => review.participants.find((x) => x.key === key)!;
    const [alice, bob, gina] = [p('u:alice'), p('u:bob'), p('x:globex:gina')];
    expect(sheet.rows.slice(1)).toEqual([
      ['Alice', 'Engineering', 'alice', 'A1', '+86138****0001', 'alice@acme.test', 'ANDROID', '7.20.5', '127.0.0.1', '10.64.1.2', '否', null, '4g', null, null, '前置摄像头', '是', '否', '否', shanghai(alice.firstJoinAt!), shanghai(alice.finalLeaveAt!), hms(alice.inMeetingMs), '会议结束'],
      ['Bob', 'Engineering', 'bob', null, '+141****0100', 'bob@acme.test', 'WEB', '7.21.1', '127.0.0.1', '10.0.0.7', '是', '中国大陆', 'wifi', null, null, null, '是', '是', '是', shanghai(bob.firstJoinAt!), shanghai(bob.finalLeaveAt!), hms(bob.inMeetingMs), '主动离会'],
      // a guest from another tenant: a name, no user_id here, no contact facts
      ['Gina', null, null, null, null, null, 'IOS', '7.21.3', '127.0.0.1', null, '否', null, '4g', null, null, null, '否', '否', '否', shanghai(gina.firstJoinAt!), shanghai(gina.finalLeaveAt!), hms(gina.inMeetingMs), '会议结束'],
    ]);
    // the twin shows the same rows
    const twin = await client.vc.participantList.get({ params: { meeting_start_time: sec(review.startedAt!), meeting_end_time: sec(review.endedAt!), meeting_no: m.review.no, user_id_type: 'user_id' } });
    expect(twin.code).toBe(0);
    expect(twin.data!.participants!.map((x) => [x.participant_name, x.user_id, x.device, x.public_ip, x.use_rtc_proxy, x.audio, x.video, x.sharing, x.join_time, x.time_in_meeting, x.leave_reason, x.is_external])).toEqual(
      sheet.rows.slice(1).map((r) => [r[0], r[2] ?? '', r[6], r[8], r[10] === '是', r[16] === '是', r[17] === '是', r[18] === '是', r[19], r[21], r[22], r[0] === 'Gina']),
    );
    expect(twin.data!.participants![1]).toMatchObject({ protocol: 'tcp', phone: '+141****0100', accept_status: 1 });
  });

  it('exports a participant\'s quality minute by minute, combining the minutes two clients reported', async () => {
    const review = await meeting(m.review.id);
    const alice = review.participants.find((x) => x.key === 'u:alice')!;
    const body = { meeting_start_time: sec(review.startedAt!), meeting_end_time: sec(review.endedAt!), meeting_no: m.review.no, join_time: sec(alice.firstJoinAt!), user_id: 'alice' };
    const sheet = await exported(client, client.vc.export.participantQualityList({ data: body, params: { user_id_type: 'user_id' } }));
    expect(sheet.name).toBe('参会人会议质量数据');
    expect(sheet.rows[0]).toEqual(QUALITY_HEADERS);
    expect(sheet.rows[0]).toHaveLength(35);
    const blank10 = Array(10).fill(null);
    const audio = (k: number, maxK = k) => ['' + 60 * k + 'kbps', '22ms', '3ms', '2%', '2%', `${50 * k}kbps`, `${20 * k}ms`, `${2 * k}ms`, `${k}%`, `${4 * maxK}%`];
    const video = (k: number) => [`${800 * k}kbps`, '30ms', '5ms', '0.5%', '1%', null, null, null, null, null];
    expect(sheet.rows.slice(1)).toEqual([
      [shanghai(T * 1000), ...audio(1), ...video(1), ...blank10, '10%', '20%', '30%', '60%'],
      // minute T+60 came from both clients (k = 1 and k = 3): averages averaged, maxima maximised, minima minimised
      [shanghai((T + 60) * 1000), ...audio(2, 3), ...video(2), ...blank10, '10%', '40%', '90%', '80%'],
      [shanghai((T + 120) * 1000), ...audio(2), ...video(2), ...blank10, '20%', '40%', '60%', '70%'],
    ]);
    // the twin: the same minutes, with the link as a whole
    const twin = await client.vc.participantQualityList.get({ params: { ...body, user_id_type: 'user_id' } });
    expect(twin.code).toBe(0);
    expect(twin.data!.participant_quality_list).toHaveLength(3);
    expect(twin.data!.participant_quality_list![1]).toMatchObject({
      network: { time: shanghai((T + 60) * 1000), network_delay: '80ms', bitrate_received: '1720kbps', bitrate_sent: '100kbps' },
      audio: { mic_input_volume: '-20dB', bitrate_sent: '100kbps' },
      video: { maximum_resolution_received: '1080P', framerate_received: '30fps', bitrate_sent: '' },
      cpu_usage: { client_avg_cpu_usage: '40%', client_max_cpu_usage: '90%', system_avg_cpu_usage: '40%', system_max_cpu_usage: '80%' },
    });
  });

  it('pages the twins with the SDK iterator and shows times in a requested zone', async () => {
    const allHands = await meeting(m.allHands.id);
    const params = { meeting_start_time: sec(allHands.startedAt!), meeting_end_time: sec(allHands.endedAt!), meeting_no: m.allHands.no, page_size: 20 };
    const first = await client.vc.participantList.get({ params });
    expect(first.data).toMatchObject({ has_more: true, page_token: expect.any(String) });
    expect(first.data!.participants).toHaveLength(20);
    const names: string[] = [];
    for await (const page of await client.vc.participantList.getWithIterator({ params })) names.push(...page!.participants!.map((x) => x.participant_name!));
    expect(names).toHaveLength(24);
    expect(new Set(names).size).toBe(24);
    expect(names.slice(0, 2)).toEqual(['Bob', 'Alice']);

    const utc = await client.vc.meetingList.get({ params: { ...window(), meeting_no: m.allHands.no, time_zone: 'UTC' } as never });
    expect(utc.data!.meeting_list![0]!.meeting_start_time).toBe(`${new Date(allHands.startedAt!).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '.')} (GMT+00:00)`);
    expect(utc.data!.meeting_list![0]).toMatchObject({ meeting_id: m.allHands.no, meeting_instance_id: m.allHands.id, number_of_participants: '24', number_of_devices: '24', meeting_type: 2 });
    // gina's tenant sees the acme meeting she joined when it asks for external meetings, without acme's contact facts
    const globex = s.client(fixture.globex.full);
    expect((await globex.vc.meetingList.get({ params: window() })).data!.meeting_list).toEqual([]);
    const external = (await globex.vc.meetingList.get({ params: { ...window(), include_external_meetings: true } })).data!.meeting_list!;
    expect(external.map((x) => [x.meeting_topic, x.is_external, x.organizer, x.user_id, x.email, x.number_of_participants])).toEqual([
      ['Quarterly review', true, 'Alice', deriveOpenId(fixture.globex.full.appId, 'acme', 'alice'), '', '3'],
    ]);
    const bad = await sdkError(client.vc.meetingList.get({ params: { ...window(), time_zone: 'Mars/Olympus' } as never }));
    expect(bad.body).toMatchObject({ code: 99992402 });
    expect(bad.body.error.field_violations[0].field).toBe('time_zone');
  });

  it('answers bad export input with 121003/121004 and creates nothing', async () => {
    const count = async () => (await s.runtime.repos.exports.list({}, 10_000)).length;
    const before = await count();
    const now = Math.floor(Date.now() / 1000);
    const cases: [() => Promise<unknown>, number, number, RegExp][] = [
      [() => client.vc.export.meetingList({ data: { start_time: String(now), end_time: String(now - 60) } }), 400, 121003, /end_time is before start_time/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now - 400 * 86400), end_time: String(now) } }), 400, 121003, /at most 365 day/],
      [() => client.vc.export.meetingList({ data: { start_time: 'yesterday', end_time: String(now) } }), 400, 121003, /start_time must be unix seconds/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now + 3600), end_time: String(now + 7200) } }), 400, 121003, /start_time lies in the future/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now), meeting_no: m.review.no, user_id: 'x' } }), 400, 121003, /at most one filter/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now), meeting_no: '12345' } }), 400, 121003, /9 digits/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now), meeting_status: 7 } }), 400, 121003, /meeting_status/],
      [() => client.vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now), room_id: 'omm_123' } }), 404, 121004, /room omm_123/],
      [() => client.vc.export.participantList({ data: { meeting_start_time: String(now - 3 * 86400), meeting_end_time: String(now), meeting_no: m.review.no } }), 400, 121003, /at most 1 day/],
      [() => client.vc.export.participantList({ data: { meeting_start_time: String(now - 3600), meeting_end_time: String(now), meeting_no: '123456789' } }), 404, 121004, /no meeting with number 123456789/],
      [() => client.vc.export.participantList({ data: { meeting_start_time: String(now - 3600), meeting_end_time: String(now), meeting_no: m.review.no, user_id: 'a', room_id: 'b' } }), 400, 121003, /cannot be set together/],
      [() => client.vc.export.participantQualityList({ data: { meeting_start_time: String(now - 3600), meeting_end_time: String(now), meeting_no: m.review.no, join_time: String(now - 7200), user_id: 'alice' }, params: { user_id_type: 'user_id' } }), 404, 121004, /did not join/],
      [() => client.vc.export.participantQualityList({ data: { meeting_start_time: String(now - 3600), meeting_end_time: String(now), meeting_no: m.ongoing.no, join_time: String(now), user_id: 'member24' }, params: { user_id_type: 'user_id' } }), 400, 121003, /has not ended/],
      [() => client.vc.export.participantQualityList({ data: { meeting_start_time: String(now - 3600), meeting_end_time: String(now), meeting_no: m.review.no, join_time: String(now) } }), 400, 121003, /exactly one of user_id and room_id/],
    ];
    for (const [call, status, code, msg] of cases) {
      const e = await sdkError(call());
      expect(e.status, JSON.stringify(e.body)).toBe(status);
      expect(e.body.code, JSON.stringify(e.body)).toBe(code);
      expect(e.body.msg).toMatch(msg);
    }
    // unknown users get the gateway's ID codes, as everywhere
    const unknown = await sdkError(client.vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now), user_id: 'nobody' }, params: { user_id_type: 'user_id' } }));
    expect(unknown).toMatchObject({ status: 400, body: { code: 99992360 } });
    // a missing field is the gateway's validation error
    const missing = await sdkError(client.vc.export.participantList({ data: { meeting_start_time: String(now - 60), meeting_end_time: String(now) } as never }));
    expect(missing.body).toMatchObject({ code: 99992402 });
    // user_id needs the employee_id field scope; the export needs vc:export
    const narrow = await sdkError(s.client(fixture.acme.narrow).vc.export.meetingList({ data: { start_time: String(now - 60), end_time: String(now) } }));
    expect(narrow.body).toMatchObject({ code: 99991672 });
    expect(await count()).toBe(before);
  });

  it('answers bad query input with the twins\' 126xxx codes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const review = await meeting(m.review.id);
    const one = { meeting_start_time: sec(review.startedAt!), meeting_end_time: sec(review.endedAt!), meeting_no: m.review.no };
    const cases: [() => Promise<unknown>, number][] = [
      [() => client.vc.meetingList.get({ params: { start_time: String(now + 60), end_time: String(now + 120) } }), 126005],
      [() => client.vc.meetingList.get({ params: { start_time: String(now - 400 * 86400), end_time: String(now) } }), 126006],
      [() => client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), meeting_no: '-12345678' } }), 126003],
      [() => client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), meeting_no: '1234' } }), 126004],
      [() => client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), meeting_no: m.review.no, meeting_type: 2 } }), 126008],
      [() => client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), room_id: 'omm_1' } }), 126015],
      [() => client.vc.participantList.get({ params: { ...one, user_id: 'a', room_id: 'b' } }), 126007],
      [() => client.vc.participantList.get({ params: { ...one, meeting_start_time: String(now - 2 * 86400) } }), 126006],
      [() => client.vc.participantList.get({ params: { ...one, meeting_no: '111111111' } }), 126009],
      [() => client.vc.participantQualityList.get({ params: { ...one, join_time: String(now - 86400), user_id: 'alice', user_id_type: 'user_id' } }), 126010],
      [() => client.vc.participantQualityList.get({ params: { ...one, join_time: String(now), room_id: 'omm_1' } }), 126010],
    ];
    for (const [call, code] of cases) {
      const e = await sdkError(call());
      expect(e.status, JSON.stringify(e.body)).toBe(400);
      expect(e.body.code, JSON.stringify(e.body)).toBe(code);
    }
    // page tokens are opaque: garbage, or a token whose values are not this list's, is a validation error
    const forged = Buffer.from(JSON.stringify({ m: m.review.id, j: 'not a time', k: 'u:alice' })).toString('base64url');
    for (const page_token of ['%%%', forged]) {
      const e = await sdkError(client.vc.participantList.get({ params: { ...one, page_token } }));
      expect(e.body.code).toBe(99992402);
      expect(e.body.error.field_violations[0].field).toBe('page_token');
    }
    // future meetings are not selectable in the twin; page sizes are 20–100
    expect((await sdkError(client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), meeting_status: 3 } }))).body.code).toBe(99992402);
    expect((await sdkError(client.vc.meetingList.get({ params: { start_time: String(now - 60), end_time: String(now), page_size: 10 } }))).body.code).toBe(99992402);
  });

  it('lets only the creator read a task and download its file', async () => {
    const created = await client.vc.export.meetingList({ data: window() });
    const taskId = created.data!.task_id!;
    const task = await finished(client, taskId);
    expect(task.url).toBe(`${s.url}/open-apis/vc/v1/exports/download?file_token=${encodeURIComponent(task.file_token)}`);
    const other = s.client(OTHER);
    const globex = s.client(fixture.globex.full);

    // another app of the tenant: forbidden; another tenant: there is no such task or file
    expect(await sdkError(other.vc.export.get({ path: { task_id: taskId } }))).toMatchObject({ status: 403, body: { code: 121005 } });
    expect(await downloadError(other.vc.export.download({ params: { file_token: task.file_token } }))).toMatchObject({ status: 403, body: { code: 121005 } });
    expect(await sdkError(globex.vc.export.get({ path: { task_id: taskId } }))).toMatchObject({ status: 404, body: { code: 121004 } });
    expect(await downloadError(globex.vc.export.download({ params: { file_token: task.file_token } }))).toMatchObject({ status: 404, body: { code: 121004 } });
    expect(await sdkError(client.vc.export.get({ path: { task_id: 'abc' } }))).toMatchObject({ status: 400, body: { code: 121003 } });
    expect(await sdkError(client.vc.export.get({ path: { task_id: '123' } }))).toMatchObject({ status: 404, body: { code: 121004 } });
    expect(await downloadError(client.vc.export.download({ params: { file_token: 'nope' } }))).toMatchObject({ status: 404, body: { code: 121004 } });

    // a user's task: the same user (through any app) may read it, another user may not
    const mine = await client.vc.export.meetingList({ data: window() }, asUser('alice'));
    const mineTask = await finished(client, mine.data!.task_id!, asUser('alice'));
    expect(await sdkError(client.vc.export.get({ path: { task_id: mine.data!.task_id! } }, asUser('bob')))).toMatchObject({ status: 403, body: { code: 121005 } });
    expect(await downloadError(client.vc.export.download({ params: { file_token: mineTask.file_token } }, asUser('bob')))).toMatchObject({ status: 403, body: { code: 121005 } });
    expect((await client.vc.export.download({ params: { file_token: mineTask.file_token } }, asUser('alice'))).headers['content-type']).toMatch(/spreadsheetml/);

    // an expired file
    await s.runtime.store.db.updateTable('export_tasks').set({ expires_at: Date.now() - 1000 }).where('task_id', '=', taskId).execute();
    const expired = await downloadError(client.vc.export.download({ params: { file_token: task.file_token } }));
    expect(expired).toMatchObject({ status: 404, body: { code: 121004 } });
    expect(expired.body.msg).toMatch(/expired/);
    // the expiry job deletes it; the task itself stays readable a while
    await s.runtime.exports.expire({ task_id: taskId, stage: 'file' });
    expect(await s.runtime.repos.exports.chunks(taskId, 0, 10)).toEqual([]);
    expect((await client.vc.export.get({ path: { task_id: taskId } })).data).toMatchObject({ status: 3 });
  });
});
