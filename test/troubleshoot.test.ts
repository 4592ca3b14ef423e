import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { RequestLogBook } from '../src/http/request-log.js';
import { dialect, sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { signIn } from './helpers/sign-in.js';
import { runCli } from './helpers/cli.js';

// An error's `troubleshooter` link leads to this server's page of the request's log lines (issue 18,
// item 4), which only a signed-in administrator of the calling tenant may read.

describe(`troubleshooter pages (${dialect})`, () => {
  let s: TestServer;
  const book = new RequestLogBook();

  beforeAll(async () => {
    // The server's log goes into the book only (the test's output stays clean), at the default level.
    const logger = pino({ level: 'info', base: { service: 'openvc' } }, { write: (line: string) => book.record(line) });
    s = await startTestServer({ logger, requestLog: book });
  });
  afterAll(async () => {
    await s.close();
    await s.store.dispose();
  });

  const get = (path: string, cookie?: string) => fetch(`${s.url}${path}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });

  async function failedRequest(app: { appId: string; appSecret: string }) {
    const err = await sdkError(s.client(app).vc.meeting.get({ path: { meeting_id: '6911188411932033000' } }));
    const logId = err.body.error.log_id as string;
    const text = err.body.error.troubleshooter as string;
    return { err, logId, text, path: new URL(text.slice(text.indexOf('http'))).pathname + new URL(text.slice(text.indexOf('http'))).search };
  }

  it('points the error at this server, not the public Feishu site', async () => {
    const { err, logId, text } = await failedRequest(fixture.acme.full);
    expect(err.body.code).toBe(121004);
    expect(text).toBe(`排查建议查看(Troubleshooting suggestions): ${s.url}/troubleshoot?from=openapi&log_id=${logId}&code=121004`);
    expect(err.headers['x-tt-logid']).toBe(logId);
  });

  it('shows the lines to an administrator of the calling tenant only', async () => {
    const { logId, path } = await failedRequest(fixture.acme.full);

    // Nobody signed in: to the sign-in page, and back here after.
    const anon = await get(path);
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe(`/signin?${new URLSearchParams({ next: `/troubleshoot?log_id=${logId}` })}`);

    // A user who is not an administrator learns nothing of the request.
    const bob = await signIn(s.url, 'acme', 'bob');
    const refused = await get(path, bob);
    expect(refused.status).toBe(403);
    const refusedText = await refused.text();
    expect(refusedText).toContain('administrators of the tenant only');
    expect(refusedText).not.toContain('/open-apis/');

    // Made an administrator with the CLI, alice reads the lines: the route, the status, the code's meaning.
    const made = await runCli(['user', 'admin', 'alice', '--tenant', 'acme', ...s.store.cliArgs()]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('alice is now an administrator of tenant acme');
    const alice = await signIn(s.url, 'acme', 'alice');
    const shown = await get(path, alice);
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain(`<code id="ts-log-id">${logId}</code>`);
    expect(page).toContain('<b id="ts-code">121004</b>');
    expect(page).toContain('/open-apis/vc/v1/meetings/:meeting_id');
    expect(page).toContain('&#34;status&#34;: 404');
    expect(page).toContain(fixture.acme.full.appId);
    // No credential reaches the page (the logger redacts; the token is never logged).
    expect(page).not.toContain(fixture.acme.full.appSecret);
    expect(page).not.toMatch(/t-[A-Za-z0-9_-]{20,}/);

    // Another tenant's administrator is told the same as for a log id that never existed.
    const made2 = await runCli(['user', 'admin', 'gina', '--tenant', 'globex', ...s.store.cliArgs()]);
    expect(made2.code, made2.stderr).toBe(0);
    const gina = await signIn(s.url, 'globex', 'gina');
    const other = await get(path, gina);
    expect(other.status).toBe(404);
    const never = await get('/troubleshoot?log_id=20261206000000ABCDEF0123456789AB', gina);
    expect(never.status).toBe(404);
    const strip = (html: string) => html.replace(/[0-9A-F]{34}|20261206000000ABCDEF0123456789AB/g, 'ID');
    expect(strip(await other.text())).toBe(strip(await never.text()));

    // Revoked, alice is refused again.
    expect((await runCli(['user', 'admin', 'alice', '--tenant', 'acme', '--revoke', ...s.store.cliArgs()])).code).toBe(0);
    expect((await get(path, alice)).status).toBe(403);
  });

  it('refuses odd log ids without error, and the CLI names a missing user', async () => {
    const gina = await signIn(s.url, 'globex', 'gina');
    for (const id of ['..%2F..%2Fetc', 'x'.repeat(300), '<script>']) {
      const r = await get(`/troubleshoot?log_id=${encodeURIComponent(id)}`, gina);
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain('<script>');
    }
    const missing = await runCli(['user', 'admin', 'nobody', '--tenant', 'acme', ...s.store.cliArgs()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('user nobody does not exist in tenant acme');
  });
});
