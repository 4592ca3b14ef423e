import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { ALL, fixture, fixtureSeed, NARROW_SCOPES } from './helpers/fixture.js';
import { protocol } from './helpers/exports.js';
import { closeLocal, sdkEventReceiver } from './helpers/local-http.js';
import { FileCapture, aliceReserve, capturedLogs, ffprobe, settledRecordings } from './helpers/recording.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';

type Json = Record<string, any>;
type Opts = ReturnType<typeof lark.withUserAccessToken>;

const hook = { appId: 'cli_acmerechook01', appSecret: 'acme-recording-hook' };
const RECORDING_EVENTS = ['vc.meeting.recording_started_v1', 'vc.meeting.recording_ended_v1', 'vc.meeting.recording_ready_v1'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`recording Open API (${dialect})`, () => {
  let s: TestServer;
  let client: lark.Client;
  let receiver: Server;
  let received: Json[] = [];
  const capture = new FileCapture();
  const logs = capturedLogs();
  const tokens: Record<string, string> = {};
  const u = (name: string): Opts => lark.withUserAccessToken(tokens[name]!);
  const p = (name: string) => protocol(s.url, tokens[name]!);

  const start = (meetingId: string, as: string, data?: { timezone?: number }) => client.vc.meetingRecording.start({ path: { meeting_id: meetingId }, ...(data ? { data } : {}) }, u(as));
  const stop = (meetingId: string, as: string) => client.vc.meetingRecording.stop({ path: { meeting_id: meetingId } }, u(as));
  const get = (meetingId: string, opts?: Opts) => client.vc.meetingRecording.get({ path: { meeting_id: meetingId } }, opts);
  const setPermission = (meetingId: string, data: Json, as = 'alice', params: Json = { user_id_type: 'user_id' }) =>
    client.vc.meetingRecording.setPermission({ path: { meeting_id: meetingId }, params, data: data as never }, u(as));

  /** A reserve owned by alice; alice joins first (host), then bob. */
  async function liveMeeting() {
    const r = await aliceReserve(client);
    const alice = await p('alice').join(r.meeting_no!, { type: 'web' });
    const bob = await p('bob').join(r.meeting_no!, { type: 'web' });
    return { id: alice.meeting.id as string, no: r.meeting_no!, sessions: { alice: alice.session_id as string, bob: bob.session_id as string } };
  }
  const processed = (meetingId: string) => settledRecordings(s, meetingId);

  beforeAll(async () => {
    let url: string;
    ({ server: receiver, url, received } = await sdkEventReceiver('/events', 'vt-rec', RECORDING_EVENTS));
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: hook.appId, app_secret: hook.appSecret, name: 'Recording hook', scopes: ALL, events: { request_url: url, verification_token: 'vt-rec', subscribe: RECORDING_EVENTS } });
    s = await startTestServer({ seed, config: { rateLimit: false, emptyMeetingGrace: 0, recordingCloseWait: 1 }, capture, logger: logs.logger });
    client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const narrow = (await s.runtime.repos.apps.find(fixture.acme.narrow.appId))!;
    const globex = (await s.runtime.repos.apps.find(fixture.globex.full.appId))!;
    for (const name of ['alice', 'bob', 'member00']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    tokens.narrow = (await s.runtime.tokens.issueUserTokens(narrow, 'alice', NARROW_SCOPES, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(globex, 'gina', globex.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    if (receiver) await closeLocal(receiver);
  });

  it('start, stop and get: the host records, the file is an MP4 of the segment, the events arrive in order', async () => {
    const m = await liveMeeting();
    capture.plans.set(m.id, [
      { kind: 'audio', participantKey: 'u:alice', offsetMs: 0, seconds: 2 },
      { kind: 'video', participantKey: 'u:alice', offsetMs: 0, seconds: 2 },
      { kind: 'video', participantKey: 'u:bob', offsetMs: 500, seconds: 1.5 },
      { kind: 'audio', participantKey: 'u:bob', offsetMs: 500, seconds: 1.5 },
    ]);
    await ok(start(m.id, 'alice', { timezone: 8 }));
    const [open] = await s.runtime.repos.recordings.ofMeeting('acme', m.id);
    expect(open).toMatchObject({ status: 'recording', timezone: 8, started_by_user_id: 'alice', host_user_id: 'alice', ended_at: null });
    expect(capture.started.at(-1)).toEqual({ meetingId: m.id, dir: open!.raw_dir });
    expect(open!.raw_dir).toBe(`${s.store.dir}/recordings/${open!.id}/raw`);
    const ability = await ok(client.vc.meeting.get({ path: { meeting_id: m.id }, params: { with_meeting_ability: true } }));
    expect(ability.meeting!.ability!.use_recording).toBe(true);
    // while the meeting goes on, get says so
    expect(await failure(get(m.id))).toEqual([400, 122001, expect.stringContaining('meeting status unexpected')]);

    await sleep(2200);
    await ok(stop(m.id, 'alice'));
    expect(capture.stopped).toContain(m.id);
    expect((await s.runtime.repos.recordings.ofMeeting('acme', m.id))[0]!.status).toBe('processing');
    await ok(client.vc.meeting.end({ path: { meeting_id: m.id } }, u('alice')));
    expect(await failure(get(m.id))).toEqual([400, 124002, expect.stringContaining('record processing')]);

    const [rec] = await processed(m.id);
    expect(rec).toMatchObject({ status: 'ready', fail_reason: null });
    const durationMs = rec!.ended_at! - rec!.started_at;
    expect(rec!.duration_ms).toBe(durationMs);
    expect(durationMs).toBeGreaterThan(2000);
    const got = await ok(get(m.id));
    expect(got).toEqual({ recording: { id: rec!.id, meeting_id: m.id, url: `${s.url}/minutes/${rec!.url_token}`, duration: String(durationMs) } });
    expect(rec!.url_token).toMatch(/^obcn[a-z0-9]{20}$/);
    // the owner with a user token too
    expect((await ok(get(m.id, u('alice')))).recording!.url).toBe(got.recording!.url);

    const probe = await ffprobe(rec!.file_path!);
    expect(probe.streams.map((x) => [x.codec_type, x.codec_name]).sort()).toEqual([
      ['audio', 'aac'],
      ['video', 'h264'],
    ]);
    expect(probe.streams.find((x) => x.codec_type === 'video')).toMatchObject({ width: 1280, height: 720 });
    for (const x of probe.streams) expect(Math.abs(Number(x.duration) - durationMs / 1000)).toBeLessThanOrEqual(0.5);
    expect(existsSync(`${rec!.file_path}.part`)).toBe(false);

    // events, through the SDK's EventDispatcher, in order
    for (let i = 0; i < 100 && received.filter((e) => e.meeting?.id === m.id).length < 3; i++) await sleep(50);
    const mine = received.filter((e) => e.meeting?.id === m.id);
    expect(mine.map((e) => e.event_type)).toEqual(RECORDING_EVENTS);
    const alice = { union_id: deriveUnionId('acme', 'alice'), user_id: 'alice', open_id: deriveOpenId(hook.appId, 'acme', 'alice') };
    expect(mine[0]).toMatchObject({
      meeting: { id: m.id, topic: 'Recorded', meeting_no: m.no, meeting_source: 4, end_time: '0', host_user: { id: alice, user_role: 2, user_type: 1 }, owner: { id: alice, user_role: 2, user_type: 1 } },
      operator: { id: alice, user_role: 2, user_type: 1 },
    });
    expect(mine[1]).toMatchObject({ meeting: { id: m.id }, operator: { id: alice } });
    expect(mine[2]).toMatchObject({ meeting: { id: m.id, topic: 'Recorded', meeting_no: m.no, meeting_source: 4, owner: { id: alice } }, url: got.recording!.url, duration: String(durationMs) });
    expect(mine[2]!.meeting.host_user).toBeUndefined();
    expect(mine[2]!.meeting.start_time).toBeUndefined();
    expect(mine[2]!.operator).toBeUndefined();
  }, 60_000);

  it('a meeting recorded without any media still yields a playable file of its length', async () => {
    const m = await liveMeeting();
    await ok(start(m.id, 'alice'));
    await sleep(1200);
    await ok(client.vc.meeting.end({ path: { meeting_id: m.id } }, u('alice')));
    const [rec] = await processed(m.id);
    expect(rec!.status).toBe('ready');
    const probe = await ffprobe(rec!.file_path!);
    expect(probe.streams.map((x) => x.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(Number(probe.format.duration) - rec!.duration_ms! / 1000)).toBeLessThanOrEqual(0.5);
  }, 30_000);

  it('auto_record: the first join opens a segment and starts the capture; the end stops it', async () => {
    const r = await aliceReserve(client, { topic: 'Auto', auto_record: true });
    const bob = await p('bob').join(r.meeting_no!, { type: 'web' });
    const id = bob.meeting.id as string;
    const [open] = await s.runtime.repos.recordings.ofMeeting('acme', id);
    expect(open).toMatchObject({ status: 'recording', started_by_user_id: null, host_user_id: 'bob' });
    expect(capture.started.at(-1)).toEqual({ meetingId: id, dir: open!.raw_dir });
    // recording already: the host cannot start it again
    expect(await failure(start(id, 'bob'))).toEqual([400, 122001, expect.stringContaining('already')]);
    await p('bob').leave(bob.session_id);
    await s.runtime.jobs.runDue();
    expect(capture.stopped).toContain(id);
    const [rec] = await processed(id);
    expect(rec!.status).toBe('ready');
    expect((await ok(get(id))).recording!.duration).toBe(String(rec!.duration_ms));
  }, 30_000);

  describe('refusals', () => {
    it('start and stop: host only, in the meeting, in the right state, with the right token and scope', async () => {
      const m = await liveMeeting();
      expect(await failure(start(m.id, 'bob'))).toEqual([403, 121005, expect.stringContaining('only the current host')]);
      expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'recording request refused', action: 'start', meeting_id: m.id, user_id: 'bob', code: 121005 }));
      expect(await failure(start(m.id, 'member00'))).toEqual([400, 122003, expect.stringContaining('operator user not in meeting')]);
      expect(await failure(stop(m.id, 'alice'))).toEqual([400, 122001, expect.stringContaining('not being recorded')]);
      expect(await failure(start(m.id, 'alice', { timezone: 13 }))).toEqual([400, 121003, expect.stringContaining('timezone')]);
      const [malformed, code] = await failure(client.vc.meetingRecording.start({ path: { meeting_id: m.id }, data: { timezone: 'eight' as never } }, u('alice')));
      expect([malformed, code]).toEqual([400, 99992402]);
      // a tenant token is not accepted, nor a user token of an app without vc:record
      expect((await failure(client.vc.meetingRecording.start({ path: { meeting_id: m.id } })))[1]).toBe(99991663);
      expect((await failure(start(m.id, 'narrow')))[1]).toBe(99991672);
      // another tenant's meeting does not exist for gina; nor does an unknown id
      const globex = s.client(fixture.globex.full);
      expect(await failure(globex.vc.meetingRecording.start({ path: { meeting_id: m.id } }, u('gina')))).toEqual([404, 122002, expect.any(String)]);
      expect((await failure(start('7000000000000000000', 'alice')))[1]).toBe(122002);
      // raw requests: no body at all is fine, a body that is not JSON is the gateway's 99992402
      const raw = (path: string, body?: string) =>
        fetch(`${s.url}/open-apis/vc/v1/meetings/${m.id}/recording/${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${tokens.alice}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body });
      expect(((await (await raw('stop')).json()) as Json).code).toBe(122001);
      expect(((await (await raw('start', '{"timezone":')).json()) as Json).code).toBe(99992402);
      expect(((await (await raw('set_permission', '{}')).json()) as Json).code).toBe(99992402);
      expect(await s.runtime.repos.recordings.ofMeeting('acme', m.id)).toEqual([]);

      await ok(start(m.id, 'alice'));
      expect(await failure(start(m.id, 'alice'))).toEqual([400, 122001, expect.stringContaining('already')]);
      expect(await failure(stop(m.id, 'bob'))).toEqual([403, 121005, expect.any(String)]);
      await ok(stop(m.id, 'alice'));
      await ok(client.vc.meeting.end({ path: { meeting_id: m.id } }, u('alice')));
      expect(await failure(start(m.id, 'alice'))).toEqual([400, 122001, expect.any(String)]);
      expect(await s.runtime.repos.recordings.ofMeeting('acme', m.id)).toHaveLength(1);
    });

    it('get: owner or tenant, after the end, only once there is a file', async () => {
      const m = await liveMeeting();
      await ok(client.vc.meeting.end({ path: { meeting_id: m.id } }, u('alice')));
      expect(await failure(get(m.id))).toEqual([404, 121004, expect.stringContaining('not recorded')]);
      expect(await failure(get(m.id, u('bob')))).toEqual([403, 121005, expect.stringContaining('owner')]);
      expect((await failure(get('7000000000000000000')))[1]).toBe(122002);
      expect((await failure(s.client(fixture.globex.full).vc.meetingRecording.get({ path: { meeting_id: m.id } })))[1]).toBe(122002);
      expect((await failure(get(m.id, u('narrow'))))[1]).toBe(99991672);
    });

    it('set_permission: owner only, a ready recording, valid objects; nothing changes on a refusal', async () => {
      const m = await liveMeeting();
      const view = (type: number, id?: string) => ({ permission_objects: [{ type, permission: 1, ...(id ? { id } : {}) }] });
      expect(await failure(setPermission(m.id, view(4)))).toEqual([404, 121004, expect.stringContaining('no recording')]);
      await ok(start(m.id, 'alice'));
      await ok(client.vc.meeting.end({ path: { meeting_id: m.id } }, u('alice')));
      await processed(m.id);
      expect(await failure(setPermission(m.id, view(4), 'bob'))).toEqual([403, 121005, expect.stringContaining('owner')]);
      expect(await failure(setPermission(m.id, view(2, 'oc_x')))).toEqual([400, 121002, expect.stringContaining('group')]);
      expect(await failure(setPermission(m.id, { permission_objects: [{ type: 4, permission: 2 }] }))).toEqual([400, 121003, expect.stringContaining('permission')]);
      expect(await failure(setPermission(m.id, view(1)))).toEqual([400, 121003, expect.stringContaining('id is required')]);
      expect(await failure(setPermission(m.id, view(7)))).toEqual([400, 121003, expect.stringContaining('type')]);
      expect(await failure(setPermission(m.id, { ...view(4), action_type: 5 }))).toEqual([400, 121003, expect.stringContaining('action_type')]);
      expect((await failure(setPermission(m.id, { permission_objects: [view(3).permission_objects[0], { type: 1, permission: 1, id: 'nobody' }] })))[1]).toBe(99992360);
      expect((await failure(setPermission(m.id, { permission_objects: [] })))[1]).toBe(99992402);
      expect((await failure(client.vc.meetingRecording.setPermission({ path: { meeting_id: m.id }, data: view(4) })))[1]).toBe(99991663);
      expect((await failure(s.client(fixture.globex.full).vc.meetingRecording.setPermission({ path: { meeting_id: m.id }, data: view(4) }, u('gina'))))[1]).toBe(122002);
      expect(await s.runtime.repos.recordings.grants('acme', m.id)).toEqual([]);
      // open_id is the default ID type
      const bobOpenId = deriveOpenId(fixture.acme.full.appId, 'acme', 'bob');
      await ok(setPermission(m.id, view(1, bobOpenId), 'alice', {}));
      expect(await s.runtime.repos.recordings.grants('acme', m.id)).toEqual([{ kind: 'user', user_id: 'bob' }]);
    }, 30_000);
  });
});
