/**
 * Quality samples (docs/client-api.md, `/stats`) and their one-row-per-minute aggregate for the
 * quality export (export.md §9.3, §10.3). A participant usually sends one sample per minute; when they
 * re-joined within a minute, or from two clients, several samples share a minute and combine: averages
 * are averaged, maxima maximised, minima minimised.
 */

export interface StreamQuality {
  bitrateKbps: number | null;
  latencyMs: number | null;
  jitterMs: number | null;
  /** percent of packets lost, averaged over the minute */
  lossAvg: number | null;
  /** percent lost in the worst moment of the minute */
  lossMax: number | null;
  /** vertical pixels of the largest frame (video and screen) */
  resolution: number | null;
  framerate: number | null;
}

export interface MediaQuality {
  sent: StreamQuality;
  received: StreamQuality;
}

export const MEDIA = ['audio', 'video', 'screen'] as const;
export type Media = (typeof MEDIA)[number];

export interface QualityMinute {
  /** unix ms of the minute's start */
  minute: number;
  audio: MediaQuality;
  video: MediaQuality;
  screen: MediaQuality;
  /** round-trip time of the link */
  rttMs: number | null;
  micVolumeDb: number | null;
  speakerVolumeDb: number | null;
  cpu: { clientMin: number | null; clientAvg: number | null; clientMax: number | null; systemAvg: number | null; systemMax: number | null };
}

type Json = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Loss arrives as a fraction (0..1), as the protocol's packet_loss always did; exports show percent. */
const percent = (v: unknown): number | null => {
  const n = num(v);
  return n === null ? null : n * 100;
};
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

function stream(v: unknown): StreamQuality {
  const s = obj(v);
  const lossAvg = percent(s.packet_loss);
  return {
    bitrateKbps: num(s.bitrate_kbps),
    latencyMs: num(s.latency_ms),
    jitterMs: num(s.jitter_ms),
    lossAvg,
    // A client that reports only the average: the minute's worst moment is at least that.
    lossMax: percent(s.packet_loss_max) ?? lossAvg,
    resolution: num(s.resolution),
    framerate: num(s.framerate),
  };
}

/** One stored sample (the JSON the client sent) as a minute of its own. */
export function parseSample(minuteMs: number, sample: Json): QualityMinute {
  const media = (m: Media): MediaQuality => {
    const o = obj(sample[m]);
    return { sent: stream(o.sent), received: stream(o.received) };
  };
  const cpu = num(sample.cpu);
  const systemCpu = num(sample.system_cpu);
  return {
    minute: minuteMs,
    audio: media('audio'),
    video: media('video'),
    screen: media('screen'),
    rttMs: num(sample.rtt_ms),
    micVolumeDb: num(obj(sample.audio).mic_volume_db),
    speakerVolumeDb: num(obj(sample.audio).speaker_volume_db),
    cpu: { clientMin: num(sample.cpu_min) ?? cpu, clientAvg: cpu, clientMax: num(sample.cpu_max) ?? cpu, systemAvg: systemCpu, systemMax: num(sample.system_cpu_max) ?? systemCpu },
  };
}

type Combine = (values: number[]) => number;
const avg: Combine = (v) => v.reduce((a, b) => a + b, 0) / v.length;
const max: Combine = (v) => Math.max(...v);
const min: Combine = (v) => Math.min(...v);

function combine<T>(items: T[], pick: (t: T) => number | null, how: Combine): number | null {
  const values = items.map(pick).filter((v): v is number => v !== null);
  return values.length === 0 ? null : how(values);
}

function combineStreams(items: StreamQuality[]): StreamQuality {
  return {
    bitrateKbps: combine(items, (s) => s.bitrateKbps, avg),
    latencyMs: combine(items, (s) => s.latencyMs, avg),
    jitterMs: combine(items, (s) => s.jitterMs, avg),
    lossAvg: combine(items, (s) => s.lossAvg, avg),
    lossMax: combine(items, (s) => s.lossMax, max),
    resolution: combine(items, (s) => s.resolution, max),
    framerate: combine(items, (s) => s.framerate, avg),
  };
}

/** Several samples of one minute as one. */
export function combineMinute(samples: QualityMinute[]): QualityMinute {
  if (samples.length === 1) return samples[0]!;
  const media = (m: Media): MediaQuality => ({ sent: combineStreams(samples.map((s) => s[m].sent)), received: combineStreams(samples.map((s) => s[m].received)) });
  return {
    minute: samples[0]!.minute,
    audio: media('audio'),
    video: media('video'),
    screen: media('screen'),
    rttMs: combine(samples, (s) => s.rttMs, avg),
    micVolumeDb: combine(samples, (s) => s.micVolumeDb, avg),
    speakerVolumeDb: combine(samples, (s) => s.speakerVolumeDb, avg),
    cpu: {
      clientMin: combine(samples, (s) => s.cpu.clientMin, min),
      clientAvg: combine(samples, (s) => s.cpu.clientAvg, avg),
      clientMax: combine(samples, (s) => s.cpu.clientMax, max),
      systemAvg: combine(samples, (s) => s.cpu.systemAvg, avg),
      systemMax: combine(samples, (s) => s.cpu.systemMax, max),
    },
  };
}

/** The whole link in one direction, for the JSON twin's `network` object: bitrates add up, losses combine. */
export function networkOf(q: QualityMinute, dir: 'sent' | 'received'): { bitrateKbps: number | null; lossAvg: number | null; lossMax: number | null } {
  const streams = MEDIA.map((m) => q[m][dir]);
  return {
    bitrateKbps: combine(streams, (s) => s.bitrateKbps, (v) => v.reduce((a, b) => a + b, 0)),
    lossAvg: combine(streams, (s) => s.lossAvg, avg),
    lossMax: combine(streams, (s) => s.lossMax, max),
  };
}
