import type { Metric, MetricObjectWithValues, MetricValue, MetricValueWithName, Registry } from 'prom-client';

/** The latency buckets of `openvc_http_request_duration_seconds`, in seconds. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  method: string;
  route: string;
  /** answers by status code */
  byStatus: Map<number, number>;
  /** per bucket (not cumulative), the last one for above every bound */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * The HTTP request counter and latency histogram, counted into plain numbers per route and exposed to
 * prom-client's registry as two ordinary metrics (the same names, types, labels and text format as its
 * Counter and Histogram). prom-client hashes the label values of every observation, even through a
 * series' child; here a finished request costs two map lookups and three additions, and the labels are
 * formatted only when scraped.
 */
export class RequestMetrics {
  private readonly series = new Map<string, Series>();

  constructor(registry: Registry) {
    const counter = {
      name: 'openvc_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      type: 'counter' as const,
      aggregator: 'sum' as const,
    };
    const histogram = {
      name: 'openvc_http_request_duration_seconds',
      help: 'Time from request to response, by method and route pattern',
      type: 'histogram' as const,
      aggregator: 'sum' as const,
    };
    // What the registry asks of a metric: its name, get() for a scrape, reset() for Registry.resetMetrics().
    const metric = (m: typeof counter | typeof histogram, values: () => MetricValue<string>[]) =>
      ({ ...m, get: async () => ({ ...m, values: values() }) as unknown as MetricObjectWithValues<MetricValue<string>>, reset: () => this.series.clear() }) as unknown as Metric;
    registry.registerMetric(metric(counter, () => this.counterValues()));
    registry.registerMetric(metric(histogram, () => this.histogramValues(histogram.name)));
  }

  /** One finished request; `ms` its duration in milliseconds. */
  observe(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { method, route, byStatus: new Map(), buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }));
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    const seconds = ms / 1000;
    let b = 0;
    while (b < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[b]!) b++;
    s.buckets[b]!++;
    s.sum += seconds;
    s.count++;
  }

  private counterValues(): MetricValue<string>[] {
    const values: MetricValue<string>[] = [];
    for (const s of this.series.values()) for (const [status, n] of s.byStatus) values.push({ labels: { method: s.method, route: s.route, status: String(status) }, value: n });
    return values;
  }

  /** As prom-client's Histogram gives them: `le` as the value's label, the series' labels as shared ones. */
  private histogramValues(name: string): MetricValueWithName<string>[] {
    type Value = MetricValueWithName<string> & { sharedLabels: Record<string, string> };
    const values: Value[] = [];
    for (const s of this.series.values()) {
      const sharedLabels = { method: s.method, route: s.route };
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: s.count, metricName: `${name}_bucket` });
      values.push({ labels: {}, sharedLabels, value: s.sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels, value: s.count, metricName: `${name}_count` });
    }
    return values;
  }
}
