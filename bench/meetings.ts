/**
 * Issue 3's meeting budgets, each beside the bare Fastify baseline in the same run:
 *  - GET /open-apis/vc/v1/meetings/:id?with_participants=true for a 50-person meeting (≥ 5,000 req/s, SQLite);
 *  - 200 live sessions heartbeating at once against one process (p99 ≤ 20 ms), at saturation and at a
 *    realistic one beat per second per session.
 *
 * Usage: npm run build && npx tsx bench/meetings.ts [--seconds 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/server.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';

const args = process.argv.slice(2);
const SECONDS = Number(args[args.indexOf('--seconds') + 1] ?? 10) || 10;
const USERS = 200;
const app = { app_id: 'cli_benchmeetings', app_secret: 'bench-secret-1' };

function start(cmd: string, argv: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out) ?? /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, url: m[1]!.startsWith('http') ? m[1]! : `http://127.0.0.1:${m[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

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

const server = await start(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', '--data-dir', dir, '--no-demo', '--no-rate-limit', '--log-level', 'warn', '--heartbeat-timeout', '600']);
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
function heartbeats(base: string, rate?: number): Partial<autocannon.Options> {
  let next = 0;
  return {
    connections: sessions.length,
    ...(rate ? { overallRate: rate } : {}),
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

const meetingPath = `/open-apis/vc/v1/meetings/${readMeeting}?with_participants=true`;
const rows: string[] = [];
await load(baseline.url + meetingPath, { duration: 2 });
const bGet = await load(baseline.url + meetingPath, {});
await load(server.url + meetingPath, { duration: 2, headers: { authorization: `Bearer ${tenantToken}` } });
const oGet = await load(server.url + meetingPath, { headers: { authorization: `Bearer ${tenantToken}` } });
rows.push(`| GET meeting, 50 participants | bare Fastify | ${bGet.rps} | ${bGet.p50} | ${bGet.p99} |`);
rows.push(`| GET meeting, 50 participants | openvc (SQLite) | ${oGet.rps} | ${oGet.p50} | ${oGet.p99} |`);
for (const [label, rate] of [['200 sessions, saturating', undefined], ['200 sessions, 1 beat/s each', 200]] as const) {
  const b = await load(baseline.url, heartbeats(baseline.url, rate));
  const o = await load(server.url, heartbeats(server.url, rate));
  rows.push(`| heartbeat, ${label} | bare Fastify | ${b.rps} | ${b.p50} | ${b.p99} |`);
  rows.push(`| heartbeat, ${label} | openvc (SQLite) | ${o.rps} | ${o.p50} | ${o.p99} |`);
}
server.child.kill();
baseline.child.kill();
rmSync(dir, { recursive: true, force: true });

console.log(`\n${SECONDS}s per step; node ${process.version}\n`);
console.log('| workload | target | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exit(0);
