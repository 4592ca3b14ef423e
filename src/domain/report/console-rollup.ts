/**
 * What the admin dashboard's daily rollups count (docs/decisions.md "Dashboard rollups"), as increments
 * to add to them:
 * - the device and network mix: each participant session once, on the report day it joined, by its
 *   reported device `type` and `network_type` (`unknown` when it named none);
 * - quality: each minute sample of a session once the session has ended (no sample arrives after), on
 *   the report day of its minute, its figures (console-quality.ts) counted in log-spaced buckets.
 * Days are report days (calendar.ts), stored as the unix time they begin.
 */
import { dayOf, dayStart } from './calendar.js';
import { sampleFigures } from './console-quality.js';
import { count, merge, type Histogram } from './quality-histogram.js';

/** The device facts the mix is kept by. */
export const MIX_FIELDS = ['type', 'network_type'] as const;
export type MixField = (typeof MIX_FIELDS)[number];

/** Longest kind kept; a client names its own device, and a longer name is cut. */
const KIND_MAX = 64;

export interface MixIncrement {
  tenantKey: string;
  day: number;
  field: MixField;
  kind: string;
  sessions: number;
}

export interface QualityIncrement {
  tenantKey: string;
  day: number;
  samples: number;
  loss: Histogram;
  jitter: Histogram;
  bitrate: Histogram;
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The kind a session's device facts (JSON) give for `field`. */
export function mixKind(device: string, field: MixField): string {
  let facts: unknown;
  try {
    facts = JSON.parse(device);
  } catch {
    return 'unknown';
  }
  const v = facts && typeof facts === 'object' ? (facts as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' && v !== '' ? v.slice(0, KIND_MAX) : 'unknown';
}

/**
 * What joined sessions (`joined_at` in unix ms) add to the mix: one increment per row, sorted by key, so
 * that concurrent writers lock rows in one order and no statement touches a row twice.
 */
export function sessionMix(sessions: readonly { tenant_key: string; joined_at: number; device: string }[]): MixIncrement[] {
  const rows = new Map<string, MixIncrement>();
  for (const s of sessions) {
    const day = dayStart(dayOf(Math.floor(s.joined_at / 1000)));
    for (const field of MIX_FIELDS) {
      const kind = mixKind(s.device, field);
      const key = `${s.tenant_key}\u0000${day}\u0000${field}\u0000${kind}`;
      const row = rows.get(key) ?? { tenantKey: s.tenant_key, day, field, kind, sessions: 0 };
      row.sessions++;
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => cmp(a.tenantKey, b.tenantKey) || a.day - b.day || cmp(a.field, b.field) || cmp(a.kind, b.kind));
}

/** What ended sessions' samples (`minute` in unix s, the JSON the client sent) add to quality: one increment per tenant and day, sorted. */
export function sampleQuality(samples: readonly { tenant_key: string; minute: number; sample: string }[]): QualityIncrement[] {
  const rows = new Map<string, QualityIncrement>();
  for (const s of samples) {
    const day = dayStart(dayOf(s.minute));
    const key = `${s.tenant_key}\u0000${day}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { tenantKey: s.tenant_key, day, samples: 0, loss: [], jitter: [], bitrate: [] }));
    const f = sampleFigures(s.minute, s.sample);
    row.samples++;
    if (f.loss !== null) count(row.loss, f.loss);
    if (f.jitter !== null) count(row.jitter, f.jitter);
    if (f.bitrate !== null) count(row.bitrate, f.bitrate);
  }
  return [...rows.values()].sort((a, b) => cmp(a.tenantKey, b.tenantKey) || a.day - b.day);
}

/** Two increments (or a stored row and an increment) of the same tenant and day as one. */
export function addQuality(a: QualityIncrement, b: Omit<QualityIncrement, 'tenantKey' | 'day'>): QualityIncrement {
  return { ...a, samples: a.samples + b.samples, loss: merge([...a.loss], b.loss), jitter: merge([...a.jitter], b.jitter), bitrate: merge([...a.bitrate], b.bitrate) };
}
