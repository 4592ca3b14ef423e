import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import { closeLocal, deadPort, listenLocal } from './helpers/local-http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { renderEvent, tripleFor } from '../src/events/event-envelope.js';
import { decrypt, encrypt, signature, signatureHeaders } from '../src/events/feishu-crypto.js';
import { challengeRequest, deliveryTarget, eventRequest, isChallengeAnswer, postWebhook, type DeliveryTarget, type WebhookRequest } from '../src/events/webhook-request.js';
import type { OutboxRow } from '../src/store/repositories/outbox.repository.js';
import { deriveOpenId } from '../src/domain/ids.js';

type Json = Record<string, any>;

const TOKEN = 'vt-0123456789abcdef';
const KEY = 'encrypt-key-0123456789';
const TYPES = ['meeting_started', 'meeting_ended', 'join_meeting', 'leave_meeting', 'all_meeting_started', 'all_meeting_ended', 'participant_meeting_started', 'participant_meeting_joined', 'participant_meeting_ended'].map((t) => `vc.meeting.${t}_v1`);
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/**
 * An app's receiver built the way the SDK documents it: an EventDispatcher per route behind adaptDefault.
 * `/enc` and `/plain` answer challenges; `/enc-raw` does not, so every request reaches the signature check.
 * An adapter's rejection is kept, not thrown: the SDK leaves such a request unanswered.
 */
class Receiver {
  readonly received: { route: string; data: Json }[] = [];
  readonly rejections: unknown[] = [];
  private readonly server: Server;
  url = '';

  constructor() {
    const dispatcher = (route: string, encryptKey?: string) =>
      new lark.EventDispatcher({ verificationToken: TOKEN, encryptKey, logger: silent }).register(
        Object.fromEntries(TYPES.map((t) => [t, (data: Json) => (this.received.push({ route, data }), { received: data.event_id })])) as never,
      );
    const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
      '/plain': lark.adaptDefault('/plain', dispatcher('/plain'), { autoChallenge: true }),
      '/enc': lark.adaptDefault('/enc', dispatcher('/enc', KEY), { autoChallenge: true }),
      '/enc-raw': lark.adaptDefault('/enc-raw', dispatcher('/enc-raw', KEY)),
      '/huge': async (_req, res) => void res.end('x'.repeat(1 << 20)),
      '/moved': async (_req, res) => void res.writeHead(302, { location: '/plain' }).end(),
    };
    this.server = createServer((req, res) => {
      const route = routes[req.url ?? ''];
      if (!route) return void res.writeHead(404).end();
      route(req, res).catch((e: unknown) => this.rejections.push(e));
    });
  }

  async start(): Promise<void> {
    this.url = await listenLocal(this.server);
  }

  async close(): Promise<void> {
    await closeLocal(this.server);
  }

  /** What the handlers got, without the SDK's symbol key; cleared after each read. */
  take(): { route: string; data: Json }[] {
    return this.received.splice(0).map((r) => ({ route: r.route, data: JSON.parse(JSON.stringify(r.data)) as Json }));
  }
}

describe('event delivery wire format, through the SDK EventDispatcher', () => {
  let s: TestServer;
  let rx: Receiver;
  let rows: OutboxRow[];
  let plain: DeliveryTarget;
  let encrypted: DeliveryTarget;
  const tokens: Record<string, string> = {};
  const call = async (user: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return ((await res.json()) as Json).data as Json;
  };
  const post = (route: string, req: WebhookRequest, timeoutMs = 3000) => postWebhook(`${rx.url}${route}`, req, timeoutMs);
  const envelopeOf = (row: OutboxRow) => renderEvent(row, { appId: fixture.acme.full.appId, verificationToken: TOKEN }, tripleFor(plain)) as Json;

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    rx = new Receiver();
    await rx.start();
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const settings = { app_id: app.appId, tenant_key: 'acme', request_url: null, verification_token: TOKEN, event_types: '[]' };
    plain = deliveryTarget(app, { ...settings, encrypt_key: null });
    encrypted = deliveryTarget(app, { ...settings, encrypt_key: KEY });
    for (const u of ['alice', 'bob']) tokens[u] = (await s.runtime.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken;

    // a reserved meeting, so that every vc.meeting event type is produced for real
    const reserve = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Wire', password: '1234' } },
    });
    const no = reserve.data!.reserve!.meeting_no!;
    const a = await call('alice', '/client/v1/meetings/join', { meeting_no: no, password: '1234' });
    const b = await call('bob', '/client/v1/meetings/join', { meeting_no: no, password: '1234' });
    await call('bob', `/client/v1/sessions/${b.session_id}/leave`);
    await call('alice', `/client/v1/sessions/${a.session_id}/leave`);
    await s.runtime.jobs.runDue();
    rows = await s.runtime.repos.outbox.list('acme', 0, 100, a.meeting.id);
  });
  afterAll(async () => {
    await rx?.close();
    await s?.close();
    await s?.store.dispose();
  });

  it('the meeting produced every vc.meeting event type', () => {
    expect(rows.map((r) => r.event_type.replace('vc.meeting.', ''))).toEqual([
      'meeting_started_v1',
      'all_meeting_started_v1',
      'participant_meeting_started_v1',
      'join_meeting_v1',
      'participant_meeting_joined_v1',
      'join_meeting_v1',
      'participant_meeting_joined_v1',
      'leave_meeting_v1',
      'leave_meeting_v1',
      'meeting_ended_v1',
      'all_meeting_ended_v1',
      'participant_meeting_ended_v1',
      'participant_meeting_ended_v1',
    ]);
  });

  for (const mode of ['plain', 'encrypted'] as const) {
    it(`${mode}: each event reaches the SDK handler as one flat object`, async () => {
      const route = mode === 'plain' ? '/plain' : '/enc';
      for (const row of rows) {
        const req = eventRequest(row, mode === 'plain' ? plain : encrypted);
        // compact: the bytes are what the SDK's JSON.stringify reproduces
        expect(JSON.stringify(JSON.parse(req.body))).toBe(req.body);
        const res = await post(route, req);
        expect(res).toMatchObject({ status: 200, bodySnippet: JSON.stringify({ received: row.event_id }) });
        const env = envelopeOf(row);
        const [got] = rx.take();
        expect(got!.route).toBe(route);
        expect(got!.data).toEqual({ schema: '2.0', ...env.header, ...env.event });
      }
    });
  }

  it('the flattened event carries the header fields, the meeting and the operator', async () => {
    const row = rows.find((r) => r.event_type === 'vc.meeting.all_meeting_started_v1')!;
    await post('/enc', eventRequest(row, encrypted));
    const { data } = rx.take()[0]!;
    expect(data).toMatchObject({
      schema: '2.0',
      event_id: row.event_id,
      event_type: 'vc.meeting.all_meeting_started_v1',
      create_time: String(row.created_at),
      token: TOKEN,
      app_id: fixture.acme.full.appId,
      tenant_key: 'acme',
      meeting: { id: row.meeting_id, topic: 'Wire', meeting_source: 4 },
      operator: { id: { user_id: 'alice', open_id: deriveOpenId(fixture.acme.full.appId, 'acme', 'alice') }, user_role: 2, user_type: 1 },
    });
  });

  it('the encrypted body is only {"encrypt"}, signed over its exact bytes', () => {
    const req = eventRequest(rows[0]!, encrypted);
    const body = JSON.parse(req.body) as Json;
    expect(Object.keys(body)).toEqual(['encrypt']);
    expect(JSON.parse(decrypt(body.encrypt, KEY))).toEqual(envelopeOf(rows[0]!));
    const h = req.headers;
    expect(h['X-Lark-Request-Timestamp']).toMatch(/^\d{10}$/);
    expect(h['X-Lark-Signature']).toBe(signature(h['X-Lark-Request-Timestamp']!, h['X-Lark-Request-Nonce']!, KEY, req.body));
    // a fresh IV each time: the same event never encrypts to the same bytes
    expect(eventRequest(rows[0]!, encrypted).body).not.toBe(req.body);
  });

  it('the cipher matches the documented vector and the SDK AESCipher', () => {
    expect(decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key')).toBe('hello world');
    expect(new lark.AESCipher('test key').decrypt(encrypt('héllo wörld ✓', 'test key'))).toBe('héllo wörld ✓');
  });

  it('with an Encrypt Key the SDK drops a bad signature silently: 200, empty body, no handler call', async () => {
    const req = eventRequest(rows[0]!, encrypted);
    const resign = (body: string, key: string | null): WebhookRequest => ({ body, headers: { 'Content-Type': 'application/json', ...signatureHeaders(body, key) } });
    const bad: WebhookRequest[] = [
      resign(req.body, 'another key'),
      { body: req.body, headers: { 'Content-Type': 'application/json' } },
      // pretty-printed JSON signed over its raw bytes: the SDK verifies its compact re-serialisation instead
      resign(JSON.stringify(JSON.parse(req.body), null, 2), KEY),
    ];
    for (const r of bad) expect(await post('/enc-raw', r)).toMatchObject({ status: 200, bodySnippet: '' });
    expect(rx.take()).toEqual([]);
  });

  it('a tampered ciphertext never reaches a handler', async () => {
    const req = eventRequest(rows[0]!, encrypted);
    const buf = Buffer.from((JSON.parse(req.body) as Json).encrypt as string, 'base64');
    buf[0]! ^= 1; // flips the first plaintext byte: '{' becomes 'z'
    const body = JSON.stringify({ encrypt: buf.toString('base64') });
    // the original signature no longer matches the body
    expect(await post('/enc-raw', { body, headers: req.headers })).toMatchObject({ status: 200, bodySnippet: '' });
    // re-signed with the key, it passes the signature check and fails to parse: the SDK looks for a handler of no type
    const resigned = { body, headers: { ...req.headers, ...signatureHeaders(body, KEY) } };
    expect(await post('/enc-raw', resigned)).toMatchObject({ status: 200, bodySnippet: JSON.stringify('no undefined event handle') });
    // with autoChallenge the SDK decrypts before any check, throws, and never answers
    const hung = await post('/enc', resigned, 300);
    expect(hung).toMatchObject({ status: null, error: 'timeout after 300 ms' });
    expect(rx.rejections.splice(0)).toHaveLength(1);
    expect(rx.take()).toEqual([]);
  });

  it('the SDK checks neither the Verification Token nor, without an Encrypt Key, the signature', async () => {
    const row = rows[0]!;
    const req = eventRequest(row, { ...plain, verificationToken: 'not-the-token' });
    const res = await post('/plain', { body: req.body, headers: { ...req.headers, 'X-Lark-Signature': 'garbage' } });
    expect(res).toMatchObject({ status: 200, bodySnippet: JSON.stringify({ received: row.event_id }) });
    // so an app that cares compares `token` itself
    expect(rx.take()[0]!.data.token).toBe('not-the-token');
  });

  it('url_verification: the SDK answers the challenge, plain and encrypted, and the checker accepts it', async () => {
    const p = challengeRequest(plain, 'challenge-plain');
    expect(p.request.body).toBe(`{"challenge":"challenge-plain","token":"${TOKEN}","type":"url_verification"}`);
    const pres = await post('/plain', p.request, 1000);
    expect(pres).toMatchObject({ status: 200, bodySnippet: '{"challenge":"challenge-plain"}' });
    expect(isChallengeAnswer(p.challenge, pres)).toBe(true);

    const e = challengeRequest(encrypted);
    expect(e.challenge).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(decrypt((JSON.parse(e.request.body) as Json).encrypt as string, KEY))).toEqual({ challenge: e.challenge, token: TOKEN, type: 'url_verification' });
    const eres = await post('/enc', e.request, 1000);
    expect(isChallengeAnswer(e.challenge, eres)).toBe(true);
    expect(rx.take()).toEqual([]);

    // the checker refuses another challenge's answer, a non-200, a non-JSON body, and no answer at all
    expect(isChallengeAnswer('something-else', eres)).toBe(false);
    expect(isChallengeAnswer(e.challenge, { ...eres, status: 500 })).toBe(false);
    expect(isChallengeAnswer(e.challenge, { ...eres, bodySnippet: e.challenge })).toBe(false);
    // an encrypted challenge to an app without an Encrypt Key: the SDK throws and never answers
    const noKey = await post('/plain', challengeRequest(encrypted).request, 300);
    expect(noKey.error).toBe('timeout after 300 ms');
    expect(isChallengeAnswer(e.challenge, noKey)).toBe(false);
    expect(rx.rejections.splice(0)).toHaveLength(1);
  });

  it('postWebhook reports failures instead of throwing, and does not follow redirects or read huge bodies', async () => {
    const req = eventRequest(rows[0]!, plain);
    expect(await postWebhook('ftp://127.0.0.1/x', req, 500)).toMatchObject({ status: null, error: 'unsupported protocol ftp:' });
    expect(await postWebhook('not a url', req, 500)).toMatchObject({ status: null, error: 'invalid URL' });
    const port = await deadPort();
    const refused = await postWebhook(`http://127.0.0.1:${port}/`, req, 500);
    expect(refused.status).toBeNull();
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(await post('/moved', req)).toMatchObject({ status: 302, bodySnippet: '' });
    const huge = await post('/huge', req);
    expect(huge.status).toBe(200);
    expect(huge.bodySnippet.length).toBe(2048);
    expect(huge.error).toBeUndefined();
  });
});
