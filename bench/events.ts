/**
 * Issue 4's latency budget: state change → receiver gets the event, p99 ≤ 100 ms at 500 events/s.
 * Participants of reserved meetings join and leave at a paced rate (each join and leave is one
 * vc.meeting.* event); a local receiver notes when each event arrives, against the event's create_time.
 * The baseline is the same receiver hit directly by this process at the same rate.
 *
 * Usage: npm run build && npx tsx bench/events.ts [--seconds 10] [--rate 500]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/server.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';
import { SECONDS, opt, startChild } from './harness.js';

const RATE = Number(opt('rate', '500'));
const USERS = 100;
const app = { app_id: 'cli_benchevents01', app_secret: 'bench-secret-1' };

const latencies: number[] = [];
let received = 0;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const created = Number((JSON.parse(body) as { header?: { create_time?: string } }).header?.create_time);
    if (created) latencies.push(Date.now() - created);
    received++;
    res.end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const rxUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;

const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-events-'));
const seed: Seed = {
  tenants: [
    {
      tenant_key: 'bench',
      name: 'Bench',
      users: Array.from({ length: USERS }, (_, i) => ({ user_id: `u${i}`, name: `User ${i}` })),
      apps: [{ ...app, name: 'bench', scopes: allScopes(), events: { request_url: rxUrl, verification_token: 'vt', subscribe: ['vc.meeting.join_meeting_v1', 'vc.meeting.leave_meeting_v1'] } }],
    },
  ],
};
writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));
const rt = await openRuntime(resolveConfig({ dataDir: dir, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
await rt.repos.directory.applySeed(seed);
const a = (await rt.repos.apps.find(app.app_id))!;
const tokens: string[] = [];
for (let i = 0; i < USERS; i++) tokens.push((await rt.tokens.issueUserTokens(a, `u${i}`, a.scopes, 'v1', Date.now())).accessToken);
const tenantToken = (await rt.tokens.tenantToken(a)).token;
await rt.store.close();

const server = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', '--data-dir', dir, '--no-demo', '--no-rate-limit', '--log-level', 'warn', '--heartbeat-timeout', '600', '--empty-meeting-grace', '600']);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const post = (path: string, token: string, body: unknown) =>
  new Promise<{ code: number; data: any }>((resolve, reject) => {
    const url = new URL(server.url + path);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text) as { code: number; data: any }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });

// One reserved meeting, started by u0 (who stays); the others join and leave in turn.
const reserve = await post('/open-apis/vc/v1/reserves/apply?user_id_type=user_id', tenantToken, { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'u0', meeting_settings: { topic: 'Bench', password: '' } });
const no = reserve.data.reserve.meeting_no as string;
await post('/client/v1/meetings/join', tokens[0]!, { meeting_no: no });
await new Promise((r) => setTimeout(r, 500));
latencies.length = 0;
received = 0;

const sessions = new Map<number, string>();
const started = Date.now();
let produced = 0;
let next = started;
let i = 0;
while (Date.now() - started < SECONDS * 1000) {
  const user = 1 + (i++ % (USERS - 1));
  const session = sessions.get(user);
  if (session) {
    sessions.delete(user);
    void post(`/client/v1/sessions/${session}/leave`, tokens[user]!, {});
  } else {
    void post('/client/v1/meetings/join', tokens[user]!, { meeting_no: no }).then((r) => r.code === 0 && sessions.set(user, r.data.session_id));
  }
  produced++;
  next += 1000 / RATE;
  const wait = next - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await new Promise((r) => setTimeout(r, 2000));
const sorted = [...latencies].sort((x, y) => x - y);
const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] ?? NaN;
console.log(`\n${SECONDS}s at ${RATE} state changes/s; node ${process.version}\n`);
console.log('| target | events/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|');
console.log(`| state change → receiver (SQLite) | ${Math.round(received / SECONDS)} | ${q(0.5)} | ${q(0.99)} | ${sorted.at(-1)} |`);
console.log(`\n${produced} state changes sent, ${received} events received`);
server.child.kill();
receiver.close();
agent.destroy();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
