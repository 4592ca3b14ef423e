import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { ok } from './helpers/sdk.js';

type Json = Record<string, any>;

/**
 * Meeting passwords as a new user meets them (issue 15): a reserve's link carries its password, its owner,
 * designated hosts and invitees are not asked for it, everyone else is (a wrong one is refused clearly,
 * and guessing is throttled), and the page tells a number nobody holds before asking anyone to sign in.
 */
describe('meeting passwords and join links', () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const join = async (user: string | null, body: Json, path = '/client/v1/meetings/join'): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as Json) };
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', 'bob', 'member00', 'member01', 'member02', 'member03']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  const reserve = async (settings: Json = {}) =>
    (
      await ok(
        s.client(fixture.acme.full).vc.reserve.apply({
          params: { user_id_type: 'user_id' },
          data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Locked door', ...settings } },
        }),
      )
    ).reserve!;

  it("apply's url and app_link are the join link with the reserve's password; no placeholders are left", async () => {
    const r = await reserve();
    expect(r.password).toMatch(/^\d{6}$/);
    expect(r.url).toBe(`${s.url}/j/${r.meeting_no}?pwd=${r.password}`);
    expect(r.app_link).toBe(r.url);
    expect(r.app_link).not.toContain('{?}');
    const open = await reserve({ password: '' });
    expect(open.url).toBe(`${s.url}/j/${open.meeting_no}`);
    // the page knows a password is asked for, without saying it
    const html = await (await fetch(r.url!)).text();
    expect(html).toContain('data-password="true"');
    expect(html).not.toContain(r.password!);
    expect(await (await fetch(open.url!)).text()).toContain('data-password="false"');
  });

  it('the owner, designated hosts and invitees join without it; others need it, and a wrong one is refused', async () => {
    const r = await reserve({ assign_host_list: [{ user_type: 1, id: 'bob' }] });
    const no = r.meeting_no!;
    expect(await join('member00', { meeting_no: no })).toMatchObject({ status: 403, code: 121005, msg: 'the meeting needs a password' });
    const owner = await join('alice', { meeting_no: no });
    expect(owner.code).toBe(0);
    expect((await join('bob', { meeting_no: no })).code).toBe(0);
    // invited from the meeting: ringing, then joins without the password
    await ok(s.client(fixture.acme.full).vc.meeting.invite({ path: { meeting_id: owner.data.meeting.id }, params: { user_id_type: 'user_id' }, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, lark.withUserAccessToken(tokens.alice!)));
    expect((await join('member01', { meeting_no: no })).code).toBe(0);
    expect(await join('member00', { meeting_no: no, password: r.password === '000000' ? '111111' : '000000' })).toMatchObject({ status: 403, code: 121005, msg: 'the meeting password is wrong' });
    expect((await join('member00', { meeting_no: no, password: r.password })).code).toBe(0);
  });

  it('guessing is throttled per address and meeting: after five wrong passwords even the right one waits', async () => {
    const r = await reserve({ password: '24680' });
    const no = r.meeting_no!;
    expect((await join('alice', { meeting_no: no })).code).toBe(0);
    for (let i = 0; i < 5; i++) expect((await join('member02', { meeting_no: no, password: `1111${i}` })).code).toBe(121005);
    const locked = await join('member02', { meeting_no: no, password: '24680' });
    expect(locked).toMatchObject({ status: 429, code: 99991400 });
    // the lock is on guessing, not on the meeting: its owner and invitees are not touched
    expect((await join('alice', { meeting_no: no })).code).toBe(0);
  });

  it('a number nobody holds gets a clear page before any sign-in; the tab has an icon', async () => {
    const res = await fetch(`${s.url}/j/123456780`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('There is no meeting 123 456 780');
    expect(html).not.toContain('signin-button');
    expect(html).toContain('rel="icon"');
    const icon = await fetch(`${s.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg /);
    expect((await fetch(`${s.url}/favicon.svg`)).status).toBe(200);
  });
});
