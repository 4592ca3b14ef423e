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

/**
 * Sends due deliveries. One lane per app, across all processes; within it, a meeting's deliveries go
 * out one at a time in outbox order, so an app sees each meeting's events in the order they happened
 * unless a failed one is waiting for its retry (later events do not wait behind it: docs/decisions.md),
 * and up to `concurrency` meetings are in flight at once. Different apps are independent lanes, so a
 * slow receiver only delays itself.
 */
export class EventDispatcher {
  private timer: NodeJS.Timeout | undefined;
  /** app_id → the lane sending that app's deliveries now */
  private readonly lanes = new Map<string, Promise<void>>();
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly clock: { now(): number };

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
      // than MIN_GAP_MS after this round, so a stream of commits for an app whose lane is busy does not
      // turn into a stream of empty claims. Idle: wait for the poll interval.
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
   * Claims what is due for apps not already being served and starts a lane per app; returns how many
   * deliveries it claimed. Lanes run on their own: a receiver that hangs until the timeout holds up its
   * own app only, never the next round or other apps.
   */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.repos.deliveries.claimDue(now, this.opts.batch, this.leaseMs, [...this.lanes.keys()]);
    const byApp = groupBy(claimed, (d) => d.app_id);
    for (const [appId, lane] of byApp) {
      const run = this.runLane(appId, lane)
        .catch((err: unknown) => this.logger.warn({ err, app_id: appId }, 'event delivery lane failed'))
        .finally(() => {
          this.lanes.delete(appId);
          // The app's later events were held back while this lane had claims: look for them now.
          this.nudge();
        });
      this.lanes.set(appId, run);
    }
    return claimed.length;
  }

  /**
   * A claim lasts three send timeouts and is renewed every timeout while the lane works, so a lane of
   * hanging receivers keeps its claims, and a process killed mid-lane frees them within seconds.
   */
  private get leaseMs(): number {
    return 3 * this.opts.timeoutMs + 1000;
  }

  /**
   * Sends one app's claimed deliveries: those of one meeting one after another in outbox order, up to
   * `concurrency` meetings at once (events without a meeting count as one stream). Results are written
   * in batches; claims not yet written are kept alive.
   */
  private async runLane(appId: string, lane: DeliveryRow[]): Promise<void> {
    const [app, settings, rows] = await Promise.all([this.repos.apps.find(appId), this.repos.apps.eventSettings(appId), this.repos.outbox.bySeqs(lane.map((d) => d.outbox_seq))]);
    const streams = groupBy(lane, (d) => rows.get(d.outbox_seq)?.meeting_id ?? '');
    const unrecorded = new Set(lane.map((d) => d.id));
    const renew = setInterval(() => {
      void this.repos.deliveries.renewLease([...unrecorded], this.clock.now() + this.leaseMs).catch((err: unknown) => this.logger.warn({ err, app_id: appId }, 'lease renewal failed'));
    }, this.opts.timeoutMs);
    renew.unref();
    let done: Awaited<ReturnType<typeof this.send>>[] = [];
    // Writes are chained, so batches land one after another whichever stream fills them.
    let writing = Promise.resolve();
    const flush = () => {
      const batch = done;
      done = [];
      writing = writing.then(async () => {
        await this.repos.deliveries.record(batch);
        for (const r of batch) unrecorded.delete(r.d.id);
      });
      return writing;
    };
    try {
      const queue = [...streams.values()];
      const worker = async () => {
        for (let stream = queue.shift(); stream; stream = queue.shift()) {
          for (const d of stream) {
            // Sent first, then pushed: `done.push(await …)` would hold on to an array another stream may
            // have flushed meanwhile, and the result would never be recorded.
            const result = await this.send(d, rows.get(d.outbox_seq), app, settings);
            done.push(result);
            if (done.length >= 50) await flush();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, worker));
      await flush();
    } finally {
      clearInterval(renew);
    }
  }

  /** Waits for the lanes in flight (tests and shutdown). */
  async drain(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()]);
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
