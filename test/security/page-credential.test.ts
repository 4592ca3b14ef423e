import * as lark from '@larksuiteoapi/node-sdk';
import { signIn } from '../helpers/sign-in.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer } from '../helpers/server.js';
import { failure, ok } from '../helpers/sdk.js';
import { fixture } from '../helpers/fixture.js';
import { protocol } from '../helpers/exports.js';
import { meetingPageCredential } from '../helpers/page-sign-in.js';
import { FileCapture } from '../helpers/recording.js';

type Json = Record<string, any>;
const INVALID_USER_TOKEN = 99991668;

/**
 * The attack of issue 14: anyone who knows a live meeting number signs in on its page and used the token
 * it got to delete a room. What `/j/:no/token` gives now is a meeting-page credential: the participant
 * protocol accepts it, no Open API method does.
 */
describe(`meeting-page credential (${dialect})`, () => {
  let s: TestServer;
  let tenant: lark.Client;
  let meetingNo = '';
  let pageToken = '';
  let bobToken = '';
  let roomId = '';
  let reserveId = '';

  const call = async (token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: false }, capture: new FileCapture() });
    tenant = s.client(fixture.acme.full);
    const reserve = (await ok(tenant.vc.reserve.apply({ params: { user_id_type: 'user_id' }, data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Page', password: '' } } }))).reserve!;
    meetingNo = reserve.meeting_no!;
    reserveId = reserve.id!;
    const level = (await ok(tenant.vc.roomLevel.create({ data: { name: 'HQ', parent_id: '0' } }))).room_level!.room_level_id!;
    roomId = (await ok(tenant.vc.room.create({ data: { name: 'Board room', capacity: 8, room_level_id: level } }))).room!.room_id!;
    pageToken = await meetingPageCredential(s.url, meetingNo, 'alice');
    bobToken = await meetingPageCredential(s.url, meetingNo, 'bob');
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('is a page credential, not a user_access_token', () => {
    expect(pageToken).toMatch(/^p-[A-Za-z0-9_-]{43}$/);
  });

  it('the Open API refuses it with 99991668 and nothing changes: room.delete, reserve.get, contact.user.get', async () => {
    const as = lark.withUserAccessToken(pageToken);
    const refusals = [
      await failure(tenant.vc.room.delete({ path: { room_id: roomId } }, as)),
      await failure(tenant.vc.reserve.get({ path: { reserve_id: reserveId }, params: { user_id_type: 'user_id' } }, as)),
      await failure(tenant.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }, as)),
      await failure(tenant.vc.reserve.delete({ path: { reserve_id: reserveId } }, as)),
      await failure(tenant.authen.userInfo.get({}, as)),
    ];
    for (const [status, code, msg] of refusals) {
      expect(status).toBe(400);
      expect(code).toBe(INVALID_USER_TOKEN);
      expect(msg).toContain('meeting-page credential is good only for the participant protocol and the recording player');
    }
    expect((await ok(tenant.vc.room.get({ path: { room_id: roomId } }))).room!.name).toBe('Board room');
    expect((await ok(tenant.vc.reserve.get({ path: { reserve_id: reserveId }, params: { user_id_type: 'user_id' } }))).reserve!.meeting_no).toBe(meetingNo);
  });

  it('a forged or altered page credential fails as an invalid user token', async () => {
    const [status, code] = await failure(tenant.vc.room.delete({ path: { room_id: roomId } }, lark.withUserAccessToken(pageToken.slice(0, -2) + 'xx')));
    expect([status, code]).toEqual([400, INVALID_USER_TOKEN]);
    const forged = await call('p-forged', 'POST', '/client/v1/meetings/join', { meeting_no: meetingNo });
    expect([forged.status, forged.json.code]).toEqual([400, INVALID_USER_TOKEN]);
  });

  it('the participant protocol accepts it for that user: join, media, host controls, recording, leave', async () => {
    const alice = protocol(s.url, pageToken);
    const joined = await alice.join(meetingNo, { type: 'web' });
    expect(joined.meeting.is_host).toBe(true);
    await alice.media(joined.session_id, { audio: true, video: false });
    const bob = protocol(s.url, bobToken);
    const bobJoined = await bob.join(meetingNo, { type: 'web' });
    expect(bobJoined.meeting.is_host).toBe(false);

    // the page's record button: host only, through the participant protocol
    const refused = await call(bobToken, 'POST', `/client/v1/sessions/${bobJoined.session_id}/recording/start`);
    expect([refused.status, refused.json.code]).toEqual([403, 121005]);
    expect((await call(pageToken, 'POST', `/client/v1/sessions/${joined.session_id}/recording/start`)).json.code).toBe(0);
    const again = await call(pageToken, 'POST', `/client/v1/sessions/${joined.session_id}/recording/start`);
    expect(again.json).toMatchObject({ code: 122001, msg: expect.stringContaining('already being recorded') });
    expect((await call(pageToken, 'POST', `/client/v1/sessions/${joined.session_id}/recording/stop`)).json.code).toBe(0);
    // bob's session is bob's: alice's credential cannot act on it
    const foreign = await call(pageToken, 'POST', `/client/v1/sessions/${bobJoined.session_id}/leave`);
    expect(foreign.json.code).not.toBe(0);
    await bob.leave(bobJoined.session_id);
    await alice.leave(joined.session_id);
  });

  it('a code sent to the meeting page is redeemed there only, with its verifier', async () => {
    // the page's code exchange rejects a code the Open API flow made for an app's own callback
    const form = new URLSearchParams({ client_id: fixture.acme.full.appId, redirect_uri: 'https://client.test/callback', state: 's', action: 'allow' });
    const session = await signIn(s.url, fixture.acme.tenantKey, 'alice');
    const allowed = await fetch(`${s.url}/open-apis/authen/v1/authorize`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: session } });
    expect(allowed.status).toBe(302);
    const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
    const res = await fetch(`${s.url}/j/${meetingNo}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, code_verifier: 'v'.repeat(43) }) });
    const body = (await res.json()) as Json;
    expect(body.code).toBe(20003);
    expect(body.access_token).toBeUndefined();
  });
});
