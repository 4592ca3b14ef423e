import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dialect, sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

type Json = Record<string, any>;

/** One sample's value from the Prometheus text format (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

// Prometheus metrics at /metrics (issue 16, item 4), scraped as Prometheus would, after real traffic.
describe(`/metrics (${dialect})`, () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const client = (user: string, method: string, path: string, body?: unknown) =>
    fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    }).then(async (r) => (await r.json()) as Json);
  const scrape = async () => {
    const r = await fetch(`${s.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    return r.text();
  };

  beforeAll(async () => {
    s = await startTestServer();
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const u of ['alice', 'bob']) tokens[u] = (await s.runtime.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    const sdk = s.client(fixture.acme.full);
    const before = (await scrape()).length > 0;
    expect(before).toBe(true);
    for (let i = 0; i < 3; i++) await sdk.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
    await sdkError(sdk.vc.meeting.get({ path: { meeting_id: '6911188411932033000' } }));
    const text = await scrape();
    expect(sample(text, 'openvc_http_requests_total', { method: 'GET', route: '/open-apis/contact/v3/users/:user_id', status: '200' })).toBe(3);
    expect(sample(text, 'openvc_http_requests_total', { method: 'GET', route: '/open-apis/vc/v1/meetings/:meeting_id', status: '404' })).toBe(1);
    expect(sample(text, 'openvc_http_request_duration_seconds_count', { method: 'GET', route: '/open-apis/contact/v3/users/:user_id' })).toBe(3);
    expect(text).not.toContain('6911188411932033000');
    expect(text).not.toContain('route="/metrics"');
    // Node's own metrics, and the service label on every series.
    expect(sample(text, 'openvc_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text).toMatch(/openvc_nodejs_eventloop_lag_seconds\{service="openvc"\}/);
  });

  it('reports live meetings, participants, quality, jobs and the event backlog from the store', async () => {
    const started = (await client('alice', 'POST', '/client/v1/meetings', { topic: 'Metrics', device: { type: 'web', client_version: '1.0', network_type: 'wifi' } })).data;
    const joined = (await client('bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no })).data;
    const minute = Math.floor(Date.now() / 1000 / 60) * 60;
    expect((await client('bob', 'POST', `/client/v1/sessions/${joined.session_id}/stats`, { samples: [{ minute, bitrate_kbps: 800, packet_loss: 0.02, jitter_ms: 12, rtt_ms: 40 }] })).code).toBe(0);
    expect((await client('alice', 'POST', `/client/v1/sessions/${started.session_id}/stats`, { samples: [{ minute, bitrate_kbps: 1200, packet_loss: 0, jitter_ms: 4, rtt_ms: 20 }] })).code).toBe(0);
    const text = await scrape();
    expect(sample(text, 'openvc_meetings_live')).toBe(1);
    expect(sample(text, 'openvc_participants_live')).toBe(2);
    expect(sample(text, 'openvc_client_quality_samples')).toBe(2);
    expect(sample(text, 'openvc_client_quality', { measure: 'bitrate_kbps', quantile: '0.95' })).toBe(1200);
    expect(sample(text, 'openvc_client_quality', { measure: 'packet_loss', quantile: '0.95' })).toBe(0.02);
    expect(sample(text, 'openvc_jobs', { kind: 'metrics.test', status: 'pending' })).toBeUndefined();
    await s.runtime.repos.jobs.schedule({ kind: 'metrics.test', payload: {}, runAt: Date.now() + 3_600_000 });
    expect(sample(await scrape(), 'openvc_jobs', { kind: 'metrics.test', status: 'pending' })).toBe(1);
    expect(sample(text, 'openvc_event_delivery_backlog')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'openvc_event_delivery_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'openvc_media_meetings')).toBe(0);
    if (dialect === 'postgres') expect(sample(text, 'openvc_db_pool_connections', { state: 'max' })).toBe(10);

    await client('alice', 'POST', `/client/v1/sessions/${started.session_id}/end`);
    await expect.poll(async () => sample(await scrape(), 'openvc_meetings_live'), { timeout: 10_000 }).toBe(0);
  });

  it("the sample Grafana dashboard draws only metrics the server exports", async () => {
    const dashboard = readFileSync('docs/grafana-dashboard.json', 'utf8');
    const names = new Set([...dashboard.matchAll(/openvc_[a-z0-9_]+/g)].map((m) => m[0]));
    expect(names.size).toBeGreaterThan(10);
    const text = await scrape();
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const base = (n: string) => n.replace(/_(bucket|count|sum)$/, '');
    // The pool exists on PostgreSQL only.
    const pgOnly = dialect === 'postgres' ? [] : ['openvc_db_pool_connections'];
    expect([...names].filter((n) => !exported.has(n) && !exported.has(base(n)) && !pgOnly.includes(n))).toEqual([]);
  });

  it('can be turned off', async () => {
    const off = await startTestServer({ config: { metrics: false } });
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
      await off.store.dispose();
    }
  });
});
