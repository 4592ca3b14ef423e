import type { RateLimit } from '../contract/methods.js';

export interface RateDecision {
  allowed: boolean;
  /** the ceiling that refused the request and the seconds until its window resets */
  limit?: number;
  resetS?: number;
}

interface Window {
  start: number;
  count: number;
}

/** Decides whether a call under `key` is within its limit; answers at once unless it must ask the store. */
export interface Limiter {
  check(key: string, limit: RateLimit): RateDecision | Promise<RateDecision>;
}

const ceilingsOf = (limit: RateLimit): [number, number][] => {
  const ceilings: [number, number][] = [];
  if (limit.perSecond) ceilings.push([limit.perSecond, 1000]);
  if (limit.perMinute) ceilings.push([limit.perMinute, 60_000]);
  return ceilings;
};

/**
 * Fixed-window counters per (API × app × tenant), one window per ceiling (per second, per minute), the
 * way Feishu's gateway announces them with `x-ogw-ratelimit-reset`. Counts live in this process: the
 * limiter of a single process (SQLite). Several processes share `SharedRateLimiter` (docs/decisions.md).
 */
export class RateLimiter implements Limiter {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 0;

  constructor(private readonly clock: { now(): number } = Date) {}

  check(key: string, limit: RateLimit): RateDecision {
    const now = this.clock.now();
    if (now >= this.sweepAt) this.sweep(now);
    const ceilings = ceilingsOf(limit);
    const hit: Window[] = [];
    for (const [max, span] of ceilings) {
      const k = `${key}|${span}`;
      const start = now - (now % span);
      let w = this.windows.get(k);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        this.windows.set(k, w);
      }
      if (w.count >= max) return { allowed: false, limit: max, resetS: Math.max(1, Math.ceil((start + span - now) / 1000)) };
      hit.push(w);
    }
    for (const w of hit) w.count++;
    return { allowed: true };
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start > 60_000) this.windows.delete(k);
    this.sweepAt = now + 60_000;
  }
}

/** The store's shared window counts (RateWindowRepository). */
export interface RateWindowCounter {
  /** adds n to the window's count; returns the count after */
  add(key: string, windowStart: number, n: number): Promise<number>;
}

interface Lease {
  start: number;
  /** calls this process may still make in the window without asking the store */
  left: number;
  /** the store said the window is full */
  full: boolean;
  /** a lease request in flight, shared by the calls that wait for it */
  pending?: Promise<void>;
}

/**
 * The same fixed windows, counted across every process of the store. A process takes calls from the
 * shared count in leases (a tenth of the ceiling at a time, at least one) with one upsert, and serves them
 * from memory: the store sees one write per lease, not per call, and the cluster never admits more than
 * the ceiling in a window. A lease partly beyond the ceiling grants only what is left. Calls that a process
 * leased but did not use are lost for that window (at most a lease per process), which errs on the
 * strict side.
 */
export class SharedRateLimiter implements Limiter {
  private readonly leases = new Map<string, Lease>();
  private sweepAt = 0;

  constructor(
    private readonly counter: RateWindowCounter,
    private readonly clock: { now(): number } = Date,
  ) {}

  check(key: string, limit: RateLimit): RateDecision | Promise<RateDecision> {
    const now = this.clock.now();
    if (now >= this.sweepAt) this.sweep(now);
    const ceilings = ceilingsOf(limit);
    const waits: Promise<void>[] = [];
    const ready: Lease[] = [];
    for (const [max, span] of ceilings) {
      const lease = this.lease(`${key}|${span}`, now - (now % span));
      if (lease.full && lease.left === 0) return { allowed: false, limit: max, resetS: Math.max(1, Math.ceil((lease.start + span - now) / 1000)) };
      if (lease.left > 0) ready.push(lease);
      else waits.push(this.renew(`${key}|${span}`, lease, max));
    }
    if (waits.length === 0) {
      for (const l of ready) l.left--;
      return { allowed: true };
    }
    // Ask the store, then decide again (another call may have used the new lease meanwhile).
    return Promise.all(waits).then(() => this.check(key, limit));
  }

  private lease(k: string, start: number): Lease {
    let lease = this.leases.get(k);
    if (!lease || lease.start !== start) {
      lease = { start, left: 0, full: false };
      this.leases.set(k, lease);
    }
    return lease;
  }

  private renew(k: string, lease: Lease, max: number): Promise<void> {
    if (lease.pending) return lease.pending;
    const n = Math.max(1, Math.ceil(max / 10));
    lease.pending = this.counter
      .add(k, lease.start, n)
      .then((after) => {
        const granted = Math.max(0, Math.min(n, max - (after - n)));
        lease.left += granted;
        if (after >= max) lease.full = true;
      })
      .finally(() => {
        lease.pending = undefined;
      });
    return lease.pending;
  }

  private sweep(now: number): void {
    for (const [k, l] of this.leases) if (now - l.start > 60_000 && !l.pending) this.leases.delete(k);
    this.sweepAt = now + 60_000;
  }
}
