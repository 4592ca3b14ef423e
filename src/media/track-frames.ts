/**
 * Turns one publication's RTP packets, in the order they arrive, into the frames a track file holds
 * (pure: no timers, no I/O; the caller passes the time).
 *
 * A busy process reads its socket late and in bursts, and the sender retransmits what went missing
 * (NACK) some time after the packets that follow it. So packets are put back in sequence order and a
 * missing one is waited for before it counts as lost: `patienceMs` from when the gap was seen, and as
 * much media time after it. The second holds while the process is stalled: the retransmission waits
 * in the socket with the packets around it, and a timer that fires first must not give it up.
 *
 * A video frame is written only whole, and a file starts at a keyframe. After a loss the file goes on
 * with the frames that follow (the decoder carries on from its last picture, which is off where the lost
 * frame changed it) and the caller is told to ask the sender for a keyframe, which repairs the picture.
 * It is told so already when a gap has been open `askAfterMs`, so that a keyframe is on its way if the
 * retransmission never comes. (Leaving frames out until a keyframe, as a browser does, froze a starved
 * process's screen share for most of a recording: keyframes are the largest frames, the likeliest to lose
 * a packet again.)
 */

/** The parts of an RTP packet (werift's `RtpPacket`) the recorder uses. */
export interface RtpIn {
  header: { sequenceNumber: number; timestamp: number; marker: boolean };
  payload: Buffer;
}

export interface Frame {
  data: Buffer;
  keyframe: boolean;
  /** ms from the track's first frame, from RTP timestamps */
  ms: number;
}

export interface FrameOptions {
  kind: 'audio' | 'video';
  /** RTP clock rate (90 kHz for VP8, 48 kHz for Opus) */
  clockRate: number;
  /** ms a missing packet is waited for once later ones have come, on the clock and in media time */
  patienceMs: number;
  /** ms a gap is open before video asks for a keyframe, in case it is not filled */
  askAfterMs: number;
  /** most packets held back while waiting; beyond it the gap is given up at once */
  maxHeld: number;
}

export interface FrameStats {
  /** frames handed on */
  frames: number;
  /** gaps in the sequence given up (packets that never came) */
  losses: number;
  /** frames left out: incomplete, or before the first keyframe */
  dropped: number;
  /** packets that came after their place was passed (late retransmissions, duplicates) */
  late: number;
}

/** A VP8 payload descriptor (RFC 7741 §4.2): where the VP8 data starts, and whether it starts a (key)frame. */
export interface Vp8Packet {
  /** first packet of a frame (S=1, partition 0) */
  start: boolean;
  /** a keyframe's first packet (P=0 in the VP8 payload header, which only a frame's first packet has) */
  keyframe: boolean;
  data: Buffer;
}

export function parseVp8(payload: Buffer): Vp8Packet | undefined {
  const b0 = payload[0];
  if (b0 === undefined) return undefined;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[1];
    if (x === undefined) return undefined;
    i = 2;
    if (x & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID / KEYIDX
  }
  const first = payload[i];
  if (first === undefined) return undefined;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  return { start, keyframe: start && (first & 0x01) === 0, data: payload.subarray(i) };
}

const int16 = (n: number): number => ((n + 0x8000) & 0xffff) - 0x8000;
const int32 = (n: number): number => n | 0;

export class TrackFrames {
  readonly stats: FrameStats = { frames: 0, losses: 0, dropped: 0, late: 0 };
  private readonly held = new Map<number, RtpIn>();
  /** extended sequence number of the next packet to take, once the first has come */
  private next: number | undefined;
  private highest = 0;
  private gapSince: number | undefined;
  /** RTP timestamp of the newest packet when the gap was seen */
  private gapTs = 0;
  private gapAsked = false;
  /** RTP timestamp of the packet with the highest sequence number */
  private highestTs = 0;
  // the video frame being put together
  private parts: Buffer[] = [];
  private partsKeyframe = false;
  private partsTimestamp = 0;
  private inFrame = false;
  private broken = false;
  /** a keyframe has been written: the file has started */
  private started = false;
  /** a frame was lost since the last keyframe */
  private repairing = false;
  // extended RTP time
  private firstTs: number | undefined;
  private lastTs = 0;

  constructor(
    private readonly o: FrameOptions,
    private readonly onFrame: (f: Frame) => void,
    /** video wants a keyframe: a gap is open `askAfterMs`, or it lost a frame */
    private readonly onKeyframeWanted: () => void = () => {},
  ) {
    this.started = o.kind === 'audio';
  }

  /** Whether video wants a keyframe: to start, to repair a loss, or behind a gap open `askAfterMs`. */
  wantsKeyframe(now: number): boolean {
    if (this.o.kind !== 'video') return false;
    return !this.started || this.repairing || (this.gapSince !== undefined && now - this.gapSince >= this.o.askAfterMs);
  }

  push(rtp: RtpIn, now: number): void {
    const seq = rtp.header.sequenceNumber;
    const ext = this.next === undefined ? seq : this.highest + int16(seq - (this.highest & 0xffff));
    if (this.next === undefined) {
      this.next = ext;
      this.highest = ext;
      this.highestTs = rtp.header.timestamp;
    }
    if (ext < this.next || this.held.has(ext)) {
      this.stats.late++;
      return;
    }
    this.held.set(ext, rtp);
    if (ext > this.highest) {
      this.highest = ext;
      this.highestTs = rtp.header.timestamp;
    }
    this.drain(now);
  }

  /** Gives up gaps that have been waited for long enough; call now and then. */
  tick(now: number): void {
    this.drain(now);
  }

  /** The track ends: whatever is held and whole is handed on, in order, skipping what never came. */
  end(): void {
    this.drain(0, true);
  }

  private drain(now: number, giveUp = false): void {
    for (;;) {
      let p: RtpIn | undefined;
      while (this.next !== undefined && (p = this.held.get(this.next)) !== undefined) {
        this.held.delete(this.next);
        this.next++;
        this.take(p);
      }
      if (this.held.size === 0) {
        this.gapSince = undefined;
        this.gapAsked = false;
        return;
      }
      if (this.gapSince === undefined) {
        this.gapSince = now;
        this.gapTs = this.highestTs;
      }
      // (while it wants a keyframe anyway, the caller asks every so often)
      if (!this.gapAsked && this.started && !this.repairing && this.wantsKeyframe(now)) {
        this.gapAsked = true;
        this.onKeyframeWanted();
      }
      const mediaMs = (int32(this.highestTs - this.gapTs) * 1000) / this.o.clockRate;
      const waited = now - this.gapSince >= this.o.patienceMs && mediaMs >= this.o.patienceMs;
      if (!giveUp && !waited && this.held.size <= this.o.maxHeld) return;
      this.next = Math.min(...this.held.keys());
      this.gapSince = undefined;
      this.lost();
      this.gapAsked = false;
    }
  }

  private lost(): void {
    this.stats.losses++;
    if (this.o.kind !== 'video') return;
    if (this.inFrame) this.broken = true;
    if (this.started && !this.repairing) {
      this.repairing = true;
      if (!this.gapAsked) this.onKeyframeWanted();
    }
  }

  private take(p: RtpIn): void {
    if (this.o.kind === 'audio') {
      this.emit(p.payload, true, p.header.timestamp);
      return;
    }
    const vp8 = parseVp8(p.payload);
    if (!vp8) return;
    const { timestamp, marker } = p.header;
    if (vp8.start) {
      if (this.inFrame) this.stats.dropped++; // its last packet never came
      this.parts = [vp8.data];
      this.partsKeyframe = vp8.keyframe;
      this.partsTimestamp = timestamp;
      this.inFrame = true;
      this.broken = false;
    } else if (!this.inFrame || timestamp !== this.partsTimestamp) {
      // the middle of a frame whose start was lost
      this.parts = [];
      this.partsTimestamp = timestamp;
      this.inFrame = true;
      this.broken = true;
    } else this.parts.push(vp8.data);
    if (!marker) return;
    this.inFrame = false;
    if (this.broken || (!this.started && !this.partsKeyframe)) {
      this.stats.dropped++;
      return;
    }
    if (this.partsKeyframe) {
      this.started = true;
      this.repairing = false;
    }
    this.emit(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts), this.partsKeyframe, this.partsTimestamp);
    this.parts = [];
  }

  private emit(data: Buffer, keyframe: boolean, timestamp: number): void {
    if (this.firstTs === undefined) {
      this.firstTs = timestamp;
      this.lastTs = timestamp;
    } else this.lastTs += int32(timestamp - this.lastTs);
    this.stats.frames++;
    this.onFrame({ data, keyframe, ms: Math.round(((this.lastTs - this.firstTs) * 1000) / this.o.clockRate) });
  }
}
