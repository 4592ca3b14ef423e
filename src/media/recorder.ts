import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MediaStreamTrack, Vp8RtpPayload, type RtpPacket } from 'werift';
import { MediaRecorder } from 'werift/nonstandard';
import type { MeetingCapture } from './capture.js';
import type { Publication } from './peer.js';
import type { MediaRoom, PublicationListener } from './room.js';

/** Where the recorder finds a meeting's router. */
export interface RoomSource {
  room(meetingId: string): MediaRoom;
}

/**
 * One file being written for one publication's span of media. A file starts with media a player can
 * start from: an audio file with its first packet, a video file with the first packet of a keyframe
 * (asked for at once, and every half second until one comes). So the manifest's `at` is when playable
 * media began. The packets reach the recorder through a track of its own, so none before it is missed.
 */
class TrackFile {
  private recorder: MediaRecorder | undefined;
  /** packets that came while the recorder was opening its file (it subscribes only then) */
  private pending: RtpPacket[] | undefined = [];
  private readonly feed: MediaStreamTrack;
  private readonly subscriptions: { unSubscribe(): void }[];
  private asking: NodeJS.Timeout | undefined;
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
        if (!this.recorder && !this.begin(rtp)) return;
        if (this.pending) this.pending.push(rtp.clone());
        else this.feed.onReceiveRtp.execute(rtp.clone());
      }),
      p.track.onReceiveRtcp.subscribe((rtcp) => this.feed.onReceiveRtcp.execute(rtcp)),
    ];
    if (p.track.kind === 'video') {
      p.requestKeyframe(true);
      this.asking = setInterval(() => p.requestKeyframe(true), 500);
      this.asking.unref();
    }
  }

  private begin(first: RtpPacket): boolean {
    if (this.stopping || !this.p.track.codec) return false;
    if (this.p.track.kind === 'video' && !startsKeyframe(first)) return false;
    clearInterval(this.asking);
    this.feed.codec = this.p.track.codec;
    const recorder = new MediaRecorder({ path: this.path, numOfTracks: 1, disableLipSync: true, disableNtp: true, width: 640, height: 360 });
    this.recorder = recorder;
    recorder.onError.subscribe((err) => this.logger.warn({ err, file: this.file }, 'media: track recording failed'));
    // addTrack resolves once the writer listens to the feed; until then packets wait in `pending`.
    recorder
      .addTrack(this.feed)
      .catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'media: could not open a track file'))
      .finally(() => {
        const waiting = this.pending ?? [];
        this.pending = undefined;
        for (const rtp of waiting) this.feed.onReceiveRtp.execute(rtp);
      });
    this.onStart(Date.now());
    return true;
  }

  /** Completes the file; true when it was ever started. */
  stop(): Promise<boolean> {
    this.stopping ??= (async () => {
      for (const s of this.subscriptions) s.unSubscribe();
      clearInterval(this.asking);
      if (!this.recorder) return false;
      await this.recorder.stop().catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'media: could not complete a track file'));
      return true;
    })();
    return this.stopping;
  }
}

/** The first packet of a VP8 keyframe (the only video codec the SFU negotiates). */
function startsKeyframe(rtp: RtpPacket): boolean {
  try {
    const vp8 = Vp8RtpPayload.deSerialize(rtp.payload);
    return vp8.isPartitionHead && vp8.payloadHeaderExist && vp8.isKeyframe;
  } catch {
    return false;
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
