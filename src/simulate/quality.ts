/**
 * Per-minute quality samples of one session, shaped like what clients send to `/stats`
 * (docs/client-api.md): the link as a whole, and each medium (audio, video, screen share) sent and
 * received. Each session has its own baseline (a good or a poor link), minutes wander around it, and now
 * and then a minute goes bad (loss, jitter and latency spike together, bitrates drop).
 */
import type { DeviceType, NetworkType, SimDevice } from './devices.js';
import type { Random } from './random.js';

export type StreamSample = {
  bitrate_kbps: number;
  latency_ms: number;
  jitter_ms: number;
  /** fractions of packets lost, 0..1: over the minute, and in its worst moment */
  packet_loss: number;
  packet_loss_max: number;
  resolution?: number;
  framerate?: number;
};

type Directions = { sent?: StreamSample; received?: StreamSample };

// A type, not an interface: it is passed where free-form sample objects are expected.
export type QualitySample = {
  /** unix seconds of the minute */
  minute: number;
  bitrate_kbps: number;
  /** fraction of packets lost, 0..1 */
  packet_loss: number;
  jitter_ms: number;
  rtt_ms: number;
  /** percent: the client's average over the minute, its lowest and highest, and the whole machine's */
  cpu: number;
  cpu_min: number;
  cpu_max: number;
  system_cpu: number;
  system_cpu_max: number;
  audio: Directions & { mic_volume_db: number; speaker_volume_db: number };
  video: Directions;
  screen: Directions;
};

/** A screen share during the session: its own (sent) or someone else's (received). */
export interface ShareWindow {
  from: number;
  to: number;
  mine: boolean;
}

/** Typical medians per network. */
const LINK: Record<NetworkType, { rtt: number; loss: number; jitter: number }> = {
  ethernet: { rtt: 28, loss: 0.002, jitter: 4 },
  wifi: { rtt: 48, loss: 0.006, jitter: 11 },
  '4g': { rtt: 95, loss: 0.018, jitter: 26 },
};

const CPU: Record<DeviceType, number> = { desktop: 22, web: 36, ios: 28, android: 33, room: 30 };

/** What the device sends with its camera on (kbps), and the frames it sends. */
const VIDEO: Record<DeviceType, { kbps: number; resolution: number }> = {
  desktop: { kbps: 1500, resolution: 720 },
  web: { kbps: 1200, resolution: 720 },
  ios: { kbps: 800, resolution: 540 },
  android: { kbps: 800, resolution: 540 },
  room: { kbps: 2600, resolution: 1080 },
};

const MINUTE = 60_000;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function sessionSamples(rng: Random, device: SimDevice, media: { audio: boolean; video: boolean }, fromMs: number, toMs: number, shares: ShareWindow[] = []): QualitySample[] {
  const link = LINK[device.network_type];
  const rtt = rng.logNormal(link.rtt, 0.35);
  const loss = rng.logNormal(link.loss, 0.6);
  const jitter = rng.logNormal(link.jitter, 0.4);
  const cpu = clamp(rng.normal(CPU[device.type], 6), 5, 85) + (media.video ? 8 : 0);
  const video = VIDEO[device.type];
  const receive = rng.between(400, 1400);
  const samples: QualitySample[] = [];
  for (let m = Math.floor(fromMs / MINUTE); m * MINUTE < toMs; m++) {
    const at = m * MINUTE;
    const bad = rng.chance(0.04) ? rng.between(2, 6) : 1;
    const lost = clamp(loss * rng.logNormal(1, 0.5) * bad, 0, 0.5);
    const squeeze = (1 - Math.min(0.7, lost * 6)) * rng.between(0.85, 1.1);
    const minuteRtt = Math.round(rtt * rng.logNormal(1, 0.15) * (bad > 1 ? 1.8 : 1));
    const minuteJitter = round(jitter * rng.logNormal(1, 0.25) * bad, 1);
    const minuteCpu = round(clamp(cpu + rng.normal(0, 4), 1, 100), 1);
    const stream = (kbps: number, frames?: { resolution: number; framerate: number }): StreamSample => ({
      bitrate_kbps: Math.round(kbps * squeeze),
      latency_ms: Math.round((minuteRtt / 2) * rng.between(0.9, 1.2)),
      jitter_ms: round(minuteJitter * rng.between(0.8, 1.2), 1),
      packet_loss: round(lost * rng.between(0.8, 1.2), 4),
      packet_loss_max: round(clamp(lost * rng.between(1.5, 4), 0, 1), 4),
      ...(frames ? { resolution: bad > 1 ? Math.min(frames.resolution, 360) : frames.resolution, framerate: Math.round(frames.framerate * (bad > 1 ? 0.5 : 1)) } : {}),
    });
    const share = shares.find((s) => s.from < at + MINUTE && s.to > at);
    const sent = (media.video ? video.kbps : 0) + (media.audio ? 50 : 0);
    samples.push({
      minute: at / 1000,
      bitrate_kbps: Math.round((sent + receive) * squeeze),
      packet_loss: round(lost, 4),
      jitter_ms: minuteJitter,
      rtt_ms: minuteRtt,
      cpu: minuteCpu,
      cpu_min: round(clamp(minuteCpu - rng.between(2, 8), 1, 100), 1),
      cpu_max: round(clamp(minuteCpu + rng.between(3, 15), 1, 100), 1),
      system_cpu: round(clamp(minuteCpu + rng.between(10, 30), 1, 100), 1),
      system_cpu_max: round(clamp(minuteCpu + rng.between(25, 45), 1, 100), 1),
      audio: {
        ...(media.audio ? { sent: stream(rng.between(40, 60)) } : {}),
        received: stream(rng.between(30, 80)),
        mic_volume_db: Math.round(rng.between(-40, -12)),
        speaker_volume_db: Math.round(rng.between(-30, -8)),
      },
      video: {
        ...(media.video ? { sent: stream(video.kbps, { resolution: video.resolution, framerate: 30 }) } : {}),
        received: stream(receive, { resolution: 720, framerate: 30 }),
      },
      screen: share ? { [share.mine ? 'sent' : 'received']: stream(rng.between(600, 1500), { resolution: 1080, framerate: 10 }) } : {},
    });
  }
  return samples;
}
