/**
 * Per-minute quality samples of one session, shaped like what clients send to `/stats`. Each session
 * has its own baseline (a good or a poor link), minutes wander around it, and now and then a minute
 * goes bad (loss, jitter and latency spike together, bitrate drops).
 */
import type { DeviceType, NetworkType, SimDevice } from './devices.js';
import type { Random } from './random.js';

// A type, not an interface: it is passed where free-form sample objects are expected.
export type QualitySample = {
  /** unix seconds of the minute */
  minute: number;
  bitrate_kbps: number;
  /** fraction of packets lost, 0..1 */
  packet_loss: number;
  jitter_ms: number;
  rtt_ms: number;
  /** percent */
  cpu: number;
};

/** Typical medians per network. */
const LINK: Record<NetworkType, { rtt: number; loss: number; jitter: number }> = {
  ethernet: { rtt: 28, loss: 0.002, jitter: 4 },
  wifi: { rtt: 48, loss: 0.006, jitter: 11 },
  '4g': { rtt: 95, loss: 0.018, jitter: 26 },
};

const CPU: Record<DeviceType, number> = { desktop: 22, web: 36, ios: 28, android: 33, room: 30 };

/** What the device sends with its camera on (kbps); audio adds ~50, receiving others adds more. */
const VIDEO_KBPS: Record<DeviceType, number> = { desktop: 1500, web: 1200, ios: 800, android: 800, room: 2600 };

const MINUTE = 60_000;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function sessionSamples(rng: Random, device: SimDevice, media: { audio: boolean; video: boolean }, fromMs: number, toMs: number): QualitySample[] {
  const link = LINK[device.network_type];
  const rtt = rng.logNormal(link.rtt, 0.35);
  const loss = rng.logNormal(link.loss, 0.6);
  const jitter = rng.logNormal(link.jitter, 0.4);
  const cpu = clamp(rng.normal(CPU[device.type], 6), 5, 85) + (media.video ? 8 : 0);
  const send = (media.video ? VIDEO_KBPS[device.type] : 0) + (media.audio ? 50 : 0);
  const receive = rng.between(400, 1400);
  const samples: QualitySample[] = [];
  for (let m = Math.floor(fromMs / MINUTE); m * MINUTE < toMs; m++) {
    const bad = rng.chance(0.04) ? rng.between(2, 6) : 1;
    const lost = clamp(loss * rng.logNormal(1, 0.5) * bad, 0, 0.5);
    samples.push({
      minute: (m * MINUTE) / 1000,
      bitrate_kbps: Math.round((send + receive) * (1 - Math.min(0.7, lost * 6)) * rng.between(0.85, 1.1)),
      packet_loss: round(lost, 4),
      jitter_ms: round(jitter * rng.logNormal(1, 0.25) * bad, 1),
      rtt_ms: Math.round(rtt * rng.logNormal(1, 0.15) * (bad > 1 ? 1.8 : 1)),
      cpu: round(clamp(cpu + rng.normal(0, 4), 1, 100), 1),
    });
  }
  return samples;
}
