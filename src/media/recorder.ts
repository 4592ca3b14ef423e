import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MediaStreamTrack } from 'werift';
import { MediaRecorder } from 'werift/nonstandard';
import type { MeetingCapture } from './capture.js';
import type { Publication } from './peer.js';
import type { MediaRoom, PublicationListener } from './room.js';

/** Where the recorder finds a meeting's router. */
export interface RoomSource {
  room(meetingId: string): MediaRoom;
}

/**
 * One file being written for one publication's span of media. The file starts with the first packet, so
 * the codec is known and the manifest's `at` is when media really began; the packets reach the recorder
 * through a track of its own, so not even that first packet is missed. Video asks for a keyframe at
 * once (and once more a second later) rather than waiting for the next one.
 */
class TrackFile {
  private recorder: MediaRecorder | undefined;
  private readonly feed: MediaStreamTrack;
  private readonly subscriptions: { unSubscribe(): void }[];
  private retry: NodeJS.Timeout | undefined;
  private stopping: Promise<boolean> | undefined;

  constructor(
    private readonly p: Publication,
    readonly file: string,
    private readonly path: string,
    private readonly onStart: (at: number) => void,
    private readonly logger: Logger,
  ) {
    this.feed = new MediaStreamTrack({ kind: p.track.kind });
    this.subscriptions = [
      p.track.onReceiveRtp.subscribe((rtp) => {
        if (!this.recorder && !this.begin()) return;
        this.feed.onReceiveRtp.execute(rtp.clone());
      }),
      p.track.onReceiveRtcp.subscribe((rtcp) => this.feed.onReceiveRtcp.execute(rtcp)),
    ];
  }

  private begin(): boolean {
    if (this.stopping || !this.p.track.codec) return false;
    this.feed.codec = this.p.track.codec;
    this.recorder = new MediaRecorder({ path: this.path, tracks: [this.feed], disableLipSync: true, disableNtp: true, width: 640, height: 360 });
    this.recorder.onError.subscribe((err) => this.logger.warn({ err, file: this.file }, 'media: track recording failed'));
    this.p.requestKeyframe(true);
    this.retry = setTimeout(() => this.p.requestKeyframe(true), 1000);
    this.retry.unref();
    this.onStart(Date.now());
    return true;
  }

  /** Completes the file; true when it was ever started. */
  stop(): Promise<boolean> {
    this.stopping ??= (async () => {
      for (const s of this.subscriptions) s.unSubscribe();
      clearTimeout(this.retry);
      if (!this.recorder) return false;
      await this.recorder.stop().catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'media: could not complete a track file'));
      return true;
    })();
    return this.stopping;
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
