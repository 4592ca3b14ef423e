import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { cliArgv } from './helpers/cli.js';

type Json = Record<string, any>;

const TOKEN = 'vt-cli';
const JOIN = 'vc.meeting.join_meeting_v1';
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/** Runs the CLI as a user would; resolves with its exit code and output. */
function openvc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args), { env: { ...process.env, OPENVC_LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('openvc app events / openvc events (the CLI on a live server\'s store)', { timeout: 120_000 }, () => {
  let s: TestServer;
  let rx: Server;
  let rxUrl = '';
  const got: Json[] = [];

  beforeAll(async () => {
    const dispatcher = new lark.EventDispatcher({ verificationToken: TOKEN, logger: silent }).register({ [JOIN]: (data: Json) => void got.push(data) } as never);
    const handle = lark.adaptDefault('/events', dispatcher, { autoChallenge: true });
    rx = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(400).end()));
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    rxUrl = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/events`;
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    rx?.closeAllConnections();
    await new Promise((r) => rx?.close(r));
  });

  it('sets a subscription after the challenge, refuses a bad URL, and shows it', async () => {
    const app = fixture.acme.full.appId;
    const bad = await openvc(['app', 'events', 'set', app, '--url', 'ftp://example.com/x', ...s.store.cliArgs()]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/http or https/);

    const set = await openvc(['app', 'events', 'set', app, '--url', rxUrl, '--verification-token', TOKEN, '--events', JOIN, ...s.store.cliArgs()]);
    expect(set.stderr).toMatch(/url_verification passed/);
    expect(set.code).toBe(0);
    const shown = await openvc(['app', 'events', 'show', app, ...s.store.cliArgs()]);
    expect(JSON.parse(shown.stdout)).toEqual({ app_id: app, request_url: rxUrl, verification_token: TOKEN, encrypt_key: null, event_types: [JOIN] });
  });

  it('lists deliveries and redelivers one to the running server\'s receiver, with the same event_id', async () => {
    const r = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'CLI', password: '' } },
    });
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
    await fetch(`${s.url}/client/v1/meetings/join`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ meeting_no: r.data!.reserve!.meeting_no }) });
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(1);

    const listed = await openvc(['events', 'list', '--app', app.appId, '--json', ...s.store.cliArgs()]);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(rows).toEqual([expect.objectContaining({ app_id: app.appId, event_type: JOIN, status: 'delivered', attempts: 1 })]);
    const tableOut = await openvc(['events', 'list', '--status', 'delivered', ...s.store.cliArgs()]);
    expect(tableOut.stdout).toMatch(new RegExp(`delivered\\s+1\\s+${app.appId}\\s+${JOIN.replace(/\./g, '\\.')}`));
    expect((await openvc(['events', 'list', '--status', 'lost', ...s.store.cliArgs()])).code).not.toBe(0);

    expect((await openvc(['events', 'redeliver', ...s.store.cliArgs()])).stderr).toMatch(/name the deliveries/);
    const again = await openvc(['events', 'redeliver', rows[0]!.delivery_id, ...s.store.cliArgs()]);
    expect(again.stdout).toMatch(/1 deliveries queued again/);
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(2);
    expect(got[1]!.event_id).toBe(got[0]!.event_id);
    const shown = await openvc(['events', 'show', rows[0]!.delivery_id, ...s.store.cliArgs()]);
    await expect.poll(async () => JSON.parse((await openvc(['events', 'show', rows[0]!.delivery_id, ...s.store.cliArgs()])).stdout).attempt_log.length, { timeout: 5_000 }).toBe(2);
    expect(JSON.parse(shown.stdout).event_id).toBe(got[0]!.event_id);
  });

  it('has --help on every command', async () => {
    for (const cmd of [['app', 'events', 'set'], ['events', 'list'], ['events', 'redeliver'], ['events', 'show']]) {
      const h = await openvc([...cmd, '--help']);
      expect(h.code, cmd.join(' ')).toBe(0);
      expect(h.stdout).toMatch(/Usage: openvc/);
    }
  });
});
