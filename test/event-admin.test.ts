import { createServer, type Server } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import { closeLocal, deadPort, listenLocal } from './helpers/local-http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';

type Json = Record<string, any>;

const ADMIN_KEY = 'admin-key-for-the-tests-0123456789';
const TOKEN = 'vt-admin';
const KEY = 'encrypt-key-admin';
const JOIN = 'vc.meeting.join_meeting_v1';
const REDIRECT = { appId: 'cli_acmeredirect01', appSecret: 'acme-redirect-secret' };
const HUGE = { appId: 'cli_acmehugebody01', appSecret: 'acme-huge-secret' };
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/**
 * `/sdk`: the SDK's EventDispatcher with autoChallenge and an encrypt key; `/wrong` echoes a different
 * challenge; `/redirect` sends a 302 to `/sdk`; `/huge` answers 200 with 8 MB; `/count` counts posts.
 */
class Receivers {
  readonly sdk: Json[] = [];
  readonly hits: Record<string, number> = {};
  private readonly server: Server;
  url = '';

  constructor() {
    const dispatcher = new lark.EventDispatcher({ verificationToken: TOKEN, encryptKey: KEY, logger: silent }).register({ [JOIN]: (data: Json) => void this.sdk.push(data) } as never);
    const sdk = lark.adaptDefault('/sdk', dispatcher, { autoChallenge: true });
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits[path] = (this.hits[path] ?? 0) + 1;
      // the SDK throws (and never answers) when it cannot decrypt: answer 400 for it
      if (path === '/sdk') return void sdk(req, res).catch(() => res.writeHead(400).end());
      req.resume();
      if (path === '/wrong') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"challenge":"not-the-one"}');
      if (path === '/redirect') return void res.writeHead(302, { location: `${this.url}/sdk` }).end();
      if (path === '/huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 120);
        let left = 128;
        const pump = () => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        return pump();
      }
      res.writeHead(404).end();
    });
  }

  async start(): Promise<void> {
    this.url = await listenLocal(this.server);
  }

  async close(): Promise<void> {
    await closeLocal(this.server);
  }
}

describe('admin API: event subscriptions and the delivery log', () => {
  let s: TestServer;
  let off: TestServer;
  let rx: Receivers;
  let userToken = '';
  const full = fixture.acme.full.appId;

  const admin = async (method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY, server = () => s): Promise<{ status: number; body: Json }> => {
    const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server().url}/openvc/v1/admin${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const subscription = async () => (await admin('GET', `/apps/${full}/event_subscription`)).body.data as Json;
  /** One join event: a reserved meeting that alice joins. */
  const produceJoin = async () => {
    const r = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Admin', password: '' } },
    });
    const res = await fetch(`${s.url}/client/v1/meetings/join`, { method: 'POST', headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ meeting_no: r.data!.reserve!.meeting_no }) });
    const joined = (await res.json()) as Json;
    await fetch(`${s.url}/client/v1/sessions/${joined.data.session_id}/leave`, { method: 'POST', headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' }, body: '{}' });
  };

  beforeAll(async () => {
    rx = new Receivers();
    await rx.start();
    const seed = fixtureSeed();
    const acme = seed.tenants[0]!;
    acme.apps!.push({ app_id: REDIRECT.appId, app_secret: REDIRECT.appSecret, name: 'Acme redirect', scopes: ALL, events: { request_url: `${rx.url}/redirect`, verification_token: TOKEN, subscribe: [JOIN] } });
    acme.apps!.push({ app_id: HUGE.appId, app_secret: HUGE.appSecret, name: 'Acme huge', scopes: ALL, events: { request_url: `${rx.url}/huge`, verification_token: TOKEN, subscribe: [JOIN] } });
    // retries at 150 ms, 3 s, 36 s, 216 s: the redirecting app's deliveries stay pending through the file
    s = await startTestServer({ seed, config: { adminKey: ADMIN_KEY, emptyMeetingGrace: 0, eventRetryScale: 0.01, eventTimeout: 1000 } });
    off = await startTestServer({ seed: fixtureSeed() });
    const app = (await s.runtime.repos.apps.find(full))!;
    userToken = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    await off?.close();
    await off?.store.dispose();
    await rx?.close();
  });

  it('is off without an admin key, and refuses a missing or wrong key', async () => {
    const disabled = await admin('GET', `/apps/${full}/event_subscription`, undefined, ADMIN_KEY, () => off);
    expect([disabled.status, disabled.body.code]).toEqual([403, 190002]);
    for (const key of [null, 'wrong-key', `${ADMIN_KEY}x`]) {
      const r = await admin('GET', `/apps/${full}/event_subscription`, undefined, key);
      expect([r.status, r.body.code], String(key)).toEqual([401, 190001]);
      expect(r.body.error.log_id).toBeTruthy();
    }
  });

  it('saves a request URL only after it answers the encrypted url_verification challenge, and then delivers to it', async () => {
    const r = await admin('PUT', `/apps/${full}/event_subscription`, { request_url: `${rx.url}/sdk`, verification_token: TOKEN, encrypt_key: KEY, event_types: [JOIN] });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(0);
    expect(r.body.data.challenge_ms).toBeGreaterThanOrEqual(0);
    expect(rx.hits['/sdk']).toBe(1);
    expect(await subscription()).toEqual({ app_id: full, request_url: `${rx.url}/sdk`, verification_token: TOKEN, encrypt_key: KEY, event_types: [JOIN] });

    // changing only the event types runs no new handshake
    await admin('PUT', `/apps/${full}/event_subscription`, { event_types: [JOIN, 'vc.meeting.leave_meeting_v1'] });
    expect(rx.hits['/sdk']).toBe(1);

    await produceJoin();
    await expect.poll(() => rx.sdk.length, { timeout: 5_000 }).toBe(1);
    expect(rx.sdk[0]!.event_type).toBe(JOIN);
    expect(rx.sdk[0]!.app_id).toBe(full);
  });

  it('refuses URLs that fail the challenge, are not http(s), point at the server, or do not answer; and unknown types — changing nothing', async () => {
    const before = await subscription();
    const dead = await deadPort();
    const cases: [Json, number, RegExp][] = [
      [{ request_url: `${rx.url}/wrong` }, 190003, /challenge/],
      [{ request_url: `${rx.url}/sdk`, encrypt_key: 'a-different-key' }, 190003, /challenge/],
      [{ request_url: 'ftp://127.0.0.1/events' }, 190003, /http or https/],
      [{ request_url: 'not a url' }, 190003, /valid absolute URL/],
      [{ request_url: `${s.url}/webhook` }, 190003, /this openvc server/],
      [{ request_url: `http://localhost:${new URL(s.url).port}/x` }, 190003, /this openvc server/],
      [{ request_url: `http://127.0.0.1:${dead}/events` }, 190003, /challenge/],
      [{ event_types: ['vc.meeting.nope_v1'] }, 99992402, /unknown event types/],
      [{ request_url: 42 }, 99992402, /request_url/],
      [{ surprise: true }, 99992402, /surprise|additional/],
    ];
    for (const [body, code, msg] of cases) {
      const r = await admin('PUT', `/apps/${full}/event_subscription`, body);
      expect(r.body.code, JSON.stringify(body)).toBe(code);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body), JSON.stringify(body)).toMatch(msg);
    }
    const missing = await admin('PUT', '/apps/cli_nosuchapp0001/event_subscription', { event_types: [] });
    expect([missing.status, missing.body.code]).toEqual([404, 121004]);
    expect(await subscription()).toEqual(before);
  });

  it('redirects and huge answers do not hurt the dispatcher: a redirect is a failure (not followed), a huge 2xx is a success', async () => {
    await expect
      .poll(async () => (await s.runtime.repos.deliveries.forApp(REDIRECT.appId)).map((d) => d.last_status), { timeout: 5_000 })
      .toEqual([302]);
    const redirected = (await s.runtime.repos.deliveries.forApp(REDIRECT.appId))[0]!;
    expect(redirected.status).not.toBe('delivered');
    await expect.poll(async () => (await s.runtime.repos.deliveries.forApp(HUGE.appId)).map((d) => d.status), { timeout: 5_000 }).toEqual(['delivered']);
  });

  it('lists, shows and redelivers deliveries; a redelivery carries the same event_id', async () => {
    const all = await admin('GET', `/event_deliveries?app_id=${full}&event_type=${JOIN}`);
    expect(all.body.data.items).toHaveLength(1);
    const d = all.body.data.items[0] as Json;
    expect(d).toMatchObject({ app_id: full, event_type: JOIN, status: 'delivered', attempts: 1, last_status: 200 });

    const page1 = await admin('GET', '/event_deliveries?page_size=1');
    expect(page1.body.data.has_more).toBe(true);
    const page2 = await admin('GET', `/event_deliveries?page_size=1&page_token=${page1.body.data.page_token}`);
    expect(page2.body.data.items[0].delivery_id).not.toBe(page1.body.data.items[0].delivery_id);
    expect((await admin('GET', '/event_deliveries?page_token=garbage')).body.code).toBe(99992402);
    expect((await admin('GET', '/event_deliveries?status=lost')).body.code).toBe(99992402);
    const delivered = await admin('GET', `/event_deliveries?status=delivered&app_id=${HUGE.appId}`);
    expect(delivered.body.data.items.map((x: Json) => x.app_id)).toEqual([HUGE.appId]);

    const shown = await admin('GET', `/event_deliveries/${encodeURIComponent(d.delivery_id)}`);
    expect(shown.body.data.attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200 })]);
    expect(JSON.parse(shown.body.data.request_body)).toHaveProperty('encrypt');
    expect((await admin('GET', '/event_deliveries/nope:cli_x')).status).toBe(404);

    const refused = await admin('POST', '/event_deliveries/redeliver', {});
    expect([refused.status, refused.body.code]).toEqual([400, 99992402]);
    const again = await admin('POST', '/event_deliveries/redeliver', { delivery_ids: [d.delivery_id] });
    expect(again.body.data.count).toBe(1);
    await expect.poll(() => rx.sdk.length, { timeout: 5_000 }).toBe(2);
    expect(rx.sdk[1]!.event_id).toBe(rx.sdk[0]!.event_id);
    await expect.poll(async () => (await admin('GET', `/event_deliveries/${encodeURIComponent(d.delivery_id)}`)).body.data.attempts.length, { timeout: 5_000 }).toBe(2);
  });

  it('unsubscribing (an empty request_url) stops new deliveries', async () => {
    const r = await admin('PUT', `/apps/${full}/event_subscription`, { request_url: '' });
    expect(r.body.data.subscription.request_url).toBeNull();
    const before = (await s.runtime.repos.deliveries.forApp(full)).length;
    await produceJoin();
    // settled, not just created: the next test reads which deliveries are still pending
    await expect.poll(async () => (await s.runtime.repos.deliveries.forApp(HUGE.appId)).map((d) => d.status), { timeout: 5_000 }).toEqual(['delivered', 'delivered']);
    expect((await s.runtime.repos.deliveries.forApp(full)).length).toBe(before);
  });

  it('maintenance prunes finished deliveries, their attempts and their events, and keeps pending ones', async () => {
    const repos = s.runtime.repos;
    // only the redirecting app's delivery waits (for a retry far away); nothing else is in flight
    await expect.poll(async () => [...new Set((await repos.deliveries.list({ status: 'pending' }, 100)).map((d) => d.app_id))], { timeout: 5_000 }).toEqual([REDIRECT.appId]);
    const pendingBefore = await repos.deliveries.list({ status: 'pending' }, 100);
    expect(pendingBefore.map((d) => d.app_id)).toContain(REDIRECT.appId);
    const finished = [...(await repos.deliveries.list({ status: 'delivered' }, 100)), ...(await repos.deliveries.list({ status: 'failed' }, 100))];
    expect(finished.length).toBeGreaterThan(0);
    // nothing is old enough yet
    expect(await repos.deliveries.prune(0)).toEqual({ deliveries: 0, events: 0 });
    const pruned = await repos.deliveries.prune(Date.now() + 1, 2);
    expect(pruned.deliveries).toBe(finished.length);
    expect(await repos.deliveries.attempts(finished[0]!.id)).toEqual([]);
    expect((await repos.deliveries.list({ status: 'pending' }, 100)).map((d) => d.id).sort()).toEqual(pendingBefore.map((d) => d.id).sort());
    // events still wanted by a pending delivery stay; the others are gone
    const kept = await repos.outbox.bySeqs(pendingBefore.map((d) => d.outbox_seq));
    expect(kept.size).toBe(new Set(pendingBefore.map((d) => d.outbox_seq)).size);
    expect(pruned.events).toBeGreaterThan(0);
  });
});
