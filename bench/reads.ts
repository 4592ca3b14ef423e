/**
 * Issue 19's read budgets: contact.user.get, meeting.get, room.get, room.list and roomLevel.list with a
 * tenant token, each beside a forked bare Fastify route answering the same JSON body, in the same run:
 * saturating requests/s (50 connections) and the ratio to the baseline (the median of --rounds alternations), then p99 at half of openvc's
 * saturating load, and each server's CPU time per request (from /proc, Linux) at saturation and at a
 * fixed rate (--paced, 1,000/s; less the process's idle CPU). On SQLite and on PostgreSQL, openvc with its default logging (info, JSON lines on
 * stdout, drained here) unless --log-level is given.
 *
 * Usage: npm run build && npx tsx bench/reads.ts [--seconds 10] [--pg postgres://…] [--only sqlite|postgres]
 *        [--log-level warn] [--reads contact.user.get,room.get] [--paced 1000] [--rounds 3]
 * BENCH_PROFILE=DIR writes a CPU profile of each openvc server there (--cpu-prof).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import { fixture, fixtureSeed } from '../test/helpers/fixture.js';
import { SECONDS, cpuMs, load, opt, pgSchema, startChild, type Load } from './harness.js';

const CONNECTIONS = 50;
const PACED_RPS = Number(opt('paced', '1000'));
const only = opt('only', '');
const logLevel = opt('log-level', '');
const wanted = opt('reads', '').split(',').filter(Boolean);
const ROUNDS = Number(opt('rounds', '3'));

interface Read {
  name: string;
  path: string;
}

/** Seeds the store, starts openvc over it, and fills it through the API with what the reads read. */
async function target(label: string, store: { dataDir: string; databaseUrl?: string }) {
  const rt = await openRuntime(resolveConfig({ dataDir: store.dataDir, databaseUrl: store.databaseUrl, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  await rt.repos.directory.applySeed(fixtureSeed());
  const app = (await rt.repos.apps.find(fixture.acme.full.appId))!;
  const userTokens = [];
  for (const u of ['alice', 'bob', ...Array.from({ length: 8 }, (_, i) => `member${String(i).padStart(2, '0')}`)]) userTokens.push((await rt.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken);
  const tenant = (await rt.tokens.tenantToken(app)).token;
  await rt.store.close();

  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const args = [...profile, 'dist/cli/index.js', 'serve', '--port', '0', '--data-dir', store.dataDir, '--no-demo', '--no-rate-limit', '--heartbeat-timeout', '600'];
  if (store.databaseUrl) args.push('--database-url', store.databaseUrl);
  if (logLevel) args.push('--log-level', logLevel);
  const server = await startChild(process.execPath, args);

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.json()) as { code: number; data: Record<string, any> };
    if (json.code !== 0) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json.data;
  };
  // A campus of ten floors, ten rooms on the first floor; a meeting of ten.
  const campus = (await call(tenant, 'POST', '/open-apis/vc/v1/room_levels', { name: 'Campus', parent_id: '0' })).room_level.room_level_id as string;
  const floors: string[] = [];
  for (let f = 0; f < 10; f++) floors.push((await call(tenant, 'POST', '/open-apis/vc/v1/room_levels', { name: `Floor ${f}`, parent_id: campus })).room_level.room_level_id);
  const rooms: string[] = [];
  for (let r = 0; r < 10; r++) rooms.push((await call(tenant, 'POST', '/open-apis/vc/v1/rooms', { name: `Room ${r}`, capacity: 4 + r, room_level_id: floors[0], device: [{ name: 'TV' }] })).room.room_id);
  const host = await call(userTokens[0]!, 'POST', '/client/v1/meetings', { topic: 'Bench reads' });
  for (const t of userTokens.slice(1)) await call(t, 'POST', '/client/v1/meetings/join', { meeting_no: host.meeting.meeting_no });

  const reads: Read[] = [
    { name: 'contact.user.get', path: '/open-apis/contact/v3/users/alice?user_id_type=user_id' },
    { name: 'meeting.get', path: `/open-apis/vc/v1/meetings/${host.meeting.id}?with_participants=true` },
    { name: 'room.get', path: `/open-apis/vc/v1/rooms/${rooms[0]}` },
    { name: 'room.list', path: `/open-apis/vc/v1/rooms?room_level_id=${floors[0]}` },
    { name: 'roomLevel.list', path: `/open-apis/vc/v1/room_levels?room_level_id=${campus}` },
  ].filter((r) => wanted.length === 0 || wanted.includes(r.name));
  const bodies: Record<string, unknown> = {};
  for (const r of reads) bodies[r.path.split('?')[0]!] = await (await fetch(server.url + r.path, { headers: { authorization: `Bearer ${tenant}` } })).json();
  return { label, server, tenant, reads, bodies };
}

const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-reads-'));
const stores: { label: string; dataDir: string; databaseUrl?: string }[] = [];
const pgStore = only === 'sqlite' ? undefined : await pgSchema('reads');
if (only !== 'postgres') stores.push({ label: 'SQLite', dataDir: join(dir, 'sqlite') });
if (pgStore) stores.push({ label: 'PostgreSQL', dataDir: join(dir, 'pg'), databaseUrl: pgStore.url });

const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);
const load1 = () => loadavg()[0]!.toFixed(2);

for (const store of stores) {
  const t = await target(store.label, store);
  const payloads = join(dir, `${store.label}-payloads.json`);
  writeFileSync(payloads, JSON.stringify(t.bodies));
  const baseline = await startChild(process.execPath, ['bench/read-baseline.mjs'], { PAYLOADS: payloads });
  const headers = { authorization: `Bearer ${t.tenant}` };
  for (const r of t.reads) {
    // Warm both, then alternate them so that both see the same neighbours on the machine.
    await load(baseline.url + r.path, { connections: CONNECTIONS, duration: 2 });
    await load(t.server.url + r.path, { connections: CONNECTIONS, duration: 2, headers });
    // Saturation, alternated ROUNDS times (baseline, openvc, baseline, …): the machine's speed drifts by
    // tens of percent between runs, so each round's ratio is of neighbours, and the median round is kept.
    const runs: { base: Load; sat: Load; baseCpu: number; satCpu: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let cpu = cpuMs(baseline.child.pid!);
      const base = await load(baseline.url + r.path, { connections: CONNECTIONS });
      const baseCpu = (1000 * (cpuMs(baseline.child.pid!) - cpu)) / base.ok;
      cpu = cpuMs(t.server.child.pid!);
      const sat = await load(t.server.url + r.path, { connections: CONNECTIONS, headers });
      const satCpu = (1000 * (cpuMs(t.server.child.pid!) - cpu)) / sat.ok;
      if (sat.non2xx || sat.errors) throw new Error(`${store.label} ${r.name}: ${sat.non2xx} non-2xx, ${sat.errors} errors`);
      runs.push({ base, sat, baseCpu, satCpu });
    }
    const ratios = runs.map((x) => x.sat.rps / x.base.rps);
    const { base, sat, baseCpu, satCpu } = runs.map((x, i) => ({ ...x, ratio: ratios[i]! })).sort((a, b) => a.ratio - b.ratio)[Math.floor(runs.length / 2)]!;
    const half = await load(t.server.url + r.path, { connections: 8, overallRate: Math.max(1, Math.floor(sat.rps / 2)), headers });
    // CPU per request at one fixed rate for both, less bent by how busy the machine is than at saturation;
    // what the process spends idle (openvc's job runners, event dispatcher and checkpointer poll) is
    // measured over the 3 s before and taken off.
    const paced = async (url: string, pid: number, h?: Record<string, string>) => {
      const idleFrom = cpuMs(pid);
      await new Promise((r) => setTimeout(r, 3000));
      const idlePerS = (cpuMs(pid) - idleFrom) / 3;
      const before = cpuMs(pid);
      const started = performance.now();
      const l = await load(url, { connections: 8, overallRate: PACED_RPS, ...(h ? { headers: h } : {}) });
      const spent = cpuMs(pid) - before - (idlePerS * (performance.now() - started)) / 1000;
      return (1000 * spent) / l.ok;
    };
    const baseFixed = await paced(baseline.url + r.path, baseline.child.pid!);
    const fixed = await paced(t.server.url + r.path, t.server.child.pid!, headers);
    row(store.label, r.name, base.rps, sat.rps, `${Math.round((100 * sat.rps) / base.rps)}%`, ratios.map((x) => `${Math.round(100 * x)}%`).join(' '), Math.round(baseCpu), Math.round(satCpu), Math.round(baseFixed), Math.round(fixed), sat.p99, half.rps, half.p50, half.p99, load1());
  }
  baseline.child.kill();
  t.server.child.kill('SIGINT');
}
await pgStore?.drop();
rmSync(dir, { recursive: true, force: true });

console.log(`\n${SECONDS} s per run, ${ROUNDS} alternated rounds, ${CONNECTIONS} connections; openvc log level: ${logLevel || 'default (info)'}; rate limits off\n`);
console.log(`| store | read | bare Fastify req/s | openvc req/s | ratio (median round) | ratio of each round | CPU µs/req bare | CPU µs/req openvc | CPU µs/req bare at ${PACED_RPS}/s | CPU µs/req openvc at ${PACED_RPS}/s | openvc p99 at saturation (ms) | half-load req/s | half-load p50 (ms) | half-load p99 (ms) | load avg (1 min) |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
