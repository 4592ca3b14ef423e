/**
 * The processing job of a recording segment: wait for the capture to close the raw directory (for a
 * while), compose the tracks into one MP4 with ffmpeg, put it in place atomically, then mark the segment
 * ready and write `vc.meeting.recording_ready_v1` in one transaction. Every step can run again: a process
 * that dies mid-way leaves the job to the next one, which composes again from the raw tracks.
 */
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Repositories } from '../store/repositories/index.js';
import { RECORDING_STATUS, type RecordingRow } from '../store/repositories/recording.repository.js';
import { recordingReadyEvent } from '../domain/meeting/meeting-events.js';
import { JobInterrupted, type JobLease } from '../jobs/runner.js';
import { composeArgs } from './compose.js';
import { FfmpegError, run, streamsOf, type FfmpegOptions } from './ffmpeg.js';
import { readManifest, type Track } from './manifest.js';
import { RECORDING_JOB, processJobKey, type RecordingService } from './recording.service.js';

export interface ProcessorOptions {
  ffmpeg: FfmpegOptions;
  /** how long after the segment ended the job waits for the capture's `closed` marker before using what exists */
  closeWaitMs: number;
  /** how often it looks for the marker meanwhile */
  pollMs?: number;
}

/** How often a running composition renews its job's lease and checks whether the runner is stopping. */
const BEAT_MS = 5_000;

/** ffmpeg gets a minute plus three times the recording's length, whatever the machine. */
const timeoutFor = (durationMs: number): number => 60_000 + 3 * durationMs;

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Writes a file's data and its directory entry to disk. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class RecordingProcessor {
  private committed: (() => void) | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Repositories,
    private readonly recordings: RecordingService,
    private readonly o: ProcessorOptions,
    private readonly logger: Logger,
    private readonly clock: { now(): number } = Date,
  ) {}

  /** Called after a commit that wrote an event (the dispatcher sends it at once). */
  onEventsCommitted(listener: () => void): void {
    this.committed = listener;
  }

  async process(recordingId: string, lease: JobLease): Promise<void> {
    const rec = await this.repos.recordings.byId(recordingId);
    if (!rec || rec.status !== RECORDING_STATUS.processing || rec.ended_at === null) return;
    const now = this.clock.now();
    const closed = await exists(join(rec.raw_dir, 'closed'));
    if (!closed && now - rec.ended_at < this.o.closeWaitMs) {
      // Not yet: the job comes back later (the runner keeps this new schedule instead of finishing the job).
      await this.repos.jobs.schedule({ kind: RECORDING_JOB.process, payload: { recording_id: rec.id }, runAt: now + (this.o.pollMs ?? 1000), dedupeKey: processJobKey(rec.id) }, undefined, now);
      return;
    }
    if (!closed) this.logger.warn({ recording_id: rec.id, waited_ms: now - rec.ended_at }, 'the capture never closed the raw directory; composing what it holds');
    const durationMs = rec.ended_at - rec.started_at;
    const tracks = await this.usableTracks(rec);
    const file = join(dirname(rec.raw_dir), 'recording.mp4');
    const part = `${file}.part`;
    await mkdir(dirname(file), { recursive: true });
    const started = this.clock.now();
    try {
      await this.compose(tracks, durationMs, part, lease);
    } catch (e) {
      await rm(part, { force: true });
      if (!(e instanceof FfmpegError)) throw e;
      await this.fail(rec, e.message);
      return;
    }
    await fsyncPath(part);
    await rename(part, file);
    await fsyncPath(dirname(file));
    const size = (await stat(file)).size;
    await this.ready(rec, file, size, durationMs);
    this.logger.info({ recording_id: rec.id, meeting_id: rec.meeting_id, tracks: tracks.length, bytes: size, duration_ms: durationMs, ms: this.clock.now() - started }, 'recording ready');
  }

  /** The manifest's tracks whose files ffprobe can read and that hold the stream their kind says. */
  private async usableTracks(rec: RecordingRow): Promise<Track[]> {
    const usable: Track[] = [];
    for (const t of await readManifest(rec.raw_dir, rec.started_at)) {
      const streams = await streamsOf(this.o.ffmpeg, t.file);
      if (streams.has(t.kind === 'audio' ? 'audio' : 'video')) usable.push(t);
      else this.logger.warn({ recording_id: rec.id, file: t.file, kind: t.kind }, 'track left out: its file is missing or unreadable');
    }
    return usable;
  }

  /** Runs ffmpeg, renewing the lease as it goes; a stopping runner kills it and hands the job back. */
  private async compose(tracks: Track[], durationMs: number, out: string, lease: JobLease): Promise<void> {
    const abort = new AbortController();
    let lost = false;
    const beat = setInterval(() => {
      if (lease.stopping()) abort.abort();
      else
        void lease.renew().then((held) => {
          if (!held) {
            lost = true;
            abort.abort();
          }
        });
    }, BEAT_MS);
    try {
      await run(this.o.ffmpeg.ffmpeg, ['-nostdin', '-loglevel', 'error', ...composeArgs(tracks, durationMs, out, this.o.ffmpeg.threads)], timeoutFor(durationMs), abort.signal);
    } catch (e) {
      if (lost) throw new Error('another process took the recording job over', { cause: e });
      if (abort.signal.aborted) throw new JobInterrupted('recording composition interrupted', { cause: e });
      throw e;
    } finally {
      clearInterval(beat);
    }
  }

  /** The segment is ready and its event written, in one transaction. */
  private async ready(rec: RecordingRow, file: string, size: number, durationMs: number): Promise<void> {
    const meeting = await this.repos.meetings.find(rec.tenant_key, rec.meeting_id);
    const now = this.clock.now();
    let wrote = false;
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.repos.recordings.ready(rec.tenant_key, rec.id, { filePath: file, fileSize: size, durationMs }, now, trx))) return;
      const event = meeting ? recordingReadyEvent(meeting, this.recordings.urlOf(rec), durationMs, now) : undefined;
      if (event) {
        await this.repos.outbox.append([event], trx);
        wrote = true;
      }
    });
    if (wrote) this.committed?.();
  }

  /** The file cannot be made: the segment says why (no event: the spec has none for it). */
  async fail(rec: Pick<RecordingRow, 'id' | 'tenant_key' | 'meeting_id'>, reason: string): Promise<void> {
    this.logger.error({ recording_id: rec.id, meeting_id: rec.meeting_id, reason }, 'recording failed');
    await this.repos.recordings.fail(rec.tenant_key, rec.id, reason, this.clock.now());
  }

  /** The job ran out of attempts: the segment fails with the last error. */
  async giveUp(recordingId: string, error: string): Promise<void> {
    const rec = await this.repos.recordings.byId(recordingId);
    if (rec && rec.status === RECORDING_STATUS.processing) await this.fail(rec, `the recording could not be processed: ${error}`);
  }
}
