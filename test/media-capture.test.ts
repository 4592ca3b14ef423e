import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { closeBrowserTest, hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';

type Json = Record<string, any>;
const hasFfprobe = (() => {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What ffprobe says about a file: its streams and the time of its last packet. */
function probe(path: string): { streams: { codec_type: string; codec_name: string }[]; seconds: number } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_entries', 'packet=pts_time', '-of', 'json', path], { encoding: 'utf8' })) as Json;
  const times = (out.packets as Json[]).map((p) => Number(p.pts_time)).filter((t) => Number.isFinite(t));
  return { streams: out.streams, seconds: times.length ? Math.max(...times) - Math.min(...times) : 0 };
}

/**
 * MeetingCapture over the SFU: a browser publishes fake camera, microphone and screen; every track
 * that carries media while the capture runs becomes one webm file that ffprobe reads.
 */
describe.skipIf(!hasChromium || !hasFfprobe)('media capture (recording raw tracks)', () => {
  let s: TestServer;
  let browser: Browser;
  const pages: MeetingPage[] = [];

  beforeAll(async () => {
    [s, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    await closeBrowserTest(pages, browser, s);
  });

  it('writes one file per track span, a manifest in order, and `closed` after stop', async () => {
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const tok = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
    const started = (await (await fetch(`${s.url}/client/v1/meetings`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: '{}' })).json()) as Json;
    const { id: meetingId, meeting_no: no } = started.data.meeting;
    const alice = await MeetingPage.open(browser, s.url, no, 'alice');
    pages.push(alice);
    await alice.join();
    await expect.poll(() => s.runtime.media.stats().publications, { timeout: 10_000 }).toBe(2);

    const dir = join(s.store.dir, 'raw', meetingId);
    const t0 = Date.now();
    await s.runtime.media.capture.start(meetingId, dir);
    await new Promise((r) => setTimeout(r, 1500));
    // a late joiner's tracks and a screen share get files of their own
    const bob = await MeetingPage.open(browser, s.url, no, 'bob');
    pages.push(bob);
    await bob.join();
    await alice.toggleShare();
    await bob.waitForVideo(['u:alice'], { source: 'screen' });
    await new Promise((r) => setTimeout(r, 2500));
    await alice.toggleShare();
    await new Promise((r) => setTimeout(r, 1500));
    await s.runtime.media.capture.stop(meetingId);
    const captured = (Date.now() - t0) / 1000;
    await s.runtime.media.capture.stop(meetingId); // a second stop is a no-op

    expect(existsSync(join(dir, 'closed'))).toBe(true);
    const manifest = readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    const startedTracks = manifest.filter((e) => e.event === 'track_started');
    expect(startedTracks.map((e) => `${e.participant_key} ${e.kind}`).sort()).toEqual(['u:alice audio', 'u:alice screen', 'u:alice video', 'u:bob audio', 'u:bob video']);
    for (const e of manifest) expect(e.at).toBeGreaterThanOrEqual(t0 - 1);
    // every started track ends, after it started
    for (const st of startedTracks) {
      const end = manifest.find((e) => e.event === 'track_ended' && e.file === st.file);
      expect(end, st.file).toBeDefined();
      expect(end!.at).toBeGreaterThanOrEqual(st.at);
      expect(manifest.indexOf(end!)).toBeGreaterThan(manifest.indexOf(st));
      const p = probe(join(dir, st.file));
      expect(p.streams.map((x) => `${x.codec_type}/${x.codec_name}`)).toEqual([st.kind === 'audio' ? 'audio/opus' : 'video/vp8']);
      const span = (end!.at - st.at) / 1000;
      // A still screen sends frames only when it changes; cameras and microphones send all along.
      expect(p.seconds, `${st.file}: ${p.seconds} s of media for a ${span} s span`).toBeGreaterThan(st.kind === 'screen' ? 0.5 : span - 1.2);
      // The manifest's times are written when the recorder hears of a track, which a busy machine delays.
      expect(p.seconds).toBeLessThan(span + 1.5);
    }
    const aliceVideo = startedTracks.find((e) => e.participant_key === 'u:alice' && e.kind === 'video')!;
    expect(aliceVideo.user_id).toBe('alice');
    expect(probe(join(dir, aliceVideo.file)).seconds).toBeGreaterThan(captured - 1.5);
  });
});
