import { open, type FileHandle } from 'node:fs/promises';
import { DurationPosition, SegmentSizePosition, WebmBase, replaceSegmentSize, type WebmOutput } from 'werift/nonstandard';
import type { Frame } from './track-frames.js';

/** How long written data may wait to be batched with more: a recording is read once it is complete. */
const WRITE_EVERY_MS = 250;
/** The Segment's duration werift writes first (a day, in ms) and overwrites at the end. */
const PLACEHOLDER_DURATION_MS = 24 * 3600 * 1000;

/** werift's WebM muxer for one track (VP8 or Opus, as received); `start` writes the file's head. */
class OneTrackWebm extends WebmBase {
  constructor(kind: 'audio' | 'video', output: (o: WebmOutput) => void) {
    super([{ kind, codec: kind === 'video' ? 'VP8' : 'OPUS', clockRate: kind === 'video' ? 90_000 : 48_000, trackNumber: 1, width: 640, height: 360 }], output, { duration: PLACEHOLDER_DURATION_MS });
    this.start();
  }
}

/**
 * One track's WebM file, written through one open handle in batches (a quarter second's frames, or
 * whatever came while the last write was under way), so a busy process spends little on writing and
 * falls behind by bigger batches rather than by a queue of a file open and close per frame, as werift's
 * own recorder does. `close` waits for every byte, however long it takes.
 */
export class WebmFile {
  private readonly muxer: OneTrackWebm;
  private readonly handle: Promise<FileHandle>;
  private queued: Buffer[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private size = 0;
  private durationElement: Uint8Array | undefined;
  private error: unknown;

  constructor(
    path: string,
    private readonly kind: 'audio' | 'video',
  ) {
    this.handle = open(path, 'w');
    this.handle.catch((err: unknown) => (this.error ??= err));
    this.muxer = new OneTrackWebm(kind, (o) => {
      if (o.saveToFile) this.append(o.saveToFile);
      if (o.eol) this.durationElement = o.eol.durationElement;
    });
  }

  write(frame: Frame): void {
    const input = { frame: { data: frame.data, isKeyframe: frame.keyframe, time: frame.ms } };
    if (this.kind === 'video') this.muxer.processVideoInput(input);
    else this.muxer.processAudioInput(input);
  }

  /** Ends the file: its cues, then its duration and size in the head. Rejects with the first write error. */
  async close(): Promise<void> {
    this.muxer.stop();
    this.writeNow();
    while (this.flushing) await this.flushing;
    const fh = await this.handle;
    try {
      if (this.error) throw this.error;
      if (this.durationElement) await fh.write(this.durationElement, 0, this.durationElement.length, DurationPosition);
      const size = replaceSegmentSize(this.size);
      await fh.write(size, 0, size.length, SegmentSizePosition);
    } finally {
      await fh.close();
    }
  }

  private append(chunk: Buffer): void {
    this.queued.push(chunk);
    this.size += chunk.length;
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => this.writeNow(), WRITE_EVERY_MS);
    this.timer.unref();
  }

  private writeNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      const fh = await this.handle;
      while (this.queued.length > 0 && !this.error) {
        const batch = this.queued;
        this.queued = [];
        await fh.writev(batch);
      }
    } catch (err) {
      this.error ??= err;
    } finally {
      this.flushing = undefined;
    }
  }
}
