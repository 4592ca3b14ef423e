import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MeetingCapture } from './capture.js';
import { TrackFrames, type Frame } from './track-frames.js';
import { WebmFile } from './webm-file.js';
import type { Publication } from './peer.js';
import type { MediaRoom, PublicationListener } from './room.js';

/** Where the recorder finds a meeting's router. */
export interface RoomSource {
  room(meetingId: string): MediaRoom;
}

/** How long a missing packet is waited for (its retransmission), from when later packets showed the gap. */
const PATIENCE_MS = 1000;
/** How long a gap is open before a keyframe is asked for, in case the retransmission never comes. */
const ASK_AFTER_MS = 250;
/** Most packets held back meanwhile (a few seconds of a screen share). */
const MAX_HELD = 2000;
/** How often held gaps are looked at, and keyframes asked for while video waits for one. */
const TICK_MS = 100;
const KEYFRAME_ASK_MS = 500;
/** A stopping file behind the clock by more than this reads on until its media reaches the stop... */
const BEHIND_MS = 300;
/** ...for at most this long, and not once its publisher has sent nothing for this many ticks. */
const CATCH_UP_MS = 5_000;
const QUIET_TICKS = 10;

/** The end of a track's span once its file is complete. */
export interface TrackEnd {
  /** when the span ended (the stop was asked for) */
  at: number;
  /**
   * when the file's first frame was captured, on this process's clock: the least-delayed frame's
   * arrival less its time in the file. `at` of `track_started` is the first frame's arrival, late by
   * however far behind a busy process was reading its sockets then.
   */
  mediaAt: number;
}

/**
 * One file being written for one publication's span of media. A file starts with media a player can
 * start from: an audio file with its first packet, a video file with a keyframe (asked for at once,
 * and every half second until one comes; again after a loss). So the manifest's `at` is when playable
 * media began, and `opened_at` when the span began. The packets come straight from the publication's
 * track, as the SFU forwards them; `TrackFrames` orders them and makes frames, `WebmFile` writes them.
 *
 * A process short of CPU reads its sockets seconds late (the kernel holds what it has not read). A file
 * asked to stop then reads on until its media reaches the moment of the stop, so it holds the whole span.
 */
class TrackFile {
  private readonly kind: 'audio' | 'video';
  private readonly frames: TrackFrames;
  private webm: WebmFile | undefined;
  private readonly subscription: { unSubscribe(): void };
  private readonly timer: NodeJS.Timeout;
  private asked = 0;
  private heard = false;
  /** arrival less file time of the least-delayed frame so far: where the file's time 0 is on our clock */
  private zero = Number.POSITIVE_INFINITY;
  private lastMs = 0;
  private startedAt = 0;
  private catchingUp: { untilMs: number; deadline: number; quiet: number; done(): void } | undefined;
  private stopping: Promise<TrackEnd | undefined> | undefined;

  constructor(
    private readonly p: Publication,
    readonly file: string,
    private readonly path: string,
    private readonly onStart: (at: number) => void,
    private readonly logger: Logger,
  ) {
    this.kind = p.track.kind === 'video' ? 'video' : 'audio';
    this.frames = new TrackFrames(
      { kind: this.kind, clockRate: this.kind === 'video' ? 90_000 : 48_000, patienceMs: PATIENCE_MS, askAfterMs: ASK_AFTER_MS, maxHeld: MAX_HELD },
      (frame) => this.write(frame),
      () => this.askKeyframe(Date.now()),
    );
    this.subscription = p.track.onReceiveRtp.subscribe((rtp) => {
      this.heard = true;
      this.frames.push(rtp, Date.now());
    });
    this.askKeyframe(Date.now());
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
  }

  private tick(now: number): void {
    this.frames.tick(now);
    if (now - this.asked >= KEYFRAME_ASK_MS) this.askKeyframe(now);
    const c = this.catchingUp;
    if (c) {
      c.quiet = this.heard ? 0 : c.quiet + 1;
      if (c.quiet >= QUIET_TICKS || now > c.deadline) c.done();
    }
    this.heard = false;
  }

  private askKeyframe(now: number): void {
    if (!this.frames.wantsKeyframe(now) || this.stopping) return;
    this.asked = now;
    this.p.requestKeyframe(true);
  }

  private write(frame: Frame): void {
    const now = Date.now();
    if (!this.webm) {
      this.webm = new WebmFile(this.path, this.kind);
      this.startedAt = now;
      this.onStart(now);
    }
    this.webm.write(frame);
    this.zero = Math.min(this.zero, now - frame.ms);
    this.lastMs = frame.ms;
    if (this.catchingUp && frame.ms >= this.catchingUp.untilMs) this.catchingUp.done();
  }

  /** Reads on until the file's media reaches `untilMs` (see CATCH_UP_MS, QUIET_TICKS). */
  private catchUp(untilMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.catchingUp = { untilMs, deadline: Date.now() + CATCH_UP_MS, quiet: 0, done: resolve };
    });
  }

  /** Completes the file; its span's end, or nothing when it was never started. */
  stop(): Promise<TrackEnd | undefined> {
    this.stopping ??= (async () => {
      const at = Date.now();
      const behind = at - this.zero - this.lastMs;
      if (this.webm && behind > BEHIND_MS) {
        await this.catchUp(at - this.zero);
        this.logger.info({ file: this.file, behind_ms: behind, caught_up_ms: Date.now() - at }, 'media: a stopping track file read on to the end of its span');
      }
      this.subscription.unSubscribe();
      clearInterval(this.timer);
      this.frames.end();
      if (!this.webm) return undefined;
      await this.webm.close().catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'media: could not complete a track file'));
      const { frames, losses, dropped, late } = this.frames.stats;
      this.logger.info({ file: this.file, frames, losses, dropped, late }, 'media: track file complete');
      return { at: Math.max(at, this.startedAt), mediaAt: this.zero };
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
  private opening: Promise<void> | undefined;
  private openedSince: number | undefined;

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

  /**
   * Prepares the directory, then listens to the room: the publications carrying media now are opened as
   * of `since` when the manifest names no tracks yet (nothing else shows that time), as of now when it
   * does (a capture resumed or taken over: what came before is in those tracks); later ones when they
   * start. Files are numbered on from those the manifest names, so none is written over.
   */
  open(since: number): Promise<void> {
    this.opening ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      const known = await readFile(join(this.dir, 'manifest.jsonl'), 'utf8').catch(() => '');
      this.count = known.split('\n').filter((l) => l.includes('"track_started"')).length;
      await appendFile(join(this.dir, 'manifest.jsonl'), '');
      if (this.finishing) return;
      this.openedSince = this.count === 0 ? Math.min(since, Date.now()) : Date.now();
      this.room.addListener(this);
      this.openedSince = undefined;
    })();
    return this.opening;
  }

  started(p: Publication): void {
    if (this.finishing || this.files.has(p)) return;
    const n = ++this.count;
    const key = p.peer.session.participantKey;
    const file = `${String(n).padStart(3, '0')}-${p.source}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}.webm`;
    const openedAt = this.openedSince ?? Date.now();
    const announce = (at: number) => this.line({ event: 'track_started', file, kind: p.source, participant_key: key, user_id: p.peer.session.userId, at, opened_at: openedAt });
    this.files.set(p, new TrackFile(p, file, join(this.dir, file), announce, this.logger));
  }

  stopped(p: Publication): void {
    const tf = this.files.get(p);
    if (!tf) return;
    this.files.delete(p);
    this.ending.push(this.end(tf));
  }

  /** `track_ended` says when the span ended, not when its file was complete (it may read on, or the disk be slow). */
  private async end(tf: TrackFile): Promise<void> {
    const end = await tf.stop();
    if (end) this.line({ event: 'track_ended', file: tf.file, at: end.at, media_at: Math.round(end.mediaAt) });
  }

  /** Ends every file, then writes `closed`; the same promise for every caller. */
  stop(): Promise<void> {
    this.finishing ??= (async () => {
      await this.opening?.catch(() => {});
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

  /** Whether this process writes the meeting's tracks now. */
  capturing(meetingId: string): boolean {
    return this.recordings.has(meetingId);
  }

  async start(meetingId: string, dir: string, since = Date.now()): Promise<void> {
    if (this.recordings.has(meetingId)) return;
    // Known before the first await: a second start meanwhile (the recording service and, in a cluster,
    // the room seeing the recording) is the same capture, not another one writing the same files.
    const recording = new MeetingRecording(this.rooms.room(meetingId), dir, this.logger);
    this.recordings.set(meetingId, recording);
    try {
      await recording.open(since);
    } catch (err) {
      if (this.recordings.get(meetingId) === recording) this.recordings.delete(meetingId);
      throw err;
    }
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
