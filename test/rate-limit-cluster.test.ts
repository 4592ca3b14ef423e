import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { SharedRateLimiter } from '../src/http/rate-limit.js';
import { dialect, startTestServer, TestStore, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { methodById } from '../src/contract/methods.js';

// Rate limits hold across every process of a store (issue 16, item 3): processes take calls from a shared
// count in the store in leases, so three servers admit no more in a window than one would.

describe(`shared rate-limit windows (${dialect})`, () => {
  const store = new TestStore();
  let rt: Runtime;
  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await rt.store.close();
    await store.dispose();
  });

  it('three limiters over one store admit exactly the ceiling in a window, then refuse with the reset', async () => {
    let now = 1_800_000_000_000 + 250;
    const clock = { now: () => now };
    const limiters = [0, 1, 2].map(() => new SharedRateLimiter(rt.repos.rateWindows, clock));
    const limit = { perSecond: 50, perMinute: 1000 };
    let allowed = 0;
    let refused = 0;
    const decisions = await Promise.all(Array.from({ length: 270 }, (_, i) => limiters[i % 3]!.check('contact.user.get|cli_x|acme', limit)));
    for (const d of decisions) {
      if (d.allowed) allowed++;
      else refused++;
    }
    expect(allowed).toBe(50);
    expect(refused).toBe(220);
    const over = decisions.find((d) => !d.allowed)!;
    expect(over.limit).toBe(50);
    expect(over.resetS).toBe(1);
    // The store saw a write per lease, not per call.
    const rows = await rt.store.db.selectFrom('rate_windows').selectAll().where('key', 'like', 'contact.user.get|cli_x|acme%').execute();
    expect(rows.length).toBe(2);
    // The next second is a new window; the minute's ceiling keeps counting across seconds.
    now += 1000;
    const next = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 3]!.check('contact.user.get|cli_x|acme', limit)));
    expect(next.every((d) => d.allowed)).toBe(true);
    // Pruning removes old windows only.
    const pruned = await rt.repos.rateWindows.prune(now - 60_000);
    expect(pruned).toBe(0);
    expect(await rt.repos.rateWindows.prune(now + 120_000)).toBeGreaterThan(0);
  });

  it('a minute ceiling shared by the processes refuses the 21st call of a 20-per-minute method', async () => {
    const clock = { now: () => 1_900_000_000_000 };
    const limiters = [0, 1, 2].map(() => new SharedRateLimiter(rt.repos.rateWindows, clock));
    const out = [];
    for (let i = 0; i < 25; i++) out.push(await limiters[i % 3]!.check('room.search|cli_x|acme', { perMinute: 20 }));
    // Exactly the ceiling overall (a call may be refused while another process still holds a leased call,
    // which it then uses: the count never exceeds the ceiling).
    expect(out.filter((d) => d.allowed)).toHaveLength(20);
    expect(out.filter((d) => !d.allowed).every((d) => d.limit === 20 && d.resetS! > 1)).toBe(true);
  });
});

describe.runIf(dialect === 'postgres')('three servers on one PostgreSQL enforce the published limit together', () => {
  const servers: TestServer[] = [];
  beforeAll(async () => {
    const first = await startTestServer();
    servers.push(first, await startTestServer({ store: first.store, seed: null }), await startTestServer({ store: first.store, seed: null }));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await servers[0]?.store.dispose();
  });

  async function tokens(): Promise<string[]> {
    return Promise.all(
      servers.map(async (s) => {
        const r = await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }) });
        return ((await r.json()) as { tenant_access_token: string }).tenant_access_token;
      }),
    );
  }

  /** Sends `count` calls round-robin over the servers at once; the admitted count and the windows the burst spanned. */
  async function burst(path: string, count: number, windowMs: number) {
    const auth = await tokens();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const r = await fetch(`${servers[i % 3]!.url}${path}`, { headers: { authorization: `Bearer ${auth[i % 3]}` } });
        const body = (await r.json()) as { code: number };
        if (r.status === 429) expect(body.code).toBe(99991400);
        return r.status;
      }),
    );
    const ended = Date.now();
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const windows = Math.floor(ended / windowMs) - Math.floor(started / windowMs) + 1;
    return { ok: statuses.filter((s) => s === 200).length, windows };
  }

  it('270 meeting.listByNo calls over three servers: at most 100 per minute window in all, not 100 per server', async () => {
    const limit = methodById.get('meeting.listByNo')!.rateLimit.perMinute!;
    expect(limit).toBe(100);
    const { ok, windows } = await burst('/open-apis/vc/v1/meetings/list_by_no?meeting_no=123456789&start_time=1700000000&end_time=1700003600', 270, 60_000);
    // Counted per process, three servers would admit 270 (3 × 100); together they admit one ceiling per window.
    expect(ok).toBeGreaterThanOrEqual(limit);
    expect(ok).toBeLessThanOrEqual(limit * windows);
    if (windows === 1) expect(ok).toBe(limit);
  });

  it('270 contact.user.get calls over three servers: the published 50/s holds for the cluster', async () => {
    const { ok, windows } = await burst('/open-apis/contact/v3/users/alice?user_id_type=user_id', 270, 1000);
    expect(ok).toBeGreaterThanOrEqual(50);
    expect(ok).toBeLessThanOrEqual(50 * windows);
  });
});
