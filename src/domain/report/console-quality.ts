/**
 * The admin dashboard's quality: percentiles of packet loss, jitter and bitrate over the quality samples
 * of each report day, and of the whole range, from the days' counts in log-spaced buckets
 * (docs/decisions.md "Admin console", "Dashboard rollups"). Each figure is the link's own (the sample's
 * top-level `packet_loss`, `jitter_ms`, `bitrate_kbps`); a client that reports only per medium gives the
 * worse of audio and video received loss, audio (else video) jitter, and video (else audio) received bitrate.
 */
import { dayStart } from './calendar.js';
import { parseSample } from '../export/quality.js';
import { merge, percentiles, type Histogram, type Percentiles } from './quality-histogram.js';

export type { Percentiles };

export interface QualityDay {
  /** unix s the report day begins */
  date: number;
  samples: number;
  loss: Percentiles;
  jitter: Percentiles;
  bitrate: Percentiles;
}

/** A day's (or a range's) samples, each figure counted in buckets. */
export interface QualityCounts {
  samples: number;
  loss: Histogram;
  jitter: Histogram;
  bitrate: Histogram;
}

const maxOf = (...v: (number | null)[]): number | null => {
  const n = v.filter((x): x is number => x !== null);
  return n.length ? Math.max(...n) : null;
};

/** The figures of one sample (minute in unix s): what the dashboard charts and the live view shows; loss in percent. */
export function sampleFigures(minute: number, json: string): { loss: number | null; jitter: number | null; bitrate: number | null } {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return { loss: null, jitter: null, bitrate: null };
  }
  const top = (k: string) => (typeof parsed[k] === 'number' && Number.isFinite(parsed[k]) ? parsed[k] : null);
  const loss = top('packet_loss');
  const jitter = top('jitter_ms');
  const bitrate = top('bitrate_kbps');
  // The usual sample has all three: its media need not be read (every ended session's samples pass here).
  if (loss !== null && jitter !== null && bitrate !== null) return { loss: loss * 100, jitter, bitrate };
  const q = parseSample(minute * 1000, parsed);
  return {
    loss: loss !== null ? loss * 100 : maxOf(q.audio.received.lossAvg, q.video.received.lossAvg),
    jitter: jitter ?? q.audio.received.jitterMs ?? q.video.received.jitterMs,
    bitrate: bitrate ?? q.video.received.bitrateKbps ?? q.audio.received.bitrateKbps,
  };
}

/** Days from `fromDay` to `toDay` (inclusive), each with the percentiles of its samples' figures (null where none); `days` by `day`, the unix s each begins. */
export function qualityDays(fromDay: number, toDay: number, days: readonly (QualityCounts & { day: number })[]): QualityDay[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out: QualityDay[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const d = byDay.get(dayStart(day));
    out.push({ date: dayStart(day), samples: d?.samples ?? 0, loss: percentiles(d?.loss ?? []), jitter: percentiles(d?.jitter ?? []), bitrate: percentiles(d?.bitrate ?? []) });
  }
  return out;
}

/** The percentiles over all the days at once: their counts merged, not their percentiles combined. */
export function rangeQuality(days: readonly QualityCounts[]): Omit<QualityDay, 'date'> {
  const all: QualityCounts = { samples: 0, loss: [], jitter: [], bitrate: [] };
  for (const d of days) {
    all.samples += d.samples;
    merge(all.loss, d.loss);
    merge(all.jitter, d.jitter);
    merge(all.bitrate, d.bitrate);
  }
  return { samples: all.samples, loss: percentiles(all.loss), jitter: percentiles(all.jitter), bitrate: percentiles(all.bitrate) };
}
