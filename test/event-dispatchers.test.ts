import { createServer, type Server } from 'node:http';
import { closeLocal, listenLocal } from './helpers/local-http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allScopes } from '../src/domain/demo.js';
import type { Seed } from '../src/domain/seed.js';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';

type Json = Record<string, any>;

const TYPES = ['vc.meeting.join_meeting_v1', 'vc.meeting.leave_meeting_v1'];
const APPS = ['cli_dispatchersa01', 'cli_dispatchersb01'];
const USERS = Array.from({ length: 10 }, (_, i) => `u${i}`);
const ROUNDS = 30;
/** Users are spread over this many meetings: an app's lane sends several meetings at once. */
const MEETINGS = 3;

/** Notes every arrival per app, in arrival order, with the meeting it belongs to. */
class Receiver {
  readonly arrivals: Record<string, { eventId: string; meetingId: string }[]> = Object.fromEntries(APPS.map((a) => [a, []]));
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { header: h, event } = JSON.parse(body) as Json;
        this.arrivals[h.app_id as string]!.push({ eventId: h.event_id as string, meetingId: event.meeting.id as string });
        res.end('{}');
      });
    });
  }

  async start(): Promise<void> {
    this.url = await listenLocal(this.server);
  }

  async close(): Promise<void> {
    await closeLocal(this.server);
  }
}

describe('three server processes share one store and its outbox', () => {
  const store = new TestStore();
  const rx = new Receiver();
  const servers: TestServer[] = [];

  beforeAll(async () => {
    await rx.start();
    const seed: Seed = {
      tenants: [
        {
          tenant_key: 'shared',
          name: 'Shared',
          users: USERS.map((u) => ({ user_id: u, name: u })),
          apps: APPS.map((app_id) => ({ app_id, app_secret: `${app_id}-secret`, name: app_id, scopes: allScopes(), events: { request_url: `${rx.url}/${app_id}`, verification_token: 'vt', subscribe: TYPES } })),
        },
      ],
    };
    servers.push(await startTestServer({ store, seed, config: { heartbeatTimeout: 600, emptyMeetingGrace: 600 } }));
    for (let i = 0; i < 2; i++) servers.push(await startTestServer({ store, seed: null, config: { heartbeatTimeout: 600, emptyMeetingGrace: 600 } }));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await rx.close();
    await store.dispose();
  });

  it('every event reaches each app exactly once and each meeting\'s events in outbox order, whichever process sends them', { timeout: 120_000 }, async () => {
    const rt = servers[0]!.runtime;
    const app = (await rt.repos.apps.find(APPS[0]!))!;
    const tokens = await Promise.all(USERS.map(async (u) => (await rt.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken));
    const call = async (i: number, path: string, body: unknown) => {
      // spread the writes over the three processes
      const res = await fetch(`${servers[i % servers.length]!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as Json;
    };
    const numbers: string[] = [];
    for (let m = 0; m < MEETINGS; m++) {
      const reserve = await servers[0]!.client({ appId: app.appId, appSecret: app.appSecret }).vc.reserve.apply({
        params: { user_id_type: 'user_id' },
        data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'u0', meeting_settings: { topic: `Shared ${m}`, password: '' } },
      });
      numbers.push(reserve.data!.reserve!.meeting_no!);
    }
    await Promise.all(
      USERS.map(async (_, i) => {
        for (let r = 0; r < ROUNDS; r++) {
          const joined = await call(i, '/client/v1/meetings/join', { meeting_no: numbers[i % MEETINGS] });
          expect(joined.code).toBe(0);
          expect((await call(i, `/client/v1/sessions/${joined.data.session_id}/leave`, {})).code).toBe(0);
        }
      }),
    );

    const events = await rt.store.db.selectFrom('outbox_events').select(['event_id', 'meeting_id']).where('tenant_key', '=', 'shared').where('event_type', 'in', TYPES).orderBy('seq').execute();
    expect(events.length).toBeGreaterThanOrEqual(USERS.length * ROUNDS * 2);
    const perMeeting = (list: { eventId: string; meetingId: string }[]) => {
      const by = new Map<string, string[]>();
      for (const e of list) by.set(e.meetingId, [...(by.get(e.meetingId) ?? []), e.eventId]);
      return Object.fromEntries(by);
    };
    const expected = perMeeting(events.map((e) => ({ eventId: e.event_id, meetingId: e.meeting_id! })));
    expect(Object.keys(expected)).toHaveLength(MEETINGS);
    for (const appId of APPS) {
      await expect.poll(() => rx.arrivals[appId]!.length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(events.length);
      // exactly once (no double send between the processes or within a lane), each meeting in outbox order
      expect(rx.arrivals[appId]).toHaveLength(events.length);
      expect(perMeeting(rx.arrivals[appId]!)).toEqual(expected);
    }
    // one attempt per delivery, and every delivery recorded as delivered
    const attempts = await rt.store.db.selectFrom('delivery_attempts').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(events.length * APPS.length);
    await expect.poll(async () => (await rt.repos.deliveries.list({ status: 'pending' }, 1)).length, { timeout: 10_000 }).toBe(0);
  });
});
