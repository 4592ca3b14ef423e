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

/**
 * Fixed-window counters per (API × app × tenant), one window per ceiling (per second, per minute), the
 * way Feishu's gateway announces them with `x-ogw-ratelimit-reset`. Counts live in this process: with
 * several processes each enforces the limit on its own (docs/decisions.md).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 0;

  constructor(private readonly clock: { now(): number } = Date) {}

  check(key: string, limit: RateLimit): RateDecision {
    const now = this.clock.now();
    if (now >= this.sweepAt) this.sweep(now);
    const ceilings: [number, number][] = [];
    if (limit.perSecond) ceilings.push([limit.perSecond, 1000]);
    if (limit.perMinute) ceilings.push([limit.perMinute, 60_000]);
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
