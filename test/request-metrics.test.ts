import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, RequestMetrics } from '../src/app/request-metrics.js';

/** The request metrics are counted by hand; scraped, they must read exactly as prom-client's own would. */
describe('request metrics', () => {
  it('scrape to the same text as a prom-client Counter and Histogram given the same requests', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    for (const r of [ours, theirs]) r.setDefaultLabels({ service: 'openvc' });
    const metrics = new RequestMetrics(ours);
    const requests = new Counter({ name: 'openvc_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [theirs] });
    const duration = new Histogram({ name: 'openvc_http_request_duration_seconds', help: 'Time from request to response, by method and route pattern', labelNames: ['method', 'route'], buckets: DURATION_BUCKETS, registers: [theirs] });
    const seen: [string, string, number, number][] = [
      ['GET', '/open-apis/contact/v3/users/:user_id', 200, 0.4],
      ['GET', '/open-apis/contact/v3/users/:user_id', 200, 1],
      ['GET', '/open-apis/contact/v3/users/:user_id', 404, 2.5],
      ['POST', '/open-apis/vc/v1/reserves/apply', 200, 37.2],
      ['GET', 'unmatched', 404, 0],
      ['GET', '/open-apis/vc/v1/meetings/:meeting_id', 500, 12_000],
    ];
    for (const [method, route, status, ms] of seen) {
      metrics.observe(method, route, status, ms);
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, ms / 1000);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('openvc_http_request_duration_seconds_bucket{le="0.001",service="openvc",method="GET",route="/open-apis/contact/v3/users/:user_id"} 2');
    ours.resetMetrics();
    expect(await ours.metrics()).not.toContain('users/:user_id');
  });
});
