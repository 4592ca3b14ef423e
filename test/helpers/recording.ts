import { execFile } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { TestServer } from './server.js';
import type { RecordingRow } from '../../src/store/repositories/recording.repository.js';
import type { MeetingCapture } from '../../src/media/capture.js';

export interface PlannedTrack {
  kind: 'audio' | 'video' | 'screen';
  participantKey: string;
  /** when the track starts, ms after the capture started */
  offsetMs: number;
  seconds: number;
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args], (err, _out, stderr) => (err ? reject(new Error(`ffmpeg: ${stderr}`)) : resolve())),
  );
}

/** A short track as the media side would write it: opus audio or VP8 video in WebM. */
export async function writeTrack(file: string, kind: PlannedTrack['kind'], seconds: number): Promise<void> {
  if (kind === 'audio') return ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'libopus', '-b:a', '32k', file]);
  const src = kind === 'screen' ? 'testsrc2' : 'testsrc';
  return ffmpeg(['-f', 'lavfi', '-i', `${src}=size=320x240:rate=10:duration=${seconds}`, '-c:v', 'libvpx', '-b:v', '100k', '-deadline', 'realtime', '-cpu-used', '8', file]);
}

/**
 * A MeetingCapture that writes real track files with a manifest, as the SFU's capture does: the tracks
 * planned for the meeting when it starts, and the `closed` marker when it stops.
 */
export class FileCapture implements MeetingCapture {
  readonly plans = new Map<string, PlannedTrack[]>();
  readonly started: { meetingId: string; dir: string }[] = [];
  readonly stopped: string[] = [];
  private readonly dirs = new Map<string, string>();
  /** when false, stop() writes no `closed` marker (a capture that died) */
  closes = true;

  async start(meetingId: string, dir: string): Promise<void> {
    this.started.push({ meetingId, dir });
    this.dirs.set(meetingId, dir);
    await mkdir(dir, { recursive: true });
    const t0 = Date.now();
    for (const [i, t] of (this.plans.get(meetingId) ?? []).entries()) {
      const file = `${t.kind}-${i}.webm`;
      await writeTrack(join(dir, file), t.kind, t.seconds);
      const line = { event: 'track_started', file, kind: t.kind, participant_key: t.participantKey, user_id: t.participantKey.slice(2), at: t0 + t.offsetMs };
      await appendFile(join(dir, 'manifest.jsonl'), JSON.stringify(line) + '\n');
    }
  }

  async stop(meetingId: string): Promise<void> {
    this.stopped.push(meetingId);
    const dir = this.dirs.get(meetingId);
    if (dir && this.closes) await writeFile(join(dir, 'closed'), '');
  }
}

export interface Probe {
  streams: { codec_type: string; codec_name: string; duration?: string; width?: number; height?: number }[];
  format: { duration: string };
}

export function ffprobe(file: string): Promise<Probe> {
  return new Promise((resolve, reject) =>
    execFile('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration,width,height:format=duration', '-of', 'json', file], (err, out) =>
      err ? reject(err) : resolve(JSON.parse(out) as Probe),
    ),
  );
}

/** A logger whose JSON lines (warnings and worse) the test can read. */
export function capturedLogs(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines };
}

/** The meeting's recording segments once every one is ready or failed (the server's runner makes them). */
export async function settledRecordings(s: TestServer, meetingId: string, tenantKey = 'acme'): Promise<RecordingRow[]> {
  for (let i = 0; i < 300; i++) {
    const rows = await s.runtime.repos.recordings.ofMeeting(tenantKey, meetingId);
    if (rows.length > 0 && rows.every((r) => r.status === 'ready' || r.status === 'failed')) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the recording of meeting ${meetingId} was not processed in time`);
}

/** A reserve of alice's (no password), through the SDK; `settings` adds to its meeting settings. */
export async function aliceReserve(client: lark.Client, settings: Record<string, unknown> = {}) {
  const res = await client.vc.reserve.apply({
    params: { user_id_type: 'user_id' },
    data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Recorded', password: '', ...settings } },
  });
  return res.data!.reserve!;
}
