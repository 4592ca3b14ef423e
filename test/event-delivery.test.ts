import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';
import { closeLocal, listenLocal } from './helpers/local-http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';

type Json = Record<string, any>;

const TOKEN = 'vt-delivery';
const KEY = 'encrypt-key-delivery';
const TYPES = ['meeting_started', 'meeting_ended', 'join_meeting', 'leave_meeting', 'all_meeting_started', 'all_meeting_ended'].map((t) => `vc.meeting.${t}_v1`);
const FLAKY = { appId: 'cli_acmeflaky0001', appSecret: 'acme-flaky-secret' };
const HANG = { appId: 'cli_acmehang00001', appSecret: 'acme-hang-secret' };
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/** Receivers built on the SDK's EventDispatcher: `/enc` decrypts and verifies; `/flaky` answers 500 twice per event first. */
class Receivers {
  readonly got: Record<string, Json[]> = { '/enc': [], '/flaky': [], '/globex': [] };
  private readonly failures = new Map<string, number>();
  private readonly server: Server;
  url = '';

  constructor() {
    const dispatcher = (route: string, encryptKey?: string) =>
      new lark.EventDispatcher({ verificationToken: TOKEN, encryptKey, logger: silent }).register(
        Object.fromEntries(TYPES.map((t) => [t, (data: Json) => void this.got[route]!.push(JSON.parse(JSON.stringify(data)) as Json)])) as never,
      );
    const enc = lark.adaptDefault('/enc', dispatcher('/enc', KEY));
    const flaky = lark.adaptDefault('/flaky', dispatcher('/flaky'));
    const globex = lark.adaptDefault('/globex', dispatcher('/globex'));
    this.server = createServer((req, res) => {
      if (req.url === '/enc') return void enc(req, res);
      // never answers: the dispatcher must give up at its timeout and not hold anyone else up
      if (req.url === '/hang') return;
      if (req.url === '/globex') return void globex(req, res);
      if (req.url === '/flaky') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const id = (JSON.parse(body) as Json).header?.event_id as string;
          const seen = this.failures.get(id) ?? 0;
          if (seen < 2) {
            this.failures.set(id, seen + 1);
            return void res.writeHead(500).end('try again');
          }
          // hand the already-read body to the SDK adapter through a fresh request-like stream
          void flaky(Object.assign(Readable.from([Buffer.from(body)]), { url: '/flaky', headers: req.headers, method: 'POST' }) as never, res);
        });
        return;
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

describe('event delivery to apps, through the SDK EventDispatcher', () => {
  let s: TestServer;
  let rx: Receivers;
  const tokens: Record<string, string> = {};
  const call = async (user: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    rx = new Receivers();
    await rx.start();
    const seed = fixtureSeed();
    const acme = seed.tenants[0]!;
    const subscribe = TYPES;
    acme.apps!.find((a) => a.app_id === fixture.acme.full.appId)!.events = { request_url: `${rx.url}/enc`, verification_token: TOKEN, encrypt_key: KEY, subscribe };
    // subscribed, but holds no vc scope: gets nothing
    acme.apps!.find((a) => a.app_id === fixture.acme.none.appId)!.events = { request_url: `${rx.url}/enc`, verification_token: TOKEN, encrypt_key: KEY, subscribe };
    acme.apps!.push({ app_id: FLAKY.appId, app_secret: FLAKY.appSecret, name: 'Acme flaky', scopes: ALL, events: { request_url: `${rx.url}/flaky`, verification_token: TOKEN, subscribe } });
    acme.apps!.push({ app_id: HANG.appId, app_secret: HANG.appSecret, name: 'Acme hang', scopes: ALL, events: { request_url: `${rx.url}/hang`, verification_token: TOKEN, subscribe } });
    // another tenant's app: never sees acme's events
    seed.tenants[1]!.apps![0]!.events = { request_url: `${rx.url}/globex`, verification_token: TOKEN, subscribe };
    s = await startTestServer({ seed, config: { emptyMeetingGrace: 0, eventRetryScale: 0.0001, eventTimeout: 1000 } });
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const u of ['alice', 'bob']) tokens[u] = (await s.runtime.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    await rx?.close();
  });

  it('every event of a scripted meeting arrives, in order, encrypted or not, retried until accepted', async () => {
    const r = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Delivered', password: '' } },
    });
    const no = r.data!.reserve!.meeting_no!;
    const alice = await call('alice', '/client/v1/meetings/join', { meeting_no: no });
    const bob = await call('bob', '/client/v1/meetings/join', { meeting_no: no });
    // the hanging app's lane is now stuck for a timeout per event; the others' later events must not wait for it
    await new Promise((r) => setTimeout(r, 300));
    await call('bob', `/client/v1/sessions/${bob.data.session_id}/leave`);
    await call('alice', `/client/v1/sessions/${alice.data.session_id}/leave`);
    await s.runtime.jobs.runDue();

    const expected = [
      'meeting_started_v1',
      'all_meeting_started_v1',
      'join_meeting_v1',
      'join_meeting_v1',
      'leave_meeting_v1',
      'leave_meeting_v1',
      'meeting_ended_v1',
      'all_meeting_ended_v1',
    ].map((t) => `vc.meeting.${t}`);
    await expect.poll(() => rx.got['/enc']!.length, { timeout: 2_500, interval: 50 }).toBe(8);
    await expect.poll(() => rx.got['/flaky']!.length, { timeout: 10_000, interval: 50 }).toBe(8);
    const enc = rx.got['/enc']!;
    expect(enc.map((e) => e.event_type)).toEqual(expected);
    expect(enc.every((e) => e.app_id === fixture.acme.full.appId && e.tenant_key === 'acme' && e.token === TOKEN && e.schema === '2.0')).toBe(true);
    expect(enc[0]).toMatchObject({ meeting: { id: alice.data.meeting.id, meeting_no: no, topic: 'Delivered', meeting_source: 4 }, operator: { id: { user_id: 'alice' }, user_type: 1 } });
    expect(enc[5]).toMatchObject({ leave_reason: 1, leave_user: { id: { user_id: 'alice' } } });

    // the flaky app got the same events (same event_ids), each after two refusals, all logged
    const flaky = rx.got['/flaky']!;
    expect(flaky.map((e) => e.event_id).sort()).toEqual(enc.map((e) => e.event_id).sort());
    expect(flaky.every((e) => e.app_id === FLAKY.appId)).toBe(true);
    // Outcomes are written in batches, within 50 ms of the answer: the last may land just after it arrived.
    await expect.poll(async () => (await s.runtime.repos.deliveries.forApp(FLAKY.appId)).map((d) => [d.status, d.attempts]), { timeout: 10_000, interval: 25 }).toEqual(expected.map(() => ['delivered', 3]));
    const deliveries = await s.runtime.repos.deliveries.forApp(FLAKY.appId);
    const log = await s.runtime.repos.deliveries.attempts(deliveries[0]!.id);
    expect(log.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(log[0]!.error).toBe('HTTP 500');

    // the hanging app's first delivery timed out and waits for its retry; nothing it did delayed the others
    await expect.poll(async () => (await s.runtime.repos.deliveries.forApp(HANG.appId))[0]?.last_error, { timeout: 5_000, interval: 100 }).toMatch(/time/i);

    // no scope, no events; other tenants never see them
    expect(await s.runtime.repos.deliveries.forApp(fixture.acme.none.appId)).toEqual([]);
    expect(rx.got['/globex']).toEqual([]);
  });
});
