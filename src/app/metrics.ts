import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { RequestMetrics } from './request-metrics.js';

/** Quantiles of a list (sorted copy); undefined when empty. */
function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Counts one finished request (called from the server's one response hook). */
export type RequestObserver = (method: string, route: string, status: number, ms: number) => void;

/**
 * Prometheus metrics at `/metrics` (issue 16): HTTP by route and status, event delivery backlog and lag,
 * job queues, live meetings and participants (store-wide) and the media this process carries (per node),
 * client-reported WebRTC bitrate, loss, jitter and RTT, the PostgreSQL pool, and Node's own process
 * metrics. Store-wide values are read once per scrape; HTTP metrics are counted as requests finish.
 * docs/operations.md "Metrics" lists them; docs/grafana-dashboard.json draws them.
 */
export function metricsRoutes(app: FastifyInstance, ctx: AppContext): RequestObserver | undefined {
  if (!ctx.config.metrics) return undefined;
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'openvc' });
  collectDefaultMetrics({ register: registry, prefix: 'openvc_' });

  const http = new RequestMetrics(registry);
  // The route pattern, never the raw URL: IDs in paths would make a series per meeting.
  const observe: RequestObserver = (method, route, status, ms) => {
    if (route !== '/metrics') http.observe(method, route, status, ms);
  };

  const repo = ctx.repos.metrics;
  // prom-client collects every metric of a scrape at once, so gauges that share one read each await the
  // same promise (one per scrape) rather than one gauge setting another's value too late.
  let scrape = 0;
  const shared = <T>(read: () => Promise<T>) => {
    let of = -1;
    let value: Promise<T> | undefined;
    return () => {
      if (!value || of !== scrape) {
        of = scrape;
        value = read();
      }
      return value;
    };
  };
  const backlog = shared(() => repo.deliveryBacklog());
  const jobs = shared(() => repo.openJobs());
  const live = shared(() => repo.liveMeetings());
  const readings = shared(() => repo.recentQuality(Math.floor(Date.now() / 1000) - 180));
  const gauge = (name: string, help: string, collect: (g: Gauge) => Promise<void> | void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await collect(this);
      },
    });

  gauge('openvc_event_delivery_backlog', 'Event deliveries waiting to be sent (pending), all apps', async (g) => g.set((await backlog()).pending));
  gauge('openvc_event_delivery_lag_seconds', 'Age of the oldest event delivery still pending (0 when none)', async (g) => {
    const oldest = (await backlog()).oldestCreatedAt;
    g.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
  });
  gauge('openvc_event_deliveries_failed', 'Event deliveries that gave up after their retries', async (g) => g.set(await repo.failedDeliveries()));
  gauge(
    'openvc_jobs',
    'Durable jobs not finished, by kind and status (pending, running)',
    async (g) => {
      g.reset();
      for (const j of await jobs()) g.set({ kind: j.kind, status: j.status }, j.n);
    },
    ['kind', 'status'],
  );
  gauge(
    'openvc_jobs_overdue_seconds',
    'How long the most overdue pending job of each kind has waited past its run time',
    async (g) => {
      g.reset();
      const now = Date.now();
      for (const j of await jobs()) if (j.status === 'pending') g.set({ kind: j.kind }, Math.max(0, (now - j.oldestRunAt) / 1000));
    },
    ['kind'],
  );
  gauge('openvc_meetings_live', 'Meetings in progress (store-wide)', async (g) => g.set((await live()).meetings));
  gauge('openvc_participants_live', 'Participants in meetings in progress (store-wide)', async (g) => g.set((await live()).participants));
  gauge('openvc_media_meetings', 'Meetings whose media this process carries (this node)', (g) => g.set(ctx.media.stats().rooms));
  gauge('openvc_media_peers', 'WebRTC peers connected to this node', (g) => g.set(ctx.media.stats().peers));
  gauge('openvc_media_published_tracks', 'Tracks published to this node', (g) => g.set(ctx.media.stats().publications));
  gauge('openvc_media_forwarded_streams', 'Streams this node forwards to receivers', (g) => g.set(ctx.media.stats().forwarded));

  gauge('openvc_client_quality_samples', 'Quality samples clients sent for the last 3 minutes', async (g) => g.set((await readings()).length));
  gauge(
    'openvc_client_quality',
    'Client-reported WebRTC quality over the last 3 minutes of samples: p50/p95 of bitrate_kbps, packet_loss (0..1), jitter_ms, rtt_ms',
    async (g) => {
      const rs = await readings();
      g.reset();
      const measures: [string, number[]][] = [
        ['bitrate_kbps', rs.flatMap((r) => (r.bitrateKbps === undefined ? [] : [r.bitrateKbps]))],
        ['packet_loss', rs.flatMap((r) => (r.packetLoss === undefined ? [] : [r.packetLoss]))],
        ['jitter_ms', rs.flatMap((r) => (r.jitterMs === undefined ? [] : [r.jitterMs]))],
        ['rtt_ms', rs.flatMap((r) => (r.rttMs === undefined ? [] : [r.rttMs]))],
      ];
      for (const [measure, values] of measures) {
        for (const q of [0.5, 0.95]) {
          const v = quantile(values, q);
          if (v !== undefined) g.set({ measure, quantile: String(q) }, v);
        }
      }
    },
    ['measure', 'quantile'],
  );

  const pool = ctx.store.poolStats;
  if (pool) {
    new Gauge({
      name: 'openvc_db_pool_connections',
      help: 'PostgreSQL pool of this process: connections by state (total, idle, in_use), callers waiting, and the pool size',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const p = pool();
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'in_use' }, p.total - p.idle);
        this.set({ state: 'waiting' }, p.waiting);
        this.set({ state: 'max' }, p.max);
      },
    });
  }

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    scrape++;
    const text = await registry.metrics();
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(text);
  });
  return observe;
}
