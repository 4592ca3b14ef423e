import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';

type Json = Record<string, any>;

/**
 * The meeting page in real Chromium with fake camera, microphone and screen, against a real server and
 * its SFU: video decodes at every participant, controls reach the others, host actions reach the pages.
 */
describe.skipIf(!hasChromium)('meeting page in a browser', () => {
  let s: TestServer;
  let browser: Browser;
  const pages: MeetingPage[] = [];

  const token = async (user: string) => {
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    return (await s.runtime.tokens.issueUserTokens(app, user, app.scopes, 'v1', Date.now())).accessToken;
  };
  const call = async (tok: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${tok}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    [s, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    for (const p of pages) await p.close().catch(() => {});
    await browser?.close();
    await s?.close();
    await s?.store.dispose();
  });

  it('three participants join through sign-in and the device check, and each decodes the others\' video', async () => {
    const alice = await token('alice');
    const started = await call(alice, 'POST', '/client/v1/meetings', { topic: 'Browser call' });
    expect(started.code).toBe(0);
    const no = started.data.meeting.meeting_no as string;
    // alice's own session from the API call is replaced by the page's join
    for (const user of ['alice', 'bob', 'member00']) {
      const p = await MeetingPage.open(browser, s.url, no, user, { statsInterval: 2 });
      await p.join();
      pages.push(p);
    }
    const keys = ['u:alice', 'u:bob', 'u:member00'];
    for (const [i, p] of pages.entries()) {
      await p.waitForVideo(keys.filter((_, j) => j !== i), { minFrames: 5 });
    }
    const roster = (await pages[0]!.state()).roster.map((r: Json) => [r.participant_key, r.name, r.is_host]);
    expect(roster).toEqual([
      ['u:alice', 'Alice', true],
      ['u:bob', 'Bob', false],
      ['u:member00', 'Member 0', false],
    ]);
  });
});
