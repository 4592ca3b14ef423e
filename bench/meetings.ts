/**
 * Issue 3's meeting budgets, each beside the bare Fastify baseline in the same run:
 *  - GET /open-apis/vc/v1/meetings/:id?with_participants=true for a 50-person meeting (≥ 5,000 req/s, SQLite);
 *  - 200 live sessions heartbeating at once against one process (p99 ≤ 20 ms): at saturation, and paced
 *    (every session beating once per second, and ten times per second), phases spread like real clients.
 *
 * Usage: npm run build && npx tsx bench/meetings.ts [--seconds 10]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import http from 'node:http';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';
import { SECONDS, startChild as start } from './harness.js';

const USERS = 200;
const app = { app_id: 'cli_benchmeetings', app_secret: 'bench-secret-1' };

const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-meetings-'));
const seed: Seed = {
  tenants: [
    {
      tenant_key: 'bench',
      name: 'Bench',
      users: Array.from({ length: USERS }, (_, i) => ({ user_id: `u${String(i).padStart(3, '0')}`, name: `User ${i}` })),
      apps: [{ ...app, name: 'bench', scopes: allScopes() }],
    },
  ],
};
writeFileSync(join(dir, 'seed.json'), JSON.stringify(seed));

// Tokens straight from the store (the server shares it): one user token per user.
const rt = await openRuntime(resolveConfig({ dataDir: dir, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
await rt.repos.directory.applySeed(seed);
const a = (await rt.repos.apps.find(app.app_id))!;
const userTokens: string[] = [];
for (let i = 0; i < USERS; i++) userTokens.push((await rt.tokens.issueUserTokens(a, `u${String(i).padStart(3, '0')}`, a.scopes, 'v1', Date.now())).accessToken);
const tenantToken = (await rt.tokens.tenantToken(a)).token;
await rt.store.close();

// BENCH_PROFILE=DIR writes a CPU profile of the server there.
const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
const server = await start(process.execPath, [...profile, 'dist/cli/index.js', 'serve', '--port', '0', '--data-dir', dir, '--no-demo', '--no-rate-limit', '--log-level', 'warn', '--heartbeat-timeout', '600']);
const baseline = await start(process.execPath, ['bench/baseline-server.mjs']);

const post = async (token: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const json = (await res.json()) as { code: number; data: { session_id: string; meeting: { id: string; meeting_no: string } } };
  if (json.code !== 0) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json.data;
};

// Four meetings of 50: the first is the one read; all 200 sessions heartbeat.
const sessions: { token: string; id: string }[] = [];
let readMeeting = '';
for (let m = 0; m < 4; m++) {
  const host = await post(userTokens[m * 50]!, '/client/v1/meetings', { topic: `Bench ${m}` });
  if (m === 0) readMeeting = host.meeting.id;
  sessions.push({ token: userTokens[m * 50]!, id: host.session_id });
  for (let i = 1; i < 50; i++) {
    const joined = await post(userTokens[m * 50 + i]!, '/client/v1/meetings/join', { meeting_no: host.meeting.meeting_no });
    sessions.push({ token: userTokens[m * 50 + i]!, id: joined.session_id });
  }
}

async function load(url: string, opts: Partial<autocannon.Options>) {
  const r = await autocannon({ url, connections: 32, duration: SECONDS, ...opts });
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 };
}

/** 200 connections, each bound to one session. */
function heartbeats(base: string): Partial<autocannon.Options> {
  let next = 0;
  return {
    connections: sessions.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any, context: any) => {
          if (context.s === undefined) context.s = sessions[next++ % sessions.length];
          return { ...req, path: `/client/v1/sessions/${context.s.id}/heartbeat`, headers: { authorization: `Bearer ${context.s.token}` } };
        },
      },
    ],
    url: base,
  } as Partial<autocannon.Options>;
}

/**
 * Each of the 200 sessions beats every `everyMs`, phases spread evenly (as real clients do), each on its
 * own keep-alive connection; latency is measured per request.
 */
async function paced(base: string, everyMs: number) {
  const url = new URL(base);
  const lat: number[] = [];
  const until = Date.now() + SECONDS * 1000;
  const beat = (agent: http.Agent, sess: { token: string; id: string }) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method: 'POST', path: `/client/v1/sessions/${sess.id}/heartbeat`, agent, headers: { authorization: `Bearer ${sess.token}` } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`heartbeat ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    sessions.map(async (sess, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await new Promise((r) => setTimeout(r, (everyMs * i) / sessions.length));
      for (let next = Date.now(); Date.now() < until; ) {
        const t0 = performance.now();
        await beat(agent, sess);
        lat.push(performance.now() - t0);
        next += everyMs;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
      agent.destroy();
    }),
  );
  lat.sort((a, b) => a - b);
  const q = (f: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(f * lat.length))]! * 10) / 10;
  return { rps: Math.round(lat.length / SECONDS), p50: q(0.5), p99: q(0.99) };
}

const meetingPath = `/open-apis/vc/v1/meetings/${readMeeting}?with_participants=true`;
const rows: string[] = [];
await load(baseline.url + meetingPath, { duration: 2 });
const bGet = await load(baseline.url + meetingPath, {});
await load(server.url + meetingPath, { duration: 2, headers: { authorization: `Bearer ${tenantToken}` } });
const oGet = await load(server.url + meetingPath, { headers: { authorization: `Bearer ${tenantToken}` } });
rows.push(`| GET meeting, 50 participants | bare Fastify | ${bGet.rps} | ${bGet.p50} | ${bGet.p99} |`);
rows.push(`| GET meeting, 50 participants | openvc (SQLite) | ${oGet.rps} | ${oGet.p50} | ${oGet.p99} |`);
{
  const b = await load(baseline.url, heartbeats(baseline.url));
  const o = await load(server.url, heartbeats(server.url));
  rows.push(`| heartbeat, 200 sessions, saturating | bare Fastify | ${b.rps} | ${b.p50} | ${b.p99} |`);
  rows.push(`| heartbeat, 200 sessions, saturating | openvc (SQLite) | ${o.rps} | ${o.p50} | ${o.p99} |`);
}
for (const everyMs of [1000, 100]) {
  const b = await paced(baseline.url, everyMs);
  const o = await paced(server.url, everyMs);
  rows.push(`| heartbeat, 200 sessions, one beat each per ${everyMs} ms | bare Fastify | ${b.rps} | ${b.p50} | ${b.p99} |`);
  rows.push(`| heartbeat, 200 sessions, one beat each per ${everyMs} ms | openvc (SQLite) | ${o.rps} | ${o.p50} | ${o.p99} |`);
}
server.child.kill();
baseline.child.kill();
rmSync(dir, { recursive: true, force: true });

console.log(`\n${SECONDS}s per step; node ${process.version}\n`);
console.log('| workload | target | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exit(0);
