import { createHash } from 'node:crypto';
import { apiError, type ErrorName } from '../../contract/errors.js';
import type { GuessCounter, ThrottleRepository } from '../../store/repositories/throttle.repository.js';

/** The guessable credentials; each kind counts apart (an app secret's failures say nothing of a meeting's). */
export type GuessKind = 'app_secret' | 'admin_key' | 'meeting_password' | 'user_password';

export interface GuessPolicy {
  /** failures of one source at one target before that pair is locked (then locks double with each failure) */
  pairFailures: number;
  /** failures of one source across all targets of a kind before the source is locked (a spray over many targets) */
  sourceFailures: number;
  /** failures at one target from all sources after which a source that failed there may not try again until it is quiet */
  targetFailures: number;
  /** the first lock, ms */
  lockMs: number;
  /** the longest lock, ms; a counter quiet this long starts again */
  maxLockMs: number;
}

/** How long the `failures`-th failure locks when `free` failures go unpunished: nothing, then `lockMs` doubling, capped. */
export function lockAfter(failures: number, free: number, policy: Pick<GuessPolicy, 'lockMs' | 'maxLockMs'>): number {
  if (failures < free) return 0;
  return Math.min(policy.maxLockMs, policy.lockMs * 2 ** Math.min(30, failures - free));
}

/**
 * One source per attacker where the address allows: an IPv4-mapped IPv6 address is its IPv4 address, and an
 * IPv6 address counts by its /64, the block one subscriber usually holds (else each of 2^64 addresses would
 * start with fresh counters).
 */
export function sourceOf(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (!bare.includes(':')) return bare;
  const [head = '', tail = ''] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = bare.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** Targets come from the request (an app id that may not exist): long ones are stored by digest. */
const bounded = (s: string) => (s.length <= 128 ? s : createHash('sha256').update(s).digest('hex'));

/** One credential check in progress: tell the throttle how it went. */
export interface GuessAttempt {
  /** a wrong credential: counts for the pair, the source and the target, and may lock */
  failed(): Promise<void>;
  /** a right one: forgets the pair's failures (not the source's: one known secret does not excuse a spray) */
  succeeded(): Promise<void>;
}

/**
 * Throttles guessing of secrets, admin keys and passwords (docs/operations.md). Failures are counted in the
 * store, so every process sees them, per (source, target) pair, per source and per target:
 *
 * - a pair that failed `pairFailures` times is locked for `lockMs`, doubling with each further failure;
 * - a source that failed `sourceFailures` times over any targets of the kind is locked likewise;
 * - a target that failed `targetFailures` times from all sources stops admitting the sources that failed
 *   at it until it has been quiet for `maxLockMs`, while a source that never failed there still may try.
 *   So an attack from many addresses gets one guess per address, and it locks out no one who has the
 *   credential: no limit ever refuses a source for failures that were not its own.
 *
 * A locked attempt is refused before the credential is checked, so a right guess during a lock tells the
 * attacker nothing. Only credential checks consult the throttle; bearer-token requests never do.
 */
export class GuessThrottle {
  constructor(
    private readonly repo: ThrottleRepository,
    private readonly policy: GuessPolicy,
    private readonly clock: { now(): number } = Date,
  ) {}

  /**
   * Admits one attempt of `source` (an address) at `target` or throws `refusal` (99991400, HTTP 429, with
   * `Retry-After`). Call `failed()` or `succeeded()` on the result once the credential is checked.
   */
  async admit(kind: GuessKind, source: string, target: string, refusal: ErrorName = 'guessThrottled'): Promise<GuessAttempt> {
    const src = sourceOf(source);
    const keys = { pair: `${kind}|p|${src}|${bounded(target)}`, source: `${kind}|s|${src}`, target: `${kind}|t|${bounded(target)}` };
    const now = this.clock.now();
    const rows = await this.repo.read([keys.pair, keys.source, keys.target]);
    const live = (key: string): GuessCounter | undefined => {
      const r = rows.find((row) => row.key === key);
      return r && (r.updated_at >= now - this.policy.maxLockMs || r.locked_until > now) ? r : undefined;
    };
    const pair = live(keys.pair);
    const atTarget = live(keys.target);
    let until = Math.max(pair?.locked_until ?? 0, live(keys.source)?.locked_until ?? 0);
    if (pair && atTarget && atTarget.failures >= this.policy.targetFailures) until = Math.max(until, atTarget.updated_at + this.policy.maxLockMs);
    if (until > now) {
      const retryS = String(Math.ceil((until - now) / 1000));
      throw apiError(refusal, { headers: { 'retry-after': retryS, 'x-ogw-ratelimit-reset': retryS } });
    }
    return {
      failed: async () => {
        const at = this.clock.now();
        const counted = await this.repo.addFailure([keys.pair, keys.source, keys.target], at, this.policy.maxLockMs);
        const locks: Promise<void>[] = [];
        for (const [key, free] of [[keys.pair, this.policy.pairFailures], [keys.source, this.policy.sourceFailures]] as const) {
          const ms = lockAfter(counted.find((r) => r.key === key)?.failures ?? 0, free, this.policy);
          if (ms > 0) locks.push(this.repo.lock(key, at + ms));
        }
        await Promise.all(locks);
      },
      // Costs nothing on the usual path: only a pair with failures on record has anything to forget.
      succeeded: async () => {
        if (pair) await this.repo.clear(keys.pair);
      },
    };
  }

  /**
   * The whole check in one call, for a credential checked by a function answering true when it is right
   * (a user's password): refused while locked, counted when wrong. Returns the check's answer.
   */
  async guard(kind: GuessKind, source: string, target: string, check: () => Promise<boolean>, refusal?: ErrorName): Promise<boolean> {
    const attempt = await this.admit(kind, source, target, refusal);
    const right = await check();
    await (right ? attempt.succeeded() : attempt.failed());
    return right;
  }
}
