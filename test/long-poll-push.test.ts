import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialect, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { sessionWakeKey } from '../src/store/repositories/session.repository.js';

type Json = Record<string, any>;

// Waiting clients are woken by push, not by polling the store (issue 16, item 2): an idle long-poll reads
// the store at most once, and an event written by any process of the store ends it at once.

describe(`long-polls are pushed (${dialect})`, () => {
  const servers: TestServer[] = [];
  const tokens: Record<string, string> = {};
  const call = async (s: TestServer, user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    const first = await startTestServer();
    servers.push(first);
    // On PostgreSQL a second process of the same store; on SQLite (one process) the same server again.
    servers.push(dialect === 'postgres' ? await startTestServer({ store: first.store, seed: null }) : first);
    const app = (await first.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const u of ['alice', 'bob']) tokens[u] = (await first.runtime.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    for (const s of new Set(servers)) await s.close();
    await servers[0]?.store.dispose();
  });

  it('an idle wait reads the store at most once; a kick-out on another process ends it at once', async () => {
    const [a, b] = [servers[0]!, servers[1]!];
    const started = (await call(a, 'alice', 'POST', '/client/v1/meetings', {})).data;
    const bob = (await call(a, 'bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no })).data;
    const first = (await call(b, 'bob', 'GET', `/client/v1/sessions/${bob.session_id}/events`)).data;
    // The bus's LISTEN connection opens on first use; until it is up, waits look for themselves (and once
    // more when it comes up). On a busy machine that can take longer than the call above.
    await vi.waitFor(() => expect(b.runtime.store.wake.reliable()).toBe(true), { timeout: 15_000 });
    const reads = vi.spyOn(b.runtime.repos.sessions, 'eventsForSession');
    try {
      // An idle wait: three seconds of nothing. Polled every 250 ms it would read about 12 times.
      const idleStarted = Date.now();
      const idle = (await call(b, 'bob', 'GET', `/client/v1/sessions/${bob.session_id}/events?after=${first.next}&wait=3`)).data;
      expect(Date.now() - idleStarted).toBeGreaterThanOrEqual(2900);
      expect(idle.events).toEqual([]);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1);

      // A long wait, woken by the host's kick-out made through the Open API on the other process.
      reads.mockClear();
      const waitStarted = Date.now();
      const waiting = call(b, 'bob', 'GET', `/client/v1/sessions/${bob.session_id}/events?after=${idle.next}&wait=25`);
      await new Promise((r) => setTimeout(r, 300));
      const sdk = a.client(fixture.acme.full);
      const kicked = await sdk.vc.meeting.kickout({
        path: { meeting_id: started.meeting.id },
        params: { user_id_type: 'user_id' },
        data: { kickout_users: [{ id: 'bob', user_type: 1 }] },
      }, );
      expect(kicked.code).toBe(0);
      const woke = (await waiting).data;
      expect(woke.events.map((e: Json) => e.type)).toEqual(['kicked_out']);
      // Well inside the 25 s wait: the commit's notification woke it.
      expect(Date.now() - waitStarted).toBeLessThan(10_000);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      reads.mockRestore();
    }
  });

  it('clients that come back at once (a restart) make one token read', async () => {
    const s = servers[0]!;
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    // a token this process has not verified yet
    const token = (await s.runtime.tokens.issueUserTokens(app, 'member03', app.scopes, 'v1', Date.now())).accessToken;
    const tokenReads = vi.spyOn(s.runtime.repos.tokens, 'findByHash');
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const res = await fetch(`${s.url}/client/v1/events?after=0&wait=0`, { headers: { authorization: `Bearer ${token}` } });
          return { status: res.status, body: (await res.json()) as Json };
        }),
      );
      expect(answers.every((a) => a.status === 200 && a.body.code === 0)).toBe(true);
      // the polls that came while the first one's token was being read waited for that read
      expect(tokenReads).toHaveBeenCalledTimes(1);
    } finally {
      tokenReads.mockRestore();
    }
  });

  it('one event wakes forty waits of a feed; they share one read of it', async () => {
    const s = servers[0]!;
    const started = (await call(s, 'alice', 'POST', '/client/v1/meetings', {})).data;
    const bob = (await call(s, 'bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no })).data;
    const first = (await call(s, 'bob', 'GET', `/client/v1/sessions/${bob.session_id}/events`)).data;
    await vi.waitFor(() => expect(s.runtime.store.wake.reliable()).toBe(true), { timeout: 15_000 });
    const reads = vi.spyOn(s.runtime.repos.sessions, 'eventsForSession');
    try {
      const waits = Array.from({ length: 40 }, () => call(s, 'bob', 'GET', `/client/v1/sessions/${bob.session_id}/events?after=${first.next}&wait=20`));
      // every wait has arrived and sleeps (the bus knows the feed has nothing newer: none of them read it)
      await vi.waitFor(() => expect(s.runtime.store.wake.waiting(sessionWakeKey(bob.session_id))).toBe(40), { timeout: 15_000 });
      expect(reads).not.toHaveBeenCalled();
      // Alice leaves: Bob is host now, and his feed says so. Every wait wakes in the same turn.
      expect((await call(s, 'alice', 'POST', `/client/v1/sessions/${started.session_id}/leave`)).code).toBe(0);
      const woke = await Promise.all(waits);
      expect(woke.every((w) => w.code === 0 && w.data.events.some((e: Json) => e.type === 'host_changed'))).toBe(true);
      // Without sharing, each of the 40 would read the feed.
      expect(reads.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      reads.mockRestore();
    }
  });
});
