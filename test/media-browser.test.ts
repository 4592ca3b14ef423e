import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { closeBrowserTest, hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';

type Json = Record<string, any>;

// Functions passed to page.evaluate run in the page; the test build has no DOM types.
declare const location: any;
declare const document: any;

/**
 * The meeting page in real Chromium with fake camera, microphone and screen, against a real server and
 * its SFU: video decodes at every participant, controls reach the others, host actions reach the pages.
 */
describe.skipIf(!hasChromium)('meeting page in a browser', () => {
  let s: TestServer;
  let browser: Browser;
  const pages: MeetingPage[] = [];
  const logs: string[] = [];
  const tokens: string[] = [];
  let meetingId = '';
  let no = '';

  const token = async (user: string) => {
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const t = (await s.runtime.tokens.issueUserTokens(app, user, app.scopes, 'v1', Date.now())).accessToken;
    tokens.push(t);
    return t;
  };
  const call = async (tok: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${tok}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    // Two video streams per participant at most: a screen share pauses a camera, visibly.
    [s, browser] = await Promise.all([startTestServer({ logger, config: { mediaMaxVideoStreams: 2 } }), launchChromium()]);
  });
  afterAll(async () => {
    await closeBrowserTest(pages, browser, s);
  });

  it('three participants join through sign-in and the device check, and each decodes the others\' video', async () => {
    const alice = await token('alice');
    const started = await call(alice, 'POST', '/client/v1/meetings', { topic: 'Browser call' });
    expect(started.code).toBe(0);
    no = started.data.meeting.meeting_no as string;
    meetingId = started.data.meeting.id as string;
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

  const alice = () => pages[0]!;
  const bob = () => pages[1]!;
  const member = () => pages[2]!;
  const frames = async (p: MeetingPage, key: string, source = 'video') => (await p.inboundVideo()).find((v) => v.participant_key === key && v.source === source)?.framesDecoded ?? 0;
  const rosterOf = async (p: MeetingPage, key: string) => (await p.state()).roster.find((r: Json) => r.participant_key === key);

  it('mute and camera toggles reach the others; video comes back when the camera does', async () => {
    await bob().toggleMic();
    await alice().until((st) => st.roster.find((r: Json) => r.participant_key === 'u:bob')?.audio === false);
    await bob().toggleCamera();
    await alice().until((st) => st.roster.find((r: Json) => r.participant_key === 'u:bob')?.video === false);
    expect(await alice().page.textContent('[data-tile="u:bob/video"] .note')).toBe('camera off');
    await bob().toggleCamera();
    await bob().toggleMic();
    await alice().until((st) => {
      const r = st.roster.find((x: Json) => x.participant_key === 'u:bob');
      return r?.video && r.audio;
    });
    const before = await frames(alice(), 'u:bob');
    await alice().waitForVideo(['u:bob'], { minFrames: before + 10 });
    const session = (await bob().state()).sessionId;
    expect(await s.runtime.repos.sessions.get(session)).toMatchObject({ used_audio: 1, used_video: 1 });
  });

  it('a screen share reaches the others, and a camera over the limit is paused and says so', async () => {
    await member().toggleShare();
    for (const p of [alice(), bob()]) await p.waitForVideo(['u:member00'], { source: 'screen', minFrames: 3 });
    // alice receives bob's camera and member00's screen; member00's camera is over the limit of two
    const paused = await alice().until((st) => st.tracks.find((t: Json) => t.participant_key === 'u:member00' && t.source === 'video' && t.paused));
    expect(paused).toMatchObject({ mid: null, paused: 'too_many_videos' });
    expect(await alice().page.textContent('[data-tile="u:member00/video"] .note')).toBe('video paused: meeting too large');
    expect((await s.runtime.repos.meetings.find('acme', meetingId))!.sharingKey).toBe('u:member00');
    await member().toggleShare();
    await alice().until((st) => !st.tracks.some((t: Json) => t.source === 'screen' || t.paused));
    const before = await frames(alice(), 'u:member00');
    await alice().waitForVideo(['u:member00'], { minFrames: before + 5 });
    expect((await s.runtime.repos.meetings.find('acme', meetingId))!.sharingKey).toBeNull();
  });

  it('posts getStats() figures to /stats, which the store keeps', async () => {
    const st = await bob().until((x) => x.statsPosted.length > 0 && x);
    const samples = await s.runtime.repos.sessions.samples(st.sessionId);
    expect(samples.length).toBeGreaterThan(0);
    const last = JSON.parse(samples[samples.length - 1]!.sample) as Json;
    expect(last.video.received).toMatchObject({ resolution: expect.any(Number) });
    expect(last.video.received.bitrate_kbps).toBeGreaterThan(10);
    expect(last.video.sent.bitrate_kbps).toBeGreaterThan(10);
    expect(last.audio.received.bitrate_kbps).toBeGreaterThan(1);
    expect(last.rtt_ms).toBeGreaterThanOrEqual(0);
  });

  it('refuses malformed, out-of-order and foreign signalling, and cleans up a peer that vanishes mid-negotiation, while the call goes on', async () => {
    const bobToken = await token('bob');
    const m01 = await token('member01');
    const joined = await call(m01, 'POST', '/client/v1/meetings/join', { meeting_no: no });
    expect(joined.code).toBe(0);
    const foreign = (await bob().state()).sessionId;
    const results = await alice().page.evaluate(
      async ({ foreign, bobToken, m01, mySession }) => {
        const url = (sid: string) => `ws://${location.host}/client/v1/sessions/${sid}/rtc`;
        /**
         * Opens a socket, sends `frames` one after another, collects what comes back until it closes, `done`
         * says it has all it waits for, or `ms` pass.
         */
        const talk = (sid: string, frames: (string | ((got: any[]) => string | undefined))[], ms = 1500, done?: (got: any[]) => boolean) =>
          new Promise<{ got: any[]; close?: number }>((resolve) => {
            const ws = new WebSocket(url(sid));
            const got: any[] = [];
            let close: number | undefined;
            const finish = () => {
              ws.close();
              resolve({ got, close });
            };
            ws.onmessage = (e) => {
              got.push(JSON.parse(e.data));
              if (done?.(got)) finish();
            };
            ws.onclose = (e) => {
              close = e.code;
              resolve({ got, close });
            };
            ws.onopen = async () => {
              for (const f of frames) {
                await new Promise((r) => setTimeout(r, 150));
                const text = typeof f === 'string' ? f : f(got);
                if (text !== undefined && ws.readyState === 1) ws.send(text);
              }
              setTimeout(finish, ms);
            };
          });
        return {
          garbage: await talk(mySession, ['{not json', JSON.stringify({ type: 'dance' }), JSON.stringify({ type: 'state', audio: 'loud' })], 20_000, (got) => got.filter((m) => m.type === 'error').length >= 3),
          early: await talk(mySession, [JSON.stringify({ type: 'answer', sdp: 'v=0' })]),
          badToken: await talk(mySession, [JSON.stringify({ type: 'hello', access_token: 'u-not-a-token' })]),
          foreign: await talk(foreign, [JSON.stringify({ type: 'hello', access_token: m01 })]),
          notMine: await talk(foreign, [JSON.stringify({ type: 'hello', access_token: bobToken.replace(/.$/, 'x') })]),
          outOfOrder: await talk(mySession.replace(/^/, ''), [], 0),
        };
      },
      { foreign, bobToken, m01, mySession: joined.data.session_id as string },
    );
    const codes = (r: { got: any[] }) => r.got.filter((m) => m.type === 'error').map((m) => m.code);
    expect(codes(results.garbage)).toEqual(['malformed', 'unknown_type', 'malformed']);
    expect(results.early).toMatchObject({ close: 4400 });
    expect(codes(results.early)).toEqual(['out_of_order']);
    expect(results.badToken).toMatchObject({ close: 4401 });
    expect(codes(results.badToken)).toEqual(['unauthorized']);
    expect(results.foreign).toMatchObject({ close: 4403 });
    expect(codes(results.foreign)).toEqual(['not_in_meeting']);
    expect(codes(results.notMine)).toEqual(['unauthorized']);

    // member01 says hello, gets an offer, answers nonsense, then answers again out of turn
    const session = joined.data.session_id as string;
    const negotiation = await alice().page.evaluate(
      async ({ session, m01 }) =>
        new Promise<any>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/client/v1/sessions/${session}/rtc`);
          const got: any[] = [];
          ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', access_token: m01 }));
          ws.onmessage = (e) => {
            const m = JSON.parse(e.data);
            got.push(m);
            if (m.type === 'offer') ws.send(JSON.stringify({ type: 'answer', sdp: 'v=0\r\nthis is not sdp\r\n' }));
            if (m.type === 'error' && m.code === 'negotiation_failed') ws.send(JSON.stringify({ type: 'answer', sdp: 'v=0' }));
          };
          ws.onclose = (e) => resolve({ types: got.map((m) => (m.type === 'error' ? `error:${m.code}` : m.type === 'bye' ? `bye:${m.reason}` : m.type)), close: e.code });
          setTimeout(() => ws.close(), 3000);
        }),
      { session, m01 },
    );
    expect(negotiation.types.filter((t: string) => t !== 'roster').slice(0, 3)).toEqual(['ready', 'tracks', 'offer']);
    expect(negotiation.types, JSON.stringify(negotiation)).toContain("error:negotiation_failed");
    expect(negotiation.types).toContain('bye:media_failed');

    // and a peer that says hello and disappears before answering is gone from the room
    const peersBefore = s.runtime.media.stats().peers;
    await alice().page.evaluate(
      async ({ session, m01 }) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/client/v1/sessions/${session}/rtc`);
          ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', access_token: m01 }));
          ws.onmessage = (e) => {
            if (JSON.parse(e.data).type === 'offer') {
              ws.close();
              resolve();
            }
          };
        }),
      { session, m01 },
    );
    await expect.poll(() => s.runtime.media.stats().peers, { timeout: 5000 }).toBe(peersBefore);
    expect(peersBefore).toBe(3);

    // the call between the three is untouched
    for (const [i, p] of pages.entries()) {
      const others = ['u:alice', 'u:bob', 'u:member00'].filter((_, j) => j !== i);
      const before = Math.min(...(await Promise.all(others.map((k) => frames(p, k)))));
      await p.waitForVideo(others, { minFrames: before + 10 });
    }
    expect((await alice().state()).errors).toEqual([]);
    const refusals = logs.filter((l) => l.includes('signalling message refused') || l.includes('signalling socket closed'));
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    for (const t of tokens) expect(logs.join('\n')).not.toContain(t);
    await call(m01, 'POST', `/client/v1/sessions/${session}/leave`);
  });

  it('rings an invitee on their page', async () => {
    const invitee = await MeetingPage.open(browser, s.url, no, 'member02');
    pages.push(invitee);
    const alice = await token('alice');
    const invited = await call(alice, 'PATCH', `/open-apis/vc/v1/meetings/${meetingId}/invite?user_id_type=user_id`, { invitees: [{ id: 'member02', user_type: 1 }] });
    expect(invited.code, JSON.stringify(invited)).toBe(0);
    await invitee.page.waitForSelector(`#ringing [data-meeting-id="${meetingId}"]`, { timeout: 30_000 });
    expect(await invitee.page.textContent('#ringing')).toContain('Browser call');
    expect((await invitee.state()).events.map((e: Json) => e.type)).toContain('ringing');
  });

  it('shows when the meeting records, and the host\'s record button calls the session\'s recording start/stop', async () => {
    const request = alice().page.waitForRequest((r) => /\/client\/v1\/sessions\/[^/]+\/recording\/start$/.test(r.url()));
    await alice().toggleRecording();
    expect((await request).method()).toBe('POST');
    expect(await bob().page.isHidden('#record')).toBe(true);
    // the recording really started (the service's state reaches every page through the roster)
    for (const p of [alice(), bob()]) await p.page.waitForSelector('#rec-line:text("● recording")');
    expect(await alice().page.textContent('#record')).toBe('Stop recording');
    expect((await s.runtime.repos.recordings.ofMeeting('acme', meetingId)).map((r) => r.status)).toEqual(['recording']);
    const stop = alice().page.waitForRequest((r) => /\/client\/v1\/sessions\/[^/]+\/recording\/stop$/.test(r.url()));
    await alice().toggleRecording();
    expect((await stop).method()).toBe('POST');
    for (const p of [alice(), bob()]) await p.page.waitForFunction(() => document.getElementById('rec-line').textContent === '');
    expect(await alice().page.textContent('#record')).toBe('Record');
  });

  it('host controls: hand the host role over, remove someone, end the meeting; every page is told', async () => {
    await alice().makeHost('u:bob');
    for (const p of pages.slice(0, 3)) await p.until((st) => st.hostKey === 'u:bob');
    expect((await rosterOf(alice(), 'u:bob')).is_host).toBe(true);
    await bob().page.waitForSelector('#end:not([hidden])');
    expect(await alice().page.isHidden('#end')).toBe(true);

    await bob().kick('u:member00');
    await member().until((st) => st.over === 'You were removed from the meeting');
    expect(await member().view()).toBe('over');
    await alice().until((st) => !st.roster.some((r: Json) => r.participant_key === 'u:member00'));

    await bob().endMeeting();
    for (const p of [alice(), bob()]) await p.until((st) => st.over === 'The meeting has ended');
    const types = (await alice().state()).events.filter((e: Json) => !e.feed).map((e: Json) => e.type);
    expect(types).toEqual(['host_changed', 'meeting_ended']);
    expect((await member().state()).events.filter((e: Json) => !e.feed).map((e: Json) => e.type)).toEqual(['host_changed', 'kicked_out']);
    await expect.poll(() => s.runtime.media.stats().peers, { timeout: 5000 }).toBe(0);
    const m = (await s.runtime.repos.meetings.find('acme', meetingId))!;
    expect(m.status).toBe(3);
    expect(m.participants.filter((p) => p.firstJoinAt !== null).map((p) => p.key)).toEqual(['u:alice', 'u:bob', 'u:member00', 'u:member01']);
  });
});
