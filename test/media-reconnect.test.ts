import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { closeBrowserTest, hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';
import { hasTurnserver, startCoturn, type Coturn } from './helpers/coturn.js';
import { NetworkCut } from './helpers/network-cut.js';
import { fixture } from './helpers/fixture.js';

type Json = Record<string, any>;

// Functions passed to page.evaluate run in the page; the test build has no DOM types.
declare const window: any;

const framesOf = async (p: MeetingPage, key: string) => (await p.inboundVideo()).find((v) => v.participant_key === key)?.framesDecoded ?? 0;

/**
 * A page whose network drops (media, signalling and HTTP alike: see NetworkCut) comes back into the same
 * session with media; a page whose meeting ended meanwhile says so and stops trying.
 */
describe.skipIf(!hasChromium || !hasTurnserver)('meeting page reconnecting after a network drop', () => {
  let s: TestServer;
  let browser: Browser;
  let turn: Coturn;
  const pages: MeetingPage[] = [];
  let meetingId = '';
  let no = '';
  let cut: NetworkCut;

  beforeAll(async () => {
    [turn, browser, s] = await Promise.all([startCoturn(), launchChromium(), startTestServer()]);
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
    const res = await fetch(`${s.url}/client/v1/meetings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'Flaky network' }) });
    const started = ((await res.json()) as Json).data.meeting;
    [no, meetingId] = [started.meeting_no, started.id];
  });
  afterAll(async () => {
    await closeBrowserTest(pages, browser, s);
    cut?.close();
    await turn?.stop();
  });

  it('after a 10 s drop the page is back in the same session with video both ways, with no second row and no leave or join', async () => {
    for (const user of ['alice', 'bob']) pages.push(await MeetingPage.open(browser, s.url, no, user));
    const [alice, bob] = pages as [MeetingPage, MeetingPage];
    cut = await NetworkCut.install(bob.page, turn);
    for (const p of pages) await p.join();
    await alice.waitForVideo(['u:bob'], { minFrames: 5 });
    await bob.waitForVideo(['u:alice'], { minFrames: 5 });
    const before = await bob.state();
    const eventsBefore = await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId);

    await cut.start();
    // The drop is the scenario: bob's page hears nothing and is heard by no one for 10 s.
    await new Promise((r) => setTimeout(r, 5000));
    const during = [await framesOf(alice, 'u:bob'), await framesOf(bob, 'u:alice')];
    await new Promise((r) => setTimeout(r, 5000));
    const [fromBob, fromAlice] = [await framesOf(alice, 'u:bob'), await framesOf(bob, 'u:alice')];
    expect([fromBob, fromAlice], 'no video crosses the cut').toEqual(during);
    const restored = Date.now();
    await cut.end();

    await alice.waitForVideo(['u:bob'], { minFrames: fromBob + 10, timeoutMs: 30_000 });
    await bob.until((st) => st.tracks.some((t: Json) => t.participant_key === 'u:alice' && t.source === 'video'), 30_000);
    // A replaced connection decodes from zero; a resumed one goes on counting.
    const resumed = (await bob.page.evaluate(() => (window as any).openvc.reconnects)) === 0;
    await bob.waitForVideo(['u:alice'], { minFrames: resumed ? fromAlice + 10 : 10, timeoutMs: 30_000 });

    console.info(`video both ways ${Date.now() - restored} ms after the network came back (${resumed ? 'the connection resumed' : 'a new connection'})`);
    const after = await bob.state();
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.over).toBeNull();
    expect(await bob.view()).toBe('meeting');
    const open = await s.runtime.repos.sessions.openInMeeting(meetingId);
    expect(open.map((r) => r.participant_key).sort()).toEqual(['u:alice', 'u:bob']);
    const roster = (await alice.state()).roster.map((r: Json) => [r.participant_key, r.media]);
    expect(roster).toEqual([
      ['u:alice', true],
      ['u:bob', true],
    ]);
    const newEvents = (await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId)).slice(eventsBefore.length).map((e) => e.event_type);
    expect(newEvents.filter((t) => /join|leave|left/.test(t))).toEqual([]);
  }, 120_000);

  it('a page whose meeting ended during its drop says so when it is back, and stops reconnecting', async () => {
    const [alice, bob] = pages as [MeetingPage, MeetingPage];
    await cut.start();
    await alice.endMeeting();
    await alice.until((st) => st.over);
    await cut.end();
    await bob.until((st) => st.over === 'The meeting has ended', 30_000);
    expect(await bob.view()).toBe('over');
    const reconnects = await bob.page.evaluate(() => (window as any).openvc.reconnects);
    // Nothing keeps knocking on an ended session's media socket.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await bob.page.evaluate(() => (window as any).openvc.reconnects)).toBe(reconnects);
  }, 60_000);
});
