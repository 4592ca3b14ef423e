import { describe, expect, it } from 'vitest';
import { parseVp8, TrackFrames, type Frame, type RtpIn } from '../src/media/track-frames.js';

/** A VP8 frame of `n` packets, as Chromium sends it (X, I with a 15-bit PictureID, then L and T). */
function vp8Frame(seq: number, timestamp: number, n: number, keyframe: boolean): RtpIn[] {
  return Array.from({ length: n }, (_, i) => {
    const descriptor = Buffer.from([0x80 | (i === 0 ? 0x10 : 0), 0xe0, 0x80, 0x01, 0x00, 0x20]);
    const data = Buffer.from([i === 0 ? (keyframe ? 0x00 : 0x01) : 0xaa, seq & 0xff, i]);
    return { header: { sequenceNumber: (seq + i) & 0xffff, timestamp: timestamp >>> 0, marker: i === n - 1 }, payload: Buffer.concat([descriptor, data]) };
  });
}

function video(patienceMs = 1000) {
  const frames: Frame[] = [];
  let asks = 0;
  const t = new TrackFrames({ kind: 'video', clockRate: 90_000, patienceMs, askAfterMs: 150, maxHeld: 100 }, (f) => frames.push(f), () => asks++);
  return { t, frames, asks: () => asks };
}

describe('track frames (the recorder turning RTP into frames)', () => {
  it('reads the VP8 payload descriptor', () => {
    const [first] = vp8Frame(1, 0, 2, true);
    expect(parseVp8(first!.payload)).toEqual({ start: true, keyframe: true, data: Buffer.from([0x00, 1, 0]) });
    expect(parseVp8(Buffer.from([0x00, 0x01]))).toEqual({ start: false, keyframe: false, data: Buffer.from([0x01]) });
    expect(parseVp8(Buffer.from([0x10, 0x01]))).toEqual({ start: true, keyframe: false, data: Buffer.from([0x01]) });
    expect(parseVp8(Buffer.from([0x80]))).toBeUndefined();
  });

  it('puts packets back in order, waits for a retransmission, and starts at a keyframe', () => {
    const { t, frames, asks } = video();
    const delta0 = vp8Frame(10, 0, 2, false);
    const key = vp8Frame(12, 3000, 3, true);
    const delta = vp8Frame(15, 6000, 2, false);
    for (const p of delta0) t.push(p, 0); // before any keyframe: left out (a file starts at a keyframe)
    t.push(key[0]!, 10);
    t.push(key[2]!, 10); // key[1] missing for now
    for (const p of delta) t.push(p, 20);
    expect(frames).toHaveLength(0);
    t.push(key[1]!, 500); // the retransmission, within patience
    expect(frames.map((f) => [f.keyframe, f.ms, f.data.length])).toEqual([
      [true, 0, 9],
      [false, 33, 6],
    ]);
    expect(asks()).toBe(0);
    t.push(key[1]!, 600); // a duplicate
    expect(t.stats).toMatchObject({ frames: 2, losses: 0, late: 1 });
  });

  it('asks for a keyframe behind a gap that stays open; after a loss goes on and asks until one comes', () => {
    const { t, frames, asks } = video(300);
    for (const p of vp8Frame(100, 0, 2, true)) t.push(p, 0);
    const lost = vp8Frame(102, 3000, 3, false);
    t.push(lost[0]!, 10);
    t.push(lost[2]!, 10);
    for (const p of vp8Frame(105, 30_000, 2, false)) t.push(p, 20); // 300 ms of media after the gap
    t.tick(100);
    expect([asks(), t.wantsKeyframe(100)]).toEqual([0, false]);
    t.tick(200); // open 190 ms: ask, in case lost[1] never comes
    expect([asks(), t.wantsKeyframe(200)]).toEqual([1, true]);
    t.tick(400); // it never came: the broken frame is left out, the next ones written; a keyframe still wanted (asked for once)
    expect([asks(), t.stats.losses, t.wantsKeyframe(400)]).toEqual([1, 1, true]);
    for (const p of vp8Frame(107, 33_000, 2, false)) t.push(p, 410);
    expect(t.wantsKeyframe(410)).toBe(true);
    for (const p of vp8Frame(109, 36_000, 2, true)) t.push(p, 420);
    expect(frames.map((f) => [f.keyframe, f.ms])).toEqual([
      [true, 0],
      [false, 333],
      [false, 367],
      [true, 400],
    ]);
    expect(t.wantsKeyframe(420)).toBe(false);
    expect(t.stats).toMatchObject({ frames: 4, losses: 1, dropped: 1 });
  });

  it('what came behind a gap, a keyframe among it, is written as soon as the gap is given up', () => {
    const { t, frames } = video(300);
    for (const p of vp8Frame(100, 0, 1, true)) t.push(p, 0);
    for (const p of vp8Frame(102, 6000, 3, true)) t.push(p, 150); // 101 lost; the keyframe asked for came
    for (const p of vp8Frame(105, 33_000, 1, false)) t.push(p, 160);
    expect(frames).toHaveLength(1);
    t.tick(500);
    expect(frames.map((f) => [f.keyframe, f.ms])).toEqual([
      [true, 0],
      [true, 67],
      [false, 367],
    ]);
    expect(t.stats).toMatchObject({ losses: 1, dropped: 0 });
  });

  it('a stalled process: the timer that fires first does not give up a gap with little media after it', () => {
    const { t, frames } = video(300);
    for (const p of vp8Frame(200, 0, 1, true)) t.push(p, 0);
    for (const p of vp8Frame(202, 3000, 1, false)) t.push(p, 10); // 201 missing, its retransmission asked for
    t.tick(2000); // the loop was stalled; the socket still holds the retransmission
    expect(t.stats.losses).toBe(0);
    t.push(vp8Frame(201, 1500, 1, false)[0]!, 2001);
    expect(frames.map((f) => f.ms)).toEqual([0, 17, 33]);
  });

  it('follows sequence numbers and timestamps across their wrap', () => {
    const { t, frames } = video();
    for (const p of [...vp8Frame(65534, 0xffffff00, 2, true), ...vp8Frame(0, 0xffffff00 + 9000, 2, false)]) t.push(p, 0);
    expect(frames.map((f) => f.ms)).toEqual([0, 100]);
  });

  it('gives up what it holds when the track ends, and audio is a frame a packet', () => {
    const frames: Frame[] = [];
    const t = new TrackFrames({ kind: 'audio', clockRate: 48_000, patienceMs: 1000, askAfterMs: 150, maxHeld: 100 }, (f) => frames.push(f));
    const packet = (seq: number, ts: number): RtpIn => ({ header: { sequenceNumber: seq, timestamp: ts, marker: false }, payload: Buffer.from([seq]) });
    t.push(packet(1, 0), 0);
    t.push(packet(3, 1920), 0);
    expect(frames).toHaveLength(1);
    t.end();
    expect(frames.map((f) => f.ms)).toEqual([0, 40]);
    expect(t.stats).toMatchObject({ frames: 2, losses: 1 });
  });
});
