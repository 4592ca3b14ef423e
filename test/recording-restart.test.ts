import { existsSync, writeFileSync } from 'node:fs';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { TestStore, dialect, startTestServer, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { fixture } from './helpers/fixture.js';
import { protocol } from './helpers/exports.js';
import { FileCapture, aliceReserve, ffprobe, settledRecordings } from './helpers/recording.js';
import type { RecordingRow } from '../src/store/repositories/recording.repository.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records a reserved meeting of alice's for about `ms` and ends it; returns the meeting id. */
async function recordMeeting(s: TestServer, capture: FileCapture, ms: number, withTracks = true): Promise<string> {
  const client = s.client(fixture.acme.full);
  const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
  const token = (await s.runtime.tokens.issueUserTokens(acme, 'alice', acme.scopes, 'v1', Date.now())).accessToken;
  const alice = lark.withUserAccessToken(token);
  const r = await aliceReserve(client, { topic: 'Durable' });
  const joined = await protocol(s.url, token).join(r.meeting_no!, { type: 'web' });
  const id = joined.meeting.id as string;
  if (withTracks) {
    capture.plans.set(id, [
      { kind: 'audio', participantKey: 'u:alice', offsetMs: 0, seconds: 1.5 },
      { kind: 'screen', participantKey: 'u:alice', offsetMs: 200, seconds: 1 },
      { kind: 'video', participantKey: 'u:alice', offsetMs: 0, seconds: 1.5 },
    ]);
  }
  await ok(client.vc.meetingRecording.start({ path: { meeting_id: id } }, alice));
  await sleep(ms);
  await ok(client.vc.meeting.end({ path: { meeting_id: id } }, alice));
  return id;
}

async function settled(s: TestServer, meetingId: string): Promise<RecordingRow> {
  return (await settledRecordings(s, meetingId))[0]!;
}

const readyEvents = async (s: TestServer, meetingId: string) => (await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId)).filter((e) => e.event_type === 'vc.meeting.recording_ready_v1');

/**
 * Processing is a durable job: a process that dies while composing leaves the job to the next one, which
 * composes again; ffmpeg failing fails the recording with its reason and writes no event.
 */
describe(`recording processing across restarts (${dialect})`, () => {
  const store = new TestStore();
  const capture = new FileCapture();
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => {});
    await store.dispose();
  });

  it('a composition cut short by a crash is made again by the next process, with one recording_ready', async () => {
    const config = { rateLimit: false, emptyMeetingGrace: 0, recordingCloseWait: 1 };
    const first = await startTestServer({ store, config, capture });
    // this process will "die" mid-composition: it never gets to run the job itself
    await first.runtime.recordingJobs.stop();
    const id = await recordMeeting(first, capture, 1500);
    const [rec] = await first.runtime.repos.recordings.ofMeeting('acme', id);
    expect(rec!.status).toBe('processing');
    // what it left: the job claimed by a lease that ran out, half a file, even a stale file in place
    await first.runtime.store.db.updateTable('jobs').set({ status: 'running', locked_until: Date.now() - 1, attempts: 1 }).where('dedupe_key', '=', `recording.process:${rec!.id}`).execute();
    writeFileSync(rec!.raw_dir.replace(/raw$/, 'recording.mp4.part'), 'half a file');
    writeFileSync(rec!.raw_dir.replace(/raw$/, 'recording.mp4'), 'not a recording');
    await first.close();

    const second = await startTestServer({ store, seed: null, config, capture });
    servers.push(second);
    const done = await settled(second, id);
    expect(done).toMatchObject({ status: 'ready', file_path: rec!.raw_dir.replace(/raw$/, 'recording.mp4') });
    const probe = await ffprobe(done.file_path!);
    expect(probe.streams.map((x) => x.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(Number(probe.format.duration) - done.duration_ms! / 1000)).toBeLessThanOrEqual(0.5);
    expect(existsSync(`${done.file_path}.part`)).toBe(false);
    const events = await readyEvents(second, id);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({ url: `${second.url}/minutes/${done.url_token}`, duration: String(done.duration_ms) });
    // running the job once more changes nothing
    await second.runtime.repos.jobs.schedule({ kind: 'recording.process', payload: { recording_id: done.id }, runAt: Date.now(), dedupeKey: `recording.process:${done.id}` });
    await sleep(1200);
    expect(await readyEvents(second, id)).toHaveLength(1);
  }, 60_000);

  it('a process that starts resumes the capture of recordings still in progress', async () => {
    const s = servers[0]!;
    const client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = (await s.runtime.tokens.issueUserTokens(acme, 'alice', acme.scopes, 'v1', Date.now())).accessToken;
    const r = await aliceReserve(client, { topic: 'Still going', auto_record: true });
    const joined = await protocol(s.url, token).join(r.meeting_no!, { type: 'web' });
    const [open] = await s.runtime.repos.recordings.ofMeeting('acme', joined.meeting.id);
    const before = capture.started.length;
    expect(await s.runtime.recordings.resumeCaptures()).toBe(1);
    expect(capture.started.slice(before)).toEqual([{ meetingId: joined.meeting.id, dir: open!.raw_dir }]);
    await ok(client.vc.meeting.end({ path: { meeting_id: joined.meeting.id } }, lark.withUserAccessToken(token)));
    expect((await settled(s, joined.meeting.id)).status).toBe('ready');
  }, 30_000);

  it('composes what exists when the capture never closes its directory', async () => {
    const s = servers[0]!;
    capture.closes = false;
    const id = await recordMeeting(s, capture, 1200);
    const done = await settled(s, id);
    expect(done.status).toBe('ready');
    expect(done.ready_at! - done.ended_at!).toBeGreaterThanOrEqual(1000);
    expect((await ffprobe(done.file_path!)).streams).toHaveLength(2);
  }, 30_000);

  it('an ffmpeg that fails fails the recording with the reason, and writes no event', async () => {
    await servers[0]!.close();
    servers.length = 0;
    const broken = await startTestServer({ store, seed: null, config: { rateLimit: false, emptyMeetingGrace: 0, recordingCloseWait: 0, ffmpegPath: '/bin/false' } });
    servers.push(broken);
    const id = await recordMeeting(broken, new FileCapture(), 300, false);
    const done = await settled(broken, id);
    expect(done).toMatchObject({ status: 'failed', file_path: null });
    expect(done.fail_reason).toMatch(/\/bin\/false failed \(exit code 1\)/);
    expect(await readyEvents(broken, id)).toHaveLength(0);
    const [status, code, msg] = await failure(broken.client(fixture.acme.full).vc.meetingRecording.get({ path: { meeting_id: id } }));
    expect([status, code]).toEqual([404, 121004]);
    expect(msg).toContain('could not be made');
  }, 30_000);
});
