import * as lark from '@larksuiteoapi/node-sdk';
import { signIn as signInAs } from './helpers/sign-in.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startTestServer, type TestServer } from './helpers/server.js';
import { ok } from './helpers/sdk.js';
import { fixture } from './helpers/fixture.js';
import { meetingPageCredential } from './helpers/page-sign-in.js';
import { protocol } from './helpers/exports.js';
import { FileCapture, aliceReserve, capturedLogs, settledRecordings } from './helpers/recording.js';
import type { RecordingRow } from '../src/store/repositories/recording.repository.js';

type Json = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The recording URL leads to a player page whose MP4 is served with byte ranges, to those set_permission
 * lets watch; viewers sign in through the OAuth consent page.
 */
describe(`recording player (${dialect})`, () => {
  let s: TestServer;
  let client: lark.Client;
  const capture = new FileCapture();
  const logs = capturedLogs();
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  let rec: RecordingRow;
  let hosted: RecordingRow;

  const page = (token: string, cookie?: string, path = '') => fetch(`${s.url}/minutes/${token}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const media = (cookie?: string, range?: string) => fetch(`${s.url}/minutes/${rec.url_token}/media`, { headers: { ...(cookie ? { cookie } : {}), ...(range ? { range } : {}) } });
  const grant = async (objects: Json[], action = 0) =>
    ok(client.vc.meetingRecording.setPermission({ path: { meeting_id: rec.meeting_id }, params: { user_id_type: 'user_id' }, data: { permission_objects: objects as never, action_type: action } }, lark.withUserAccessToken(tokens.alice!)));

  /** Signs `user` in the way a browser does: the recording's sign-in link, the consent page, the callback. */
  async function signIn(token: string, user: string): Promise<string> {
    const start = await page(token, undefined, '/sign-in');
    expect(start.status).toBe(302);
    const state = start.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.pathname).toBe('/open-apis/authen/v1/authorize');
    expect(authorize.searchParams.get('scope')).toBe('offline_access');
    const session = await signInAs(s.url, fixture.acme.tenantKey, user);
    const consent = await fetch(authorize, { headers: { cookie: session } });
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('offline_access');
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), action: 'allow' });
    const allowed = await fetch(`${s.url}/open-apis/authen/v1/authorize`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: session } });
    expect(allowed.status).toBe(302);
    const callback = await fetch(allowed.headers.get('location')!, { redirect: 'manual', headers: { cookie: state } });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`/minutes/${token}`);
    const minutes = callback.headers.getSetCookie().find((c) => c.startsWith('openvc_minutes='))!;
    expect(minutes).toMatch(/HttpOnly/);
    expect(minutes).toMatch(/Path=\/minutes/);
    expect(minutes).toMatch(/^openvc_minutes=p-/);
    return minutes.split(';')[0]!;
  }

  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: false, emptyMeetingGrace: 0, recordingCloseWait: 1 }, capture, logger: logs.logger });
    client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', 'bob']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    // gina of another tenant, signed in to a meeting page of hers: a valid page credential, of globex
    const gina = await s.client(fixture.globex.full).vc.reserve.apply({ params: { user_id_type: 'user_id' }, data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'gina', meeting_settings: { topic: 'Globex' } } });
    cookies.gina = `openvc_minutes=${await meetingPageCredential(s.url, gina.data!.reserve!.meeting_no!, 'gina', 'globex')}`;
    // two auto-recorded meetings of alice's: the first hosted by alice, the second by bob (who joined first)
    const ids: string[] = [];
    for (const first of ['alice', 'bob']) {
      const r = await aliceReserve(client, { topic: 'Secret plans', auto_record: true });
      const joined = await protocol(s.url, tokens[first]!).join(r.meeting_no!, { type: 'web' });
      if (first === 'alice') capture.plans.set(joined.meeting.id, [{ kind: 'video', participantKey: 'u:alice', offsetMs: 0, seconds: 1 }]);
      await sleep(1100);
      await ok(client.vc.meeting.end({ path: { meeting_id: joined.meeting.id } }, lark.withUserAccessToken(tokens[first]!)));
      ids.push(joined.meeting.id);
    }
    [rec] = (await settledRecordings(s, ids[0]!)) as [RecordingRow];
    [hosted] = (await settledRecordings(s, ids[1]!)) as [RecordingRow];
    for (const name of ['alice', 'bob', 'member00']) cookies[name] = await signIn(rec.url_token, name);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('sends a viewer who is not signed in to sign in, and refuses the file', async () => {
    const res = await page(rec.url_token);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/minutes/${rec.url_token}/sign-in`);
    expect((await media()).status).toBe(403);
  });

  it('the owner watches; others get a 403 page that tells nothing about the recording', async () => {
    const owner = await page(rec.url_token, cookies.alice);
    expect(owner.status).toBe(200);
    const html = await owner.text();
    expect(html).toContain('Secret plans');
    expect(html).toContain(`<video controls preload="metadata" src="/minutes/${rec.url_token}/media">`);
    const refused = await page(rec.url_token, cookies.bob);
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(text).toContain('You do not have access');
    expect(text).not.toContain('Secret plans');
    expect((await media(cookies.bob)).status).toBe(403);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'recording access refused', token: rec.url_token.slice(0, 8), viewer: 'acme/bob', reason: 'forbidden' }));
    expect(JSON.stringify(logs.lines)).not.toContain(cookies.bob!.split('=')[1]);
    // a user of another tenant is nobody here, even with a valid page credential
    expect((await page(rec.url_token, cookies.gina)).status).toBe(403);
    // an Open API user token is no player session, whoever it names (the player signs in to a page credential)
    expect((await page(rec.url_token, `openvc_minutes=${tokens.alice}`)).status).toBe(302);
    // a forged session is no session
    expect((await page(rec.url_token, 'openvc_minutes=u-forged')).status).toBe(302);
  });

  it('the host when the recording started watches too', async () => {
    expect(hosted.host_user_id).toBe('bob');
    expect((await page(hosted.url_token, cookies.bob)).status).toBe(200);
    expect((await page(hosted.url_token, cookies.member00)).status).toBe(403);
  });

  it('user grants and their revocation take effect at once', async () => {
    await grant([{ type: 1, id: 'bob', permission: 1 }]);
    expect((await page(rec.url_token, cookies.bob)).status).toBe(200);
    expect((await media(cookies.bob)).status).toBe(200);
    expect((await page(rec.url_token, cookies.member00)).status).toBe(403);
    await grant([{ type: 1, id: 'bob', permission: 1 }], 1);
    expect((await page(rec.url_token, cookies.bob)).status).toBe(403);
    expect((await media(cookies.bob)).status).toBe(403);
  });

  it('a tenant grant lets every user of the tenant watch', async () => {
    await grant([{ type: 3, permission: 1 }]);
    expect((await page(rec.url_token, cookies.member00)).status).toBe(200);
    expect((await page(rec.url_token, cookies.bob)).status).toBe(200);
    expect((await page(rec.url_token, cookies.gina)).status).toBe(403);
    expect((await page(rec.url_token)).status).toBe(302);
    await grant([{ type: 3, permission: 1 }], 1);
    expect((await page(rec.url_token, cookies.member00)).status).toBe(403);
  });

  it('a public grant lets anyone with the link watch, until it is revoked', async () => {
    await grant([{ type: 4, permission: 1 }]);
    expect((await page(rec.url_token)).status).toBe(200);
    expect((await media()).status).toBe(200);
    await grant([{ type: 4, permission: 1 }], 1);
    expect((await page(rec.url_token)).status).toBe(302);
    expect((await media()).status).toBe(403);
  });

  it('serves the file with byte ranges', async () => {
    const whole = await media(cookies.alice);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(rec.file_size);
    expect(Number(whole.headers.get('content-length'))).toBe(bytes.length);
    expect(bytes.subarray(4, 8).toString()).toBe('ftyp');

    const first = await media(cookies.alice, 'bytes=0-99');
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${bytes.length}`);
    expect(Buffer.from(await first.arrayBuffer())).toEqual(bytes.subarray(0, 100));
    const open = await media(cookies.alice, `bytes=${bytes.length - 10}-`);
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    const suffix = await media(cookies.alice, 'bytes=-5');
    expect(suffix.headers.get('content-range')).toBe(`bytes ${bytes.length - 5}-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 5));
    const past = await media(cookies.alice, `bytes=${bytes.length}-`);
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    // a range without permission is still no access
    expect((await media(cookies.bob, 'bytes=0-99')).status).toBe(403);
  });

  it('unknown links are 404 pages', async () => {
    expect((await page('obcn00000000000000000000')).status).toBe(404);
    expect((await page('nope')).status).toBe(404);
    expect((await page('obcn00000000000000000000', undefined, '/sign-in')).status).toBe(404);
    const bad = await fetch(`${s.url}/minutes/callback?code=x&state=${rec.url_token}.forged`);
    expect(bad.status).toBe(400);
  });
});
