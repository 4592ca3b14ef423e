import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

type Json = Record<string, any>;

describe('meeting Open API', () => {
  let s: TestServer;
  let client: lark.Client;
  const tokens: Record<string, string> = {};
  const u = (name: string) => lark.withUserAccessToken(tokens[name]!);

  const clientCall = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    expect(json.code, JSON.stringify(json)).toBe(0);
    return json.data as Json;
  };

  /** alice hosts, bob and gina (another tenant) join. */
  async function liveMeeting() {
    const a = await clientCall('alice', 'POST', '/client/v1/meetings', { topic: 'Review' });
    const b = await clientCall('bob', 'POST', '/client/v1/meetings/join', { meeting_no: a.meeting.meeting_no });
    const g = await clientCall('gina', 'POST', '/client/v1/meetings/join', { meeting_no: a.meeting.meeting_no });
    return { id: a.meeting.id as string, no: a.meeting.meeting_no as string, sessions: { alice: a.session_id as string, bob: b.session_id as string, gina: g.session_id as string } };
  }

  beforeAll(async () => {
    s = await startTestServer();
    client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const globex = (await s.runtime.repos.apps.find(fixture.globex.full.appId))!;
    for (const name of ['alice', 'bob', 'member00', 'member01']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(globex, 'gina', globex.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('get', () => {
    it('shows a live meeting with participants and abilities to the tenant', async () => {
      const m = await liveMeeting();
      const res = await client.vc.meeting.get({ path: { meeting_id: m.id }, params: { with_participants: true, with_meeting_ability: true, user_id_type: 'user_id' } });
      expect(res.code).toBe(0);
      const meeting = res.data!.meeting!;
      expect(meeting).toMatchObject({
        id: m.id,
        topic: 'Review',
        meeting_no: m.no,
        url: `${s.url}/j/${m.no}`,
        status: 2,
        host_user: { id: 'alice', user_type: 1 },
        participant_count: '3',
        participant_count_accumulated: '3',
        meeting_connect: false,
        ability: { use_video: false, use_audio: false, use_share_screen: false, use_follow_screen: false, use_recording: false, use_pstn: false },
        end_time: '0',
      });
      expect(Number(meeting.start_time)).toBeGreaterThan(0);
      // user_id shows only this tenant's Lark users: gina (external) is left out
      expect(meeting.participants!.map((p) => [p.id, p.is_host, p.is_external, p.status])).toEqual([
        ['alice', true, false, 2],
        ['bob', false, false, 2],
      ]);
      const open = await client.vc.meeting.get({ path: { meeting_id: m.id }, params: { with_participants: true } });
      expect(open.data!.meeting!.participants!.map((p) => [p.id?.slice(0, 3), p.is_external])).toEqual([
        ['ou_', false],
        ['ou_', false],
        ['ou_', true],
      ]);
      expect(open.data!.meeting!.ability).toBeUndefined();
    });

    it('the url it hands out leads to a page naming the meeting', async () => {
      const m = await liveMeeting();
      const res = await fetch(`${s.url}/j/${m.no}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain(m.no);
      expect((await fetch(`${s.url}/j/12`)).status).toBe(404);
    });

    it('lets participants read it with a user token, without abilities; others get 121005', async () => {
      const m = await liveMeeting();
      const asBob = await client.vc.meeting.get({ path: { meeting_id: m.id }, params: { with_meeting_ability: true } }, u('bob'));
      expect(asBob.data!.meeting!.id).toBe(m.id);
      expect(asBob.data!.meeting!.ability).toBeUndefined();
      const e = await sdkError(client.vc.meeting.get({ path: { meeting_id: m.id } }, u('member00')));
      expect([e.status, e.body.code]).toEqual([403, 121005]);
    });

    it('unknown meetings and other tenants’ meetings are 121004', async () => {
      const m = await liveMeeting();
      const e = await sdkError(client.vc.meeting.get({ path: { meeting_id: '7000000000000000000' } }));
      expect([e.status, e.body.code]).toEqual([404, 121004]);
      const other = await sdkError(s.client(fixture.globex.full).vc.meeting.get({ path: { meeting_id: m.id } }));
      expect([other.status, other.body.code]).toEqual([404, 121004]);
    });
  });

  describe('list_by_no', () => {
    it('lists the meetings of a number in a window', async () => {
      const m = await liveMeeting();
      const now = Math.floor(Date.now() / 1000);
      const res = await client.vc.meeting.listByNo({ params: { meeting_no: m.no, start_time: String(now - 3600), end_time: String(now + 60) } });
      expect(res.data).toEqual({ has_more: false, page_token: '', meeting_briefs: [{ id: m.id, topic: 'Review', url: `${s.url}/j/${m.no}`, meeting_no: m.no, password: '', meeting_connect: false, note_id: '' }] });
      const e = await sdkError(client.vc.meeting.listByNo({ params: { meeting_no: m.no, start_time: String(now), end_time: String(now - 1) } }));
      expect([e.status, e.body.code]).toEqual([400, 121003]);
      const bad = await sdkError(client.vc.meeting.listByNo({ params: { meeting_no: '12', start_time: String(now - 1), end_time: String(now) } }));
      expect(bad.body.error.field_violations[0].field).toBe('meeting_no');
    });
  });

  describe('limits and locks', () => {
    let small: TestServer;
    let smallClient: lark.Client;
    const smallCall = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
      const res = await fetch(`${small.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      return (await res.json()) as Json;
    };
    beforeAll(async () => {
      small = await startTestServer({ config: { participantLimit: 3 } });
      smallClient = small.client(fixture.acme.full);
      // the same user tokens: mint them in this server's store too
      const acme = (await small.runtime.repos.apps.find(fixture.acme.full.appId))!;
      for (const name of ['alice', 'bob', 'member00', 'member01']) tokens[name] = (await small.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    });
    afterAll(async () => {
      // back to tokens of the main server
      const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
      for (const name of ['alice', 'bob', 'member00', 'member01']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
      await small?.close();
      await small?.store.dispose();
    });

    it('a full meeting takes no one else (122006), and the host can lock it (122008)', async () => {
      const a = await smallCall('alice', 'POST', '/client/v1/meetings', {});
      const no = a.data.meeting.meeting_no;
      const b = await smallCall('bob', 'POST', '/client/v1/meetings/join', { meeting_no: no });
      expect(b.code).toBe(0);
      const path = { path: { meeting_id: a.data.meeting.id }, params: { user_id_type: 'user_id' as const } };
      // only the host locks
      expect((await smallCall('bob', 'POST', `/client/v1/sessions/${b.data.session_id}/lock`)).code).toBe(121005);
      expect((await smallCall('alice', 'POST', `/client/v1/sessions/${a.data.session_id}/lock`)).code).toBe(0);
      expect((await smallCall('member00', 'POST', '/client/v1/meetings/join', { meeting_no: no })).code).toBe(122008);
      const locked = await sdkError(smallClient.vc.meeting.invite({ ...path, data: { invitees: [{ id: 'member00', user_type: 1 }] } }, lark.withUserAccessToken(tokens.alice!)));
      expect([locked.status, locked.body.code]).toEqual([400, 122008]);
      expect((await smallCall('alice', 'POST', `/client/v1/sessions/${a.data.session_id}/unlock`)).code).toBe(0);
      expect((await smallCall('member00', 'POST', '/client/v1/meetings/join', { meeting_no: no })).code).toBe(0);
      // three of three
      expect((await smallCall('member01', 'POST', '/client/v1/meetings/join', { meeting_no: no })).code).toBe(122006);
      const full = await sdkError(smallClient.vc.meeting.invite({ ...path, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, lark.withUserAccessToken(tokens.alice!)));
      expect([full.status, full.body.code]).toEqual([400, 122006]);
    });
  });

  describe('control', () => {
    it('kickout (tenant token): the target leaves with reason 3 and is told so; unknown users fail alone', async () => {
      const m = await liveMeeting();
      const open = await client.vc.meeting.get({ path: { meeting_id: m.id }, params: { with_participants: true, user_id_type: 'user_id' } });
      expect(open.data!.meeting!.participants).toHaveLength(2);
      const res = await client.vc.meeting.kickout({ path: { meeting_id: m.id }, params: { user_id_type: 'user_id' }, data: { kickout_users: [{ id: 'bob', user_type: 1 }, { id: 'nobody', user_type: 1 }] } });
      expect(res.data!.kickout_results).toEqual([
        { id: 'bob', user_type: 1, result: 1 },
        { id: 'nobody', user_type: 1, result: 2 },
      ]);
      const events = await clientCall('bob', 'GET', `/client/v1/sessions/${m.sessions.bob}/events`);
      expect(events.events.map((e: Json) => e.type)).toContain('kicked_out');
      const e = await sdkError(client.vc.meeting.kickout({ path: { meeting_id: m.id }, data: { kickout_users: [{ id: 'x' }] } }, u('alice')));
      expect(e.body.code).toBe(99991668);
    });

    it('set_host: compare-and-set, target rules, host-only for users', async () => {
      const m = await liveMeeting();
      const p = { path: { meeting_id: m.id }, params: { user_id_type: 'user_id' as const } };
      const stale = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'bob', user_type: 1 }, old_host_user: { id: 'bob', user_type: 1 } } }));
      expect([stale.status, stale.body.code]).toEqual([409, 121006]);
      const ok = await client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'bob', user_type: 1 }, old_host_user: { id: 'alice', user_type: 1 } } });
      expect(ok.data).toEqual({ host_user: { id: 'bob', user_type: 1 } });
      const notIn = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'member00', user_type: 1 } } }));
      expect(notIn.body.code).toBe(122004);
      const notHost = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'alice', user_type: 1 } } }, u('alice')));
      expect([notHost.status, notHost.body.code]).toEqual([403, 121005]);
      const self = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'bob', user_type: 1 } } }, u('bob')));
      expect(self.body.code).toBe(122005);
      await clientCall('alice', 'POST', `/client/v1/sessions/${m.sessions.alice}/leave`);
      const left = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'alice', user_type: 1 } } }));
      expect(left.body.code).toBe(122009);
    });

    it('invite (user token): invitees ring; busy, self, outsiders and locked rules', async () => {
      const m = await liveMeeting();
      const p = { path: { meeting_id: m.id }, params: { user_id_type: 'user_id' as const } };
      const res = await client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, u('alice'));
      expect(res.data).toEqual({ invite_results: [{ id: 'member01', user_type: 1, status: 1 }] });
      const ring = await clientCall('member01', 'GET', '/client/v1/events');
      expect(ring.events.at(-1)).toMatchObject({ type: 'ringing', payload: { meeting_id: m.id, meeting_no: m.no, inviter: 'alice' } });
      expect((await sdkError(client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, u('alice')))).body.code).toBe(122007);
      expect((await sdkError(client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'alice', user_type: 1 }] } }, u('alice')))).body.code).toBe(122005);
      expect((await sdkError(client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'bob', user_type: 1 }] } }, u('member00')))).body.code).toBe(122003);
      expect((await sdkError(client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'bob' }] } }))).body.code).toBe(99991663);
      // the invitee accepts by joining
      await clientCall('member01', 'POST', '/client/v1/meetings/join', { meeting_no: m.no });
      const after = await client.vc.meeting.get({ ...p, params: { with_participants: true, user_id_type: 'user_id' } });
      expect(after.data!.meeting!.participants!.find((x) => x.id === 'member01')?.status).toBe(2);
    });

    it('an invitee can decline, and an unanswered invitation stops ringing when its time is up', async () => {
      const m = await liveMeeting();
      const p = { path: { meeting_id: m.id }, params: { user_id_type: 'user_id' as const } };
      const ringing = async () => ((await client.vc.meeting.get({ ...p, params: { with_participants: true, user_id_type: 'user_id' } })).data!.meeting!.participants ?? []).filter((x) => x.status === 3).map((x) => x.id);
      await client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member00', user_type: 1 }] } }, u('alice'));
      expect(await ringing()).toEqual(['member00']);
      expect((await clientCall('member00', 'POST', `/client/v1/meetings/${m.id}/decline`))).toEqual({});
      expect(await ringing()).toEqual([]);
      const res = await fetch(`${s.url}/client/v1/meetings/${m.id}/decline`, { method: 'POST', headers: { authorization: `Bearer ${tokens.member00}` } });
      expect(((await res.json()) as Json).code).toBe(122009);
      // ring again and let the durable timeout run
      await client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member00', user_type: 1 }] } }, u('alice'));
      expect(await ringing()).toEqual(['member00']);
      await s.runtime.store.db.updateTable('jobs').set({ run_at: Date.now() - 1 }).where('dedupe_key', '=', `meeting.ring_timeout:${m.id}:u:member00`).execute();
      await s.runtime.jobs.runDue();
      expect(await ringing()).toEqual([]);
    });

    it('invite only calls Feishu users: other user types are 121002', async () => {
      const m = await liveMeeting();
      const e = await sdkError(client.vc.meeting.invite({ path: { meeting_id: m.id }, params: { user_id_type: 'user_id' }, data: { invitees: [{ id: 'member01', user_type: 6 }] } }, u('alice')));
      expect([e.status, e.body.code]).toEqual([400, 121002]);
    });

    it('end (user token, host only): everyone leaves, the meeting is over, nothing more can happen', async () => {
      const m = await liveMeeting();
      const path = { path: { meeting_id: m.id } };
      expect((await sdkError(client.vc.meeting.end(path))).body.code).toBe(99991663);
      expect((await sdkError(client.vc.meeting.end(path, u('bob')))).body.code).toBe(121005);
      expect((await sdkError(client.vc.meeting.end(path, u('member00')))).body.code).toBe(122003);
      expect((await client.vc.meeting.end(path, u('alice'))).code).toBe(0);
      const got = await client.vc.meeting.get({ ...path, params: { with_participants: true, user_id_type: 'user_id' } });
      expect(got.data!.meeting).toMatchObject({ status: 3, host_user: { id: 'alice' } });
      expect(Number(got.data!.meeting!.end_time)).toBeGreaterThan(0);
      expect(got.data!.meeting!.participants!.every((x) => x.status === 4)).toBe(true);
      const bobEvents = await clientCall('bob', 'GET', `/client/v1/sessions/${m.sessions.bob}/events`);
      expect(bobEvents.events.map((e: Json) => e.type)).toContain('meeting_ended');
      const again = await sdkError(client.vc.meeting.end(path, u('alice')));
      expect([again.status, again.body.code]).toEqual([400, 122001]);
      const kick = await sdkError(client.vc.meeting.kickout({ ...path, data: { kickout_users: [{ id: 'x' }] } }));
      expect(kick.body.code).toBe(122001);
      const unknown = await sdkError(client.vc.meeting.end({ path: { meeting_id: '7000000000000000000' } }, u('alice')));
      expect([unknown.status, unknown.body.code]).toEqual([404, 122002]);
    });
  });
});
