import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories/index.js';
import type { DeliveryOutcome, DeliveryRow } from '../store/repositories/delivery.repository.js';
import type { OutboxRow } from '../store/repositories/outbox.repository.js';
import type { App } from '../store/repositories/app.repository.js';
import type { AppEventSettingsTable } from '../store/schema.js';
import type { Selectable } from 'kysely';
import { deliveryTarget, eventRequest, postWebhook } from './webhook-request.js';

/** Items by key, each group in the items' order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(keyOf(item));
    if (group) group.push(item);
    else groups.set(keyOf(item), [item]);
  }
  return groups;
}

/** Results written per statement batch at most, and the longest a result waits to be written. */
const RECORD_BATCH = 50;
const RECORD_WAIT_MS = 50;

/** The shortest wait between two claim rounds that were asked for by nudges rather than by claimed work. */
const MIN_GAP_MS = 5;

export interface DispatcherOptions {
  /** a 2xx within this long is success (Feishu: 3 s) */
  timeoutMs: number;
  /** waits before the 2nd, 3rd … attempt (Feishu: 15 s, 5 min, 1 h, 6 h); after the last, the delivery fails */
  retryDelaysMs: number[];
  /** how often to look for due deliveries when idle */
  pollMs: number;
  /** deliveries taken per round */
  batch: number;
  /** meetings whose deliveries one app may have in flight at once (1: the app's events strictly one at a time) */
  concurrency: number;
  clock?: { now(): number };
}

/** One claimed delivery with what sending it needs, read when it was claimed. */
interface Claimed {
  d: DeliveryRow;
  row: OutboxRow | undefined;
  app: App | undefined;
  settings: Selectable<AppEventSettingsTable> | undefined;
}

type SendResult = Awaited<ReturnType<EventDispatcher['send']>>;

/**
 * One app's lane in this process: per meeting a queue of claimed deliveries, sent one after another in
 * outbox order, up to `concurrency` meetings at once. Claims made while the lane runs are fed into it,
 * so a busy app's new events wait only for their own meeting's previous one, not for a whole batch.
 * Results are written in batches; claims not yet written are kept alive.
 */
class Lane {
  /** meeting id ('' for events without one) → deliveries waiting, in outbox order */
  private readonly waiting = new Map<string, Claimed[]>();
  /** meetings a worker is sending now */
  private readonly active = new Set<string>();
  private workers = 0;
  /** claimed here and not yet recorded */
  readonly unrecorded = new Set<string>();
  private done: SendResult[] = [];
  /** Writes are chained, so batches land one after another whichever meeting fills them. */
  private writing: Promise<void> = Promise.resolve();
  private readonly renew: NodeJS.Timeout;
  private flushTimer: NodeJS.Timeout | undefined;
  private resolveFinished!: () => void;
  /** settles when the lane has nothing left to send or record; it takes no more after that */
  readonly finished = new Promise<void>((r) => (this.resolveFinished = r));

  constructor(
    private readonly appId: string,
    private readonly concurrency: number,
    private readonly send: (c: Claimed) => Promise<SendResult>,
    private readonly record: (batch: SendResult[]) => Promise<void>,
    renewLease: (ids: string[]) => Promise<void>,
    renewEveryMs: number,
    private readonly logger: Logger,
    /** called at once when the lane ends, before anything else can feed it */
    private readonly onFinished: () => void,
  ) {
    this.renew = setInterval(() => {
      void renewLease([...this.unrecorded]).catch((err: unknown) => this.logger.warn({ err, app_id: appId }, 'lease renewal failed'));
    }, renewEveryMs);
    this.renew.unref();
  }

  /** How many deliveries the lane holds (sending, waiting or unrecorded). */
  get size(): number {
    return this.unrecorded.size;
  }

  feed(items: Claimed[]): void {
    for (const c of items) {
      this.unrecorded.add(c.d.id);
      const key = c.row?.meeting_id ?? '';
      const queue = this.waiting.get(key);
      if (queue) queue.push(c);
      else this.waiting.set(key, [c]);
    }
    while (this.workers < this.concurrency && this.nextMeeting() !== undefined) {
      this.workers++;
      void this.work();
    }
  }

  /** A meeting with deliveries waiting and no worker on it. */
  private nextMeeting(): string | undefined {
    for (const key of this.waiting.keys()) if (!this.active.has(key)) return key;
    return undefined;
  }

  private async work(): Promise<void> {
    try {
      for (let key = this.nextMeeting(); key !== undefined; key = this.nextMeeting()) {
        this.active.add(key);
        try {
          // Deliveries fed while this meeting's are sent join its queue and go out after them.
          for (let queue = this.waiting.get(key); queue && queue.length > 0; queue = this.waiting.get(key)) {
            const c = queue.shift()!;
            if (queue.length === 0) this.waiting.delete(key);
            // Sent first, then pushed: `done.push(await …)` would hold on to an array a flush may have
            // replaced meanwhile, and the result would never be recorded.
            const result = await this.send(c);
            this.done.push(result);
            if (this.done.length >= RECORD_BATCH) await this.flush();
            else if (this.done.length === 1) this.flushSoon();
          }
        } finally {
          this.active.delete(key);
        }
      }
    } catch (err) {
      this.logger.warn({ err, app_id: this.appId }, 'event delivery lane failed');
    } finally {
      this.workers--;
      if (this.workers === 0) void this.close();
    }
  }

  /** Results wait at most RECORD_WAIT_MS to be written, so a slow lane's outcomes show without delay. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.done.length > 0) void this.flush().catch((err: unknown) => this.logger.warn({ err, app_id: this.appId }, 'recording delivery results failed'));
    }, RECORD_WAIT_MS);
  }

  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.done;
    this.done = [];
    this.writing = this.writing.then(async () => {
      await this.record(batch);
      for (const r of batch) this.unrecorded.delete(r.d.id);
    });
    return this.writing;
  }

  /** The last worker stopped: write what is left; the lane ends unless something was fed meanwhile. */
  private async close(): Promise<void> {
    try {
      await this.flush();
    } catch (err) {
      this.logger.warn({ err, app_id: this.appId }, 'recording delivery results failed');
    }
    if (this.workers > 0) return;
    clearInterval(this.renew);
    this.onFinished();
    this.resolveFinished();
  }
}

/**
 * Sends due deliveries. One lane per app, across all processes; within it, a meeting's deliveries go
 * out one at a time in outbox order, so an app sees each meeting's events in the order they happened
 * unless a failed one is waiting for its retry (later events do not wait behind it: docs/decisions.md),
 * and up to `concurrency` meetings are in flight at once. Different apps are independent lanes, so a
 * slow receiver only delays itself.
 */
export class EventDispatcher {
  private timer: NodeJS.Timeout | undefined;
  /** app_id → the lane sending that app's deliveries in this process */
  private readonly lanes = new Map<string, Lane>();
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly clock: { now(): number };
  /** names this dispatcher's claims: unique per process start */
  private readonly claimer = randomBytes(8).toString('hex');

  constructor(
    private readonly repos: Repositories,
    private readonly opts: DispatcherOptions,
    private readonly logger: Logger,
  ) {
    this.clock = opts.clock ?? Date;
  }

  private again = false;
  /** when the pending timer fires (ms, process clock) */
  private dueAt = Infinity;
  private lastRoundAt = 0;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop();
  }

  private loop(): void {
    this.timer = undefined;
    this.dueAt = Infinity;
    if (this.stopped) return;
    this.again = false;
    this.lastRoundAt = performance.now();
    this.running = this.runOnce().catch((err: unknown) => {
      this.logger.warn({ err }, 'event dispatch round failed');
      return 0;
    });
    void this.running.then((claimed) => {
      this.running = undefined;
      // Claimed something: more may be due, go again at once. Nudged meanwhile: go again, but not sooner
      // than MIN_GAP_MS after this round, so a stream of commits does not turn into a stream of claims
      // of one event each. Idle: wait for the poll interval.
      this.schedule(claimed > 0 ? 0 : this.again ? MIN_GAP_MS : this.opts.pollMs);
    });
  }

  /** Runs a round in `ms` unless one is already due sooner. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = performance.now() + ms;
    if (this.timer && this.dueAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => this.loop(), ms).unref();
  }

  /** New deliveries were committed in this process, or a lane finished: look soon rather than at the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(Math.max(0, this.lastRoundAt + MIN_GAP_MS - performance.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.drain();
  }

  /**
   * Claims what is due for apps not served by another process and hands it to each app's lane here
   * (starting lanes as needed); returns how many deliveries it claimed. A lane that already holds two
   * batches is not fed more until it catches up. Lanes run on their own: a receiver that hangs until
   * the timeout holds up its own app only, never the next round or other apps.
   */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const full = [...this.lanes].filter(([, lane]) => lane.size >= 2 * this.opts.batch).map(([appId]) => appId);
    const claimed = await this.repos.deliveries.claimDue(now, this.opts.batch, this.leaseMs, this.claimer, full);
    if (claimed.length === 0) return 0;
    const byApp = groupBy(claimed, (d) => d.app_id);
    const rows = await this.repos.outbox.bySeqs(claimed.map((d) => d.outbox_seq));
    await Promise.all(
      [...byApp].map(async ([appId, deliveries]) => {
        const [app, settings] = await Promise.all([this.repos.apps.find(appId), this.repos.apps.eventSettings(appId)]);
        this.laneOf(appId).feed(deliveries.map((d) => ({ d, row: rows.get(d.outbox_seq), app, settings })));
      }),
    );
    return claimed.length;
  }

  private laneOf(appId: string): Lane {
    const running = this.lanes.get(appId);
    if (running) return running;
    const lane = new Lane(
      appId,
      this.opts.concurrency,
      (c) => this.send(c.d, c.row, c.app, c.settings),
      (batch) => this.repos.deliveries.record(batch),
      (ids) => this.repos.deliveries.renewLease(ids, this.clock.now() + this.leaseMs),
      this.opts.timeoutMs,
      this.logger,
      () => {
        this.lanes.delete(appId);
        // Events held back while the lane was full are looked for now.
        this.nudge();
      },
    );
    this.lanes.set(appId, lane);
    return lane;
  }

  /**
   * A claim lasts three send timeouts and is renewed every timeout while the lane works, so a lane of
   * hanging receivers keeps its claims, and a process killed mid-lane frees them within seconds.
   */
  private get leaseMs(): number {
    return 3 * this.opts.timeoutMs + 1000;
  }

  /** Waits for the lanes in flight (tests and shutdown). */
  async drain(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()].map((lane) => lane.finished));
  }

  private async send(d: DeliveryRow, row: OutboxRow | undefined, app: App | undefined, settings: Selectable<AppEventSettingsTable> | undefined) {
    const at = this.clock.now();
    if (!row || !app || !settings?.request_url) {
      return { d, a: { at, status: null, latencyMs: 0, error: 'the app or its request URL is gone' }, outcome: { failed: true } as const };
    }
    const result = await postWebhook(settings.request_url, eventRequest(row, deliveryTarget(app, settings), at), this.opts.timeoutMs);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const a = { at, status: result.status, latencyMs: result.latencyMs, ...(ok ? {} : { error: result.error ?? `HTTP ${result.status}` }) };
    const delay = this.opts.retryDelaysMs[d.attempts];
    const outcome: DeliveryOutcome = ok ? { delivered: true } : delay === undefined ? { failed: true } : { retryAt: this.clock.now() + delay };
    return { d, a, outcome };
  }
}
