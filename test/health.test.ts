import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

/** Load-balancer probes (issue 14 item 7, docs/operations.md), over plain HTTP with no token. */
describe('health probes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ seed: null });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  const get = async (path: string) => {
    const res = await fetch(s.url + path);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('/healthz answers 200 "ok" in plain text, with no token and no rate limit', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => get('/healthz')));
    for (const a of answers) expect(a).toEqual({ status: 200, type: 'text/plain; charset=utf-8', text: 'ok' });
  });

  it('/readyz answers 200 with every check ok while the store, the migrations and the job runners are', async () => {
    const r = await get('/readyz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ status: 'ready', checks: { store: 'ok', migrations: 'ok', jobs: 'ok' } });
  });

  it('neither probe is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/readyz');
    expect(Object.keys(doc.paths)).not.toContain('/healthz');
  });

  it('/readyz answers 503 naming a stopped job runner, and 200 again once it runs', async () => {
    await s.runtime.exportJobs.stop();
    const r = await get('/readyz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({ status: 'not ready', checks: { store: 'ok', migrations: 'ok', jobs: 'not running: exportJobs' } });
    s.runtime.exportJobs.start();
    expect((await get('/readyz')).status).toBe(200);
  });

  it('/readyz answers 503 naming the store once the store is gone, while /healthz still answers', async () => {
    await s.runtime.store.close();
    const r = await get('/readyz');
    expect(r.status).toBe(503);
    const body = JSON.parse(r.text) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not ready');
    expect(body.checks.store).not.toBe('ok');
    expect(body.checks.migrations).not.toBe('ok');
    expect(body.checks.jobs).toBe('ok');
    expect((await get('/healthz')).status).toBe(200);
  });
});
