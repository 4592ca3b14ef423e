/**
 * Fixed, log-spaced buckets for quality figures (loss in percent, jitter in ms, bitrate in kbps), so that
 * a day's samples fold into a few hundred counters and any run of days merges by adding them: percentiles
 * of a range come from its merged counts, never from percentiles of its days (docs/decisions.md
 * "Dashboard rollups").
 *
 * Bucket 0 holds zero (and anything not above it). Bucket i ≥ 1 holds [2^((i-1)/16 - 10), 2^(i/16 - 10)):
 * sixteen buckets per doubling, each 4.4 % wide, from 2^-10 (about 0.001) to 2^20 (about a million); values
 * beyond either end go to the end bucket. A percentile is told as its bucket's geometric middle, within
 * 2.2 % of the exact nearest-rank value.
 */

const PER_DOUBLING = 16;
const LOWEST_EXP = -10;
const HIGHEST_EXP = 20;
/** The last bucket (values from 2^20 up). */
export const LAST_BUCKET = (HIGHEST_EXP - LOWEST_EXP) * PER_DOUBLING;

/** Counts by bucket: index i is bucket i's count (missing or past the end: none). */
export type Histogram = number[];

/** The bucket that holds `v`. */
export function bucketOf(v: number): number {
  if (!(v > 0)) return 0;
  const i = Math.floor((Math.log2(v) - LOWEST_EXP) * PER_DOUBLING) + 1;
  return Math.min(LAST_BUCKET, Math.max(1, i));
}

/** The value a bucket stands for: 0, or the geometric middle of its bounds. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  return 2 ** ((bucket - 0.5) / PER_DOUBLING + LOWEST_EXP);
}

/** Half a bucket's width, as a ratio: how far a percentile told by its bucket may be from the exact value. */
export const BUCKET_TOLERANCE = 2 ** (0.5 / PER_DOUBLING);

/** Adds `n` to bucket `b` of `h`. */
function add(h: Histogram, b: number, n: number): void {
  while (h.length <= b) h.push(0);
  h[b]! += n;
}

/** Adds `v` once to `h`. */
export function count(h: Histogram, v: number): void {
  add(h, bucketOf(v), 1);
}

/** Adds every count of `from` to `into`. */
export function merge(into: Histogram, from: Histogram): Histogram {
  for (let b = 0; b < from.length; b++) if (from[b]) add(into, b, from[b]!);
  return into;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** Nearest-rank p50, p90, p99 of the counted values, each as its bucket's value (4 significant digits); null when empty. */
export function percentiles(h: Histogram): Percentiles {
  let total = 0;
  for (const n of h) total += n ?? 0;
  if (total === 0) return { p50: null, p90: null, p99: null };
  const ranks = [50, 90, 99].map((p) => Math.max(1, Math.ceil((p / 100) * total)));
  const found: number[] = [];
  let seen = 0;
  for (let b = 0; b < h.length && found.length < ranks.length; b++) {
    seen += h[b] ?? 0;
    while (found.length < ranks.length && seen >= ranks[found.length]!) found.push(Number(bucketValue(b).toPrecision(4)));
  }
  return { p50: found[0]!, p90: found[1]!, p99: found[2]! };
}

/** As stored: the first bucket with a count, then the counts up to the last one (`[]` when empty). */
export function encodeHistogram(h: Histogram): string {
  let first = 0;
  while (first < h.length && !h[first]) first++;
  let last = h.length - 1;
  while (last >= first && !h[last]) last--;
  if (last < first) return '[]';
  const counts: number[] = [];
  for (let b = first; b <= last; b++) counts.push(h[b] ?? 0);
  return JSON.stringify([first, ...counts]);
}

export function decodeHistogram(text: string): Histogram {
  const [first, ...counts] = JSON.parse(text) as number[];
  if (first === undefined) return [];
  const h: Histogram = new Array<number>(first).fill(0);
  h.push(...counts);
  return h;
}
