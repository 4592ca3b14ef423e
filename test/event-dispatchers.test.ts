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

/** Notes every arrival per app, in arrival order. */
class Receiver {
  readonly arrivals: Record<string, string[]> = Object.fromEntries(APPS.map((a) => [a, []]));
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const h = (JSON.parse(body) as Json).header as Json;
        this.arrivals[h.app_id as string]!.push(h.event_id as string);
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

  it('every event reaches each app exactly once and in outbox order, whichever process sends it', { timeout: 120_000 }, async () => {
    const rt = servers[0]!.runtime;
    const app = (await rt.repos.apps.find(APPS[0]!))!;
    const tokens = await Promise.all(USERS.map(async (u) => (await rt.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken));
    const call = async (i: number, path: string, body: unknown) => {
      // spread the writes over the three processes
      const res = await fetch(`${servers[i % servers.length]!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as Json;
    };
    const reserve = await servers[0]!.client({ appId: app.appId, appSecret: app.appSecret }).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'u0', meeting_settings: { topic: 'Shared', password: '' } },
    });
    const no = reserve.data!.reserve!.meeting_no!;
    await Promise.all(
      USERS.map(async (_, i) => {
        for (let r = 0; r < ROUNDS; r++) {
          const joined = await call(i, '/client/v1/meetings/join', { meeting_no: no });
          expect(joined.code).toBe(0);
          expect((await call(i, `/client/v1/sessions/${joined.data.session_id}/leave`, {})).code).toBe(0);
        }
      }),
    );

    const events = await rt.store.db.selectFrom('outbox_events').select(['event_id', 'seq']).where('tenant_key', '=', 'shared').where('event_type', 'in', TYPES).orderBy('seq').execute();
    expect(events.length).toBeGreaterThanOrEqual(USERS.length * ROUNDS * 2);
    const inOrder = events.map((e) => e.event_id);
    for (const appId of APPS) {
      await expect.poll(() => rx.arrivals[appId]!.length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(inOrder.length);
      // exactly once: no double send between the processes, and the app's order is the outbox order
      expect(rx.arrivals[appId]).toEqual(inOrder);
    }
    // one attempt per delivery: nobody sent anything twice
    const attempts = await rt.store.db.selectFrom('delivery_attempts').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(inOrder.length * APPS.length);
  });
});
