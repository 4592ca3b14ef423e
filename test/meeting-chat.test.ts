import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { closeLocal, sdkEventReceiver } from './helpers/local-http.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';

type Json = Record<string, any>;
const TOKEN = 'vt-chat';
const IM = 'vc.meeting.send_meeting_im_v1';

/**
 * The meeting chat over the participant protocol: messages to everyone kept with the meeting and read by
 * late joiners, long-polls woken by a message, refusals for bad input and for people not in the meeting,
 * reactions and hands, and each text message as `vc.meeting.send_meeting_im_v1` to subscribed apps.
 */
describe('meeting chat', () => {
  let s: TestServer;
  let rx: { server: Server; url: string; received: Json[] };
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const data = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await call(user, method, path, body);
    expect(r.json.code, JSON.stringify(r.json)).toBe(0);
    return r.json.data as Json;
  };

  beforeAll(async () => {
    rx = await sdkEventReceiver('/events', TOKEN, [IM]);
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.find((a) => a.app_id === fixture.acme.full.appId)!.events = { request_url: rx.url, verification_token: TOKEN, subscribe: [IM] };
    s = await startTestServer({ seed, config: { emptyMeetingGrace: 0 } });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', 'bob', 'member00']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    if (rx) await closeLocal(rx.server);
  });

  const reserve = async (): Promise<string> => {
    const r = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Chatty', password: '' } },
    });
    return r.data!.reserve!.meeting_no!;
  };

  it('messages reach everyone, wake a waiting poll, stay with the meeting for late joiners, and go to subscribed apps', async () => {
    const no = await reserve();
    const alice = await data('alice', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const bob = await data('bob', 'POST', '/client/v1/meetings/join', { meeting_no: no });

    // bob waits; alice's message wakes him
    const waiting = data('bob', 'GET', `/client/v1/sessions/${bob.session_id}/chat?after=0&wait=20`);
    const script = '<script>alert(1)</script><b>hi</b> & bye';
    const sent = await data('alice', 'POST', `/client/v1/sessions/${alice.session_id}/chat`, { text: `  ${script}\n` });
    expect(sent).toMatchObject({ kind: 'text', content: script, sender_key: 'u:alice', sender_name: 'Alice' });
    const woke = await waiting;
    // kept as typed: it is text, never markup, for every client to show as such
    expect(woke.messages).toEqual([sent]);
    expect(woke.next).toBe(sent.seq);

    await data('bob', 'POST', `/client/v1/sessions/${bob.session_id}/chat`, { reaction: 'clap' });
    await data('bob', 'POST', `/client/v1/sessions/${bob.session_id}/chat`, { hand: true });
    await data('bob', 'POST', `/client/v1/sessions/${bob.session_id}/chat`, { text: 'second' });

    // a late joiner reads everything from the start
    const late = await data('member00', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const all = await data('member00', 'GET', `/client/v1/sessions/${late.session_id}/chat?after=0`);
    expect(all.messages.map((m: Json) => [m.sender_key, m.kind, m.content])).toEqual([
      ['u:alice', 'text', script],
      ['u:bob', 'reaction', 'clap'],
      ['u:bob', 'hand', 'up'],
      ['u:bob', 'text', 'second'],
    ]);
    const after = await data('member00', 'GET', `/client/v1/sessions/${late.session_id}/chat?after=${all.next}&wait=0`);
    expect(after).toEqual({ messages: [], next: all.next });

    // the two text messages, in the shape the SDK declares, reach the subscribed app (reactions and hands do not)
    await expect.poll(() => rx.received.length, { timeout: 10_000 }).toBe(2);
    const meetingId = alice.meeting.id as string;
    const aliceIds = { union_id: deriveUnionId('acme', 'alice'), user_id: 'alice', open_id: deriveOpenId(fixture.acme.full.appId, 'acme', 'alice') };
    expect(rx.received[0]).toMatchObject({
      event_type: IM,
      tenant_key: 'acme',
      app_id: fixture.acme.full.appId,
      meeting: { id: meetingId, meeting_source: 4, meeting_sub_type: 0, webinar_setting: { webinar_type: 0 }, security_setting: { security_level: 1 } },
      operator: { id: aliceIds, user_type: 1 },
      content: script,
    });
    expect(rx.received[1]).toMatchObject({ operator: { id: { user_id: 'bob' } }, content: 'second' });
    const rows = await s.runtime.repos.outbox.list('acme', 0, 100, meetingId);
    expect(rows.filter((r) => r.event_type === IM)).toHaveLength(2);
  });

  it('refuses empty, oversized and control-character messages, unknown reactions, and anyone not in the meeting', async () => {
    const no = await reserve();
    const alice = await data('alice', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const bob = await data('bob', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const path = `/client/v1/sessions/${alice.session_id}/chat`;
    const refused = async (body: unknown, user = 'alice', p = path) => {
      const r = await call(user, 'POST', p, body);
      return [r.status, r.json.code, r.json.msg];
    };
    expect(await refused({ text: '   ' })).toEqual([400, 99992402, 'field validation failed: text: the message is empty']);
    expect(await refused({ text: 'x'.repeat(1001) })).toEqual([400, 99992402, 'field validation failed: text: the message is longer than 1000 characters']);
    // 1000 characters of four bytes each are fine: the limit counts characters
    expect((await call('alice', 'POST', path, { text: '𝄞'.repeat(1000) })).json.code).toBe(0);
    expect((await refused({ text: 'x'.repeat(5000) }))[1]).toBe(99992402);
    expect(await refused({ text: 'bell\u0007' })).toEqual([400, 99992402, 'field validation failed: text: the message holds control characters']);
    expect(await refused({ text: 'flip \u202eevil' })).toEqual([400, 99992402, 'field validation failed: text: the message holds control characters']);
    expect((await refused({ reaction: 'skull' }))[1]).toBe(99992402);
    expect((await refused({}))[1]).toBe(99992402);
    expect((await refused({ text: 'a', hand: true }))[1]).toBe(99992402);
    // another user's session is not there for bob; after leaving, alice cannot write
    expect(await refused({ text: 'hi' }, 'bob')).toEqual([404, 121004, `session ${alice.session_id} does not exist`]);
    await data('alice', 'POST', `/client/v1/sessions/${alice.session_id}/leave`);
    expect(await refused({ text: 'hi' })).toEqual([400, 122009, 'you are no longer in the meeting']);
    // nothing of that reached the chat; bob's meeting goes on
    const chat = await data('bob', 'GET', `/client/v1/sessions/${bob.session_id}/chat?after=0`);
    expect(chat.messages.map((m: Json) => m.content)).toEqual(['𝄞'.repeat(1000)]);
    expect((await call('bob', 'POST', `/client/v1/sessions/${bob.session_id}/chat`, { text: 'still here' })).json.code).toBe(0);
  });

  it('a reader following the cursor misses nothing while many write at once', async () => {
    const no = await reserve();
    const alice = await data('alice', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const bob = await data('bob', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const reader = await data('member00', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const got: Json[] = [];
    let after = 0;
    const following = (async () => {
      while (got.length < 40) {
        const page = await data('member00', 'GET', `/client/v1/sessions/${reader.session_id}/chat?after=${after}&wait=10`);
        got.push(...page.messages);
        after = page.next;
      }
    })();
    // Concurrent writers: on PostgreSQL a later seq could otherwise commit first, and the cursor step over an earlier one.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const [who, sid] = i % 2 ? ['bob', bob.session_id] : ['alice', alice.session_id];
        return data(who as string, 'POST', `/client/v1/sessions/${sid}/chat`, { text: `n${i}` });
      }),
    );
    await following;
    expect(got.map((m) => m.content).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `n${i}`).sort());
    const seqs = got.map((m) => m.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('a flood from one session is cut off at 60 a minute without touching the others', async () => {
    const no = await reserve();
    const alice = await data('alice', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    const bob = await data('bob', 'POST', '/client/v1/meetings/join', { meeting_no: no });
    // The windows are minutes of the clock: when one turns over during the flood, the calls before it and
    // the 60 of the next one pass, so the first refusal comes after 60 to 120 admitted calls.
    const codes: number[] = [];
    while (codes.length < 125 && !codes.includes(99991400)) {
      codes.push((await call('alice', 'POST', `/client/v1/sessions/${alice.session_id}/chat`, { reaction: 'heart' })).json.code);
    }
    expect(codes[codes.length - 1]).toBe(99991400);
    const admitted = codes.filter((c) => c === 0).length;
    expect(admitted).toBe(codes.length - 1);
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(admitted).toBeLessThanOrEqual(120);
    expect((await call('bob', 'POST', `/client/v1/sessions/${bob.session_id}/chat`, { text: 'unaffected' })).json.code).toBe(0);
  });
});
