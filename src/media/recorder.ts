import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MediaRecorder } from 'werift/nonstandard';
import type { MeetingCapture } from './capture.js';
import type { Publication } from './peer.js';
import type { MediaRoom, PublicationListener } from './room.js';

/** Where the recorder finds a meeting's router. */
export interface RoomSource {
  room(meetingId: string): MediaRoom;
}

/**
 * One file being written for one publication's span of media. The file starts with the first packet
 * (so the codec is known and the manifest's `at` is when media really began) and, for video, a
 * requested keyframe.
 */
class TrackFile {
  private recorder: MediaRecorder | undefined;
  private waiting: { unSubscribe(): void } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly p: Publication,
    readonly file: string,
    private readonly path: string,
    private readonly onStart: (at: number) => void,
    private readonly logger: Logger,
  ) {
    this.waiting = p.track.onReceiveRtp.subscribe(() => this.begin());
  }

  private begin(): void {
    if (this.recorder || this.stopping) return;
    this.waiting?.unSubscribe();
    this.waiting = undefined;
    if (!this.p.track.codec) return;
    this.recorder = new MediaRecorder({ path: this.path, tracks: [this.p.track], disableLipSync: true, disableNtp: true, width: 640, height: 360 });
    this.recorder.onError.subscribe((err) => this.logger.warn({ err, file: this.file }, 'media: track recording failed'));
    this.p.requestKeyframe();
    this.onStart(Date.now());
  }

  /** Completes the file; true when it was ever started. */
  stop(): Promise<boolean> {
    this.waiting?.unSubscribe();
    this.stopping ??= this.recorder ? this.recorder.stop().catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'media: could not complete a track file')) : Promise.resolve();
    return this.stopping.then(() => this.recorder !== undefined);
  }
}

/** One capture of one meeting into one raw directory (layout: src/media/capture.ts). */
class MeetingRecording implements PublicationListener {
  private readonly files = new Map<Publication, TrackFile>();
  private readonly ending: Promise<void>[] = [];
  private manifest: Promise<void> = Promise.resolve();
  private count = 0;
  private finishing: Promise<void> | undefined;

  constructor(
    private readonly room: MediaRoom,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  private line(entry: Record<string, unknown>): void {
    this.manifest = this.manifest
      .then(() => appendFile(join(this.dir, 'manifest.jsonl'), JSON.stringify(entry) + '\n'))
      .catch((err: unknown) => this.logger.error({ err, dir: this.dir }, 'media: could not write the capture manifest'));
  }

  started(p: Publication): void {
    if (this.finishing || this.files.has(p)) return;
    const n = ++this.count;
    const key = p.peer.session.participantKey;
    const file = `${String(n).padStart(3, '0')}-${p.source}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}.webm`;
    const announce = (at: number) => this.line({ event: 'track_started', file, kind: p.source, participant_key: key, user_id: p.peer.session.userId, at });
    this.files.set(p, new TrackFile(p, file, join(this.dir, file), announce, this.logger));
  }

  stopped(p: Publication): void {
    const tf = this.files.get(p);
    if (!tf) return;
    this.files.delete(p);
    this.ending.push(this.end(tf));
  }

  private async end(tf: TrackFile): Promise<void> {
    if (await tf.stop()) this.line({ event: 'track_ended', file: tf.file, at: Date.now() });
  }

  /** Ends every file, then writes `closed`; the same promise for every caller. */
  stop(): Promise<void> {
    this.finishing ??= (async () => {
      this.room.removeListener(this);
      for (const p of [...this.files.keys()]) this.stopped(p);
      await Promise.all(this.ending);
      await this.manifest;
      await writeFile(join(this.dir, 'closed'), '');
    })();
    return this.finishing;
  }
}

/**
 * The SFU's side of recordings: while a meeting is captured, each of its tracks that carries media is
 * written to its own webm file (opus or VP8 as received, no transcoding), one file per span of media.
 */
export class TrackRecorder implements MeetingCapture {
  private readonly recordings = new Map<string, MeetingRecording>();

  constructor(
    private readonly rooms: RoomSource,
    private readonly logger: Logger,
  ) {}

  async start(meetingId: string, dir: string): Promise<void> {
    if (this.recordings.has(meetingId)) return;
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, 'manifest.jsonl'), '');
    const room = this.rooms.room(meetingId);
    const recording = new MeetingRecording(room, dir, this.logger);
    this.recordings.set(meetingId, recording);
    room.addListener(recording);
    this.logger.info({ meeting_id: meetingId, dir }, 'media: capture started');
  }

  async stop(meetingId: string): Promise<void> {
    const recording = this.recordings.get(meetingId);
    if (!recording) return;
    await recording.stop();
    if (this.recordings.get(meetingId) === recording) this.recordings.delete(meetingId);
    this.logger.info({ meeting_id: meetingId }, 'media: capture stopped');
  }

  /** The server is stopping: every capture completes its files. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.recordings.keys()].map((id) => this.stop(id)));
  }
}
