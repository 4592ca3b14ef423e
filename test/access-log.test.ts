import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { directAccessLog } from '../src/http/access-log.js';

/** The templated access line must stay the line pino writes for the same fields (log shippers parse it). */
describe('access line', () => {
  const clock = { now: () => 1_796_600_000_123 };
  const viaPino = (fields: Record<string, unknown>) => {
    let out = '';
    pino({ level: 'info', base: { service: 'openvc' }, timestamp: () => `,"time":${clock.now()}` }, { write: (s: string) => (out += s) }).info(fields, 'request');
    return out;
  };
  const direct = (f: Parameters<ReturnType<typeof directAccessLog>['write']>[0], enabled = true) => {
    let out = '';
    directAccessLog(enabled, 'openvc', { write: (s: string) => (out += s) }, clock).write(f);
    return out;
  };

  it('is byte for byte what pino writes, with and without an app id, with characters that need escaping', () => {
    for (const f of [
      { logId: '20261207021500ABCDEF0123456789ABCDEF', method: 'GET', url: '/open-apis/contact/v3/users/:user_id', status: 200, ms: 1.3, appId: 'cli_a1b2' },
      { logId: '20261207021500ABCDEF0123456789ABCDEF', method: 'POST', url: 'unmatched', status: 404, ms: 0, appId: undefined },
      { logId: 'X', method: 'GET', url: '/a/"quoted"\\path/\u2028', status: 500, ms: 12345.6, appId: 'app "x"' },
    ]) {
      const line = direct(f);
      expect(line).toBe(viaPino({ log_id: f.logId, method: f.method, url: f.url, status: f.status, ms: f.ms, app_id: f.appId }));
      expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'request', log_id: f.logId, status: f.status });
    }
  });

  it('writes nothing when info is not enabled', () => {
    expect(direct({ logId: 'X', method: 'GET', url: '/', status: 200, ms: 1, appId: undefined }, false)).toBe('');
  });
});
