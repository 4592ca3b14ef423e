import type { Logger } from 'pino';
import type { JobRepository, JobRow } from '../store/repositories/job.repository.js';

/** A running job's hold on its claim. */
export interface JobLease {
  /** Extends the claim by another lease; false when it was lost (another process took the job over). */
  renew(): Promise<boolean>;
  /** The runner is stopping: a long job should throw JobInterrupted at its next safe point. */
  stopping(): boolean;
}

/** Thrown by a job that stopped because its runner is stopping: it goes back to the queue, no attempt spent. */
export class JobInterrupted extends Error {
  override readonly name = 'JobInterrupted';
}

export type JobHandler = (payload: unknown, job: JobRow, lease: JobLease) => Promise<void>;

/** Called once a job has failed for the last time, with the last error. */
export type GiveUpHandler = (payload: unknown, error: string) => Promise<void>;

export interface RunnerOptions {
  /** how often to look for due jobs */
  pollMs?: number;
  /** how long a claimed job is ours before another process may take it over */
  leaseMs?: number;
  /** attempts before a job is marked failed */
  maxAttempts?: number;
  clock?: { now(): number };
}

/**
 * Runs durable jobs from the jobs table. Any number of processes may run one: a job is claimed with a
 * conditional update and held for a lease, so a process that dies mid-job loses nothing (another picks
 * it up when the lease runs out). Handlers must therefore be idempotent.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly giveUps = new Map<string, GiveUpHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private halting = false;
  private lastPassAt = 0;
  /** The pass under way, or the last: passes of one runner never overlap (see runDue). */
  private passes: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly clock: { now(): number };

  constructor(
    private readonly jobs: JobRepository,
    private readonly logger: Logger,
    opts: RunnerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.clock = opts.clock ?? Date;
  }

  /**
   * Handlers must be idempotent. A job that may outlive the lease renews it as it goes; `onGiveUp` lets a
   * job whose work has its own visible state (an export task) record that it failed for good.
   */
  register(kind: string, handler: JobHandler, onGiveUp?: GiveUpHandler): this {
    this.handlers.set(kind, handler);
    if (onGiveUp) this.giveUps.set(kind, onGiveUp);
    return this;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halting = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.runDue()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.warn({ err }, 'job poll failed'))
        .finally(() => {
          this.running = undefined;
          this.lastPassAt = this.clock.now();
          if (!this.stopped) this.timer = setTimeout(loop, this.pollMs).unref();
        });
    };
    loop();
  }

  /**
   * For readiness probes: started, and a pass is under way or one ended recently. A long job holds its
   * pass, so only a runner that was stopped or whose loop died reads as dead.
   */
  alive(): boolean {
    return !this.stopped && (this.running !== undefined || this.clock.now() - this.lastPassAt <= Math.max(30_000, this.pollMs * 10));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One pass over the due jobs; returns how many ran. Public so tests and the CLI can drive it. A pass
   * asked for while the timer's pass runs waits for it, then makes its own: when it returns, every job
   * that was due when it was called has been run by this process or is held by another one.
   */
  runDue(limit = 100): Promise<number> {
    const pass = this.passes.then(() => this.pass(limit));
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async pass(limit: number): Promise<number> {
    const now = this.clock.now();
    const due = await this.jobs.due(now, limit, [...this.handlers.keys()]);
    let ran = 0;
    for (const job of due) {
      if (this.halting) break;
      if (!(await this.jobs.claim(job, now, this.leaseMs))) continue;
      const attempts = job.attempts + 1;
      const handler = this.handlers.get(job.kind);
      const lease: JobLease = {
        renew: () => this.jobs.renew(job, attempts, this.clock.now() + this.leaseMs),
        stopping: () => this.halting,
      };
      let payload: unknown;
      try {
        payload = JSON.parse(job.payload) as unknown;
        await handler!(payload, job, lease);
        await this.jobs.finish(job, attempts, this.clock.now());
        ran++;
      } catch (err) {
        if (err instanceof JobInterrupted) {
          await this.jobs.release(job, attempts, this.clock.now());
          continue;
        }
        const retryAt = attempts >= this.maxAttempts ? undefined : this.clock.now() + Math.min(3600_000, 1000 * 2 ** attempts);
        const message = (err as Error).message ?? String(err);
        this.logger.warn({ err, job: job.id, kind: job.kind, attempts }, retryAt ? 'job failed; will retry' : 'job failed for good');
        const recorded = await this.jobs.fail(job, attempts, message, retryAt, this.clock.now());
        // Only the attempt that still held the job may give up on it: another process may run it now.
        if (recorded && retryAt === undefined) await this.giveUps.get(job.kind)?.(payload, message);
      }
    }
    return ran;
  }
}
