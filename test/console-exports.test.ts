import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_REQUEST_RETENTION_MS, runMaintenance } from '../src/jobs/maintenance.js';
import { fixtureSeedWithAdmin } from './helpers/fixture.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { signIn } from './helpers/sign-in.js';

type Json = Record<string, any>;

describe("the console's export form", () => {
  let s: TestServer;
  let cookie: string;
  beforeAll(async () => {
    s = await startTestServer({ seed: fixtureSeedWithAdmin() });
    cookie = await signIn(s.url, 'acme', 'alice');
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  const submit = async (requestId: string): Promise<Json> => {
    const end = Math.floor(Date.now() / 1000);
    const r = await fetch(`${s.url}/admin/api/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: s.url },
      body: JSON.stringify({ request_id: requestId, kind: 'meeting_list', start_time: String(end - 86_400), end_time: String(end) }),
    });
    return (await r.json()) as Json;
  };
  const maintenance = () => {
    const rt = s.runtime;
    return runMaintenance(
      { tokens: rt.tokens, jobs: rt.repos.jobs, deliveries: rt.repos.deliveries, throttle: rt.repos.throttle, credentials: rt.repos.credentials, consoleRequests: rt.repos.console, eventRetentionMs: 86_400_000, guessQuietMs: 3_600_000 },
      pino({ level: 'silent' }),
    );
  };

  it('a double submit starts one export; maintenance forgets forms older than a day and keeps newer ones', async () => {
    const first = await submit('form-old-0001');
    expect(first.code).toBe(0);
    const again = await submit('form-old-0001');
    expect(again.data).toEqual({ task_id: first.data.task_id, repeated: true });
    const recent = await submit('form-new-0001');
    expect(recent.code).toBe(0);

    // The first form was sent a day and a minute ago; the second one just now.
    await s.runtime.store.db
      .updateTable('console_requests')
      .set({ created_at: Date.now() - CONSOLE_REQUEST_RETENTION_MS - 60_000 })
      .where('request_id', '=', 'form-old-0001')
      .execute();
    await maintenance();
    const left = await s.runtime.store.db.selectFrom('console_requests').select('request_id').orderBy('request_id').execute();
    expect(left.map((r) => r.request_id)).toEqual(['form-new-0001']);

    // The forgotten form is a new form now: it starts a new export; the kept one still repeats its task.
    const later = await submit('form-old-0001');
    expect(later.code).toBe(0);
    expect(later.data.repeated).toBeUndefined();
    expect(later.data.task_id).not.toBe(first.data.task_id);
    expect((await submit('form-new-0001')).data).toEqual({ task_id: recent.data.task_id, repeated: true });
  });
});
