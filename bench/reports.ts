/**
 * Issue 6's report budgets, beside the bare Fastify baseline in the same run: with 1,000,000 meetings in
 * the store, GET /open-apis/vc/v1/reports/get_daily over 365 days p99 ≤ 50 ms and get_top_user p99 ≤
 * 100 ms. SQLite, then PostgreSQL.
 *
 * The history: one tenant of --users users and --meetings ended meetings spread over the last 365 days
 * (09:00–19:00 UTC+8, 10–90 minutes, 2–8 people, some leaving early), played through the meeting rules
 * (src/domain/meeting/meeting.ts), written in bulk (MeetingRepository.insertMany) and rolled up by the
 * code a meeting's end runs (ReportRepository.add), 5,000 meetings per transaction. The built server then
 * serves it with --report-window 366 (Feishu's 90 days would refuse a year).
 *
 * Latency is measured three ways: one request at a time (the cost of a request), requests paced evenly
 * at --rate per second whether or not earlier ones have answered (the budget's p99: reports are an
 * administrator's reads, never a flood; Feishu limits them specially), and 32 connections flat out
 * (autocannon), which gives the saturating rate.
 *
 * Usage: npm run build && npx tsx bench/reports.ts [--meetings 1000000] [--users 2000] [--seconds 10]
 *        [--rate 20] (requests per second of the paced run) [--pg postgres://…]
 *        [--rebuild] (also time `openvc reports rebuild` over the whole history)
 *        [--keep NAME] (keep the filled stores — $TMPDIR/openvc-bench-reports-NAME, schema bench_reports_NAME —
 *        and reuse them on the next run with the same NAME; filling takes some 5 min on SQLite, 10 on PostgreSQL)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { sql } from 'kysely';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';
import { createMeeting, end, join as joinMeeting, leave, userKey, type Meeting } from '../src/domain/meeting/meeting.js';
import { newMeetingId } from '../src/domain/meeting/meeting.service.js';
import { meetingUsage, rollup } from '../src/domain/report/usage.js';
import { rebuildReports } from '../src/domain/report/rebuild.js';
import { DAY_S, dayOf, dayStart } from '../src/domain/report/calendar.js';
import { Random } from '../src/simulate/random.js';
import { PG_URL, SECONDS, load, opt, startChild, type Load } from './harness.js';

const MEETINGS = Number(opt('meetings', '1000000'));
const USERS = Number(opt('users', '2000'));
const REBUILD = process.argv.includes('--rebuild');
const KEEP = opt('keep', '');
const RATE = Number(opt('rate', '20'));
const DAYS = 365;
const BATCH = 5000;
const app = { app_id: 'cli_benchreports01', app_secret: 'bench-reports-secret' };
const userId = (i: number) => `u${String(i).padStart(5, '0')}`;
const seed: Seed = {
  tenants: [{ tenant_key: 'bench', name: 'Bench', users: Array.from({ length: USERS }, (_, i) => ({ user_id: userId(i), name: `User ${i}` })), apps: [{ ...app, name: 'bench', scopes: allScopes() }] }],
};

/** Meeting `i` of the history, in start order: played through the meeting rules. */
function meeting(i: number, firstDay: number, rnd: Random): Meeting {
  const start = (dayStart(firstDay + Math.floor((i * DAYS) / MEETINGS)) + 9 * 3600 + rnd.int(0, 10 * 3600 - 1)) * 1000 + rnd.int(0, 999);
  const stop = start + rnd.int(10, 90) * 60_000;
  const people: number[] = [];
  for (let n = rnd.int(2, 8); people.length < n; ) {
    const u = rnd.int(0, USERS - 1);
    if (!people.includes(u)) people.push(u);
  }
  const m = createMeeting({ id: newMeetingId(), tenantKey: 'bench', meetingNo: String(900_000_000 + (i % 100_000_000)), topic: `Meeting ${i}`, source: 2, ownerUserId: userId(people[0]!), createdAt: start });
  const who = (u: number) => ({ key: userKey(userId(u)), userId: userId(u), userType: 1 as const, tenantKey: 'bench', sessionId: `s${i}_${u}` });
  people.forEach((u, k) => joinMeeting(m, who(u), start + k * 20_000));
  // some leave early, none before everyone is in
  const leavers = people.slice(1).filter(() => rnd.chance(0.2));
  leavers.forEach((u, k) => leave(m, userKey(userId(u)), start + 5 * 60_000 + k * 1000 + rnd.int(0, stop - start - 6 * 60_000 - 1000 * leavers.length)));
  end(m, null, stop);
  return m;
}

/** Fills an empty store; a kept one that holds the history already is left as it is. */
async function fill(rt: Runtime): Promise<number | undefined> {
  const started = performance.now();
  if ((await rt.repos.meetings.countEnded('bench')) === MEETINGS) return undefined;
  await rt.repos.directory.applySeed(seed);
  const firstDay = dayOf(Date.now() / 1000) - DAYS;
  const rnd = new Random(6);
  for (let i = 0; i < MEETINGS; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, MEETINGS - i) }, (_, k) => meeting(i + k, firstDay, rnd));
    await rt.store.db.transaction().execute(async (trx) => {
      await rt.repos.meetings.insertMany(batch, trx);
      await rt.repos.reports.add(rollup(batch.flatMap((m) => meetingUsage(m) ?? [])), trx);
    });
    if ((i / BATCH) % 20 === 0) process.stderr.write(`\r  ${i.toLocaleString('en')} meetings`);
  }
  process.stderr.write('\n');
  return (performance.now() - started) / 1000;
}

interface Latencies {
  rps: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Requests sent on a fixed schedule, `rate` per second evenly spaced, whether or not earlier ones have
 * answered; each latency counts from when its request was due, so a slow answer cannot hide the ones
 * queued behind it. `rate` 0: one request at a time, back to back.
 */
async function timed(url: string, headers: Record<string, string>, rate: number): Promise<Latencies> {
  const latencies: number[] = [];
  const send = async (due: number) => {
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    latencies.push(performance.now() - due);
  };
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  if (rate === 0) {
    while (performance.now() < until) await send(performance.now());
  } else {
    const pending: Promise<void>[] = [];
    for (let i = 0; t0 + (i * 1000) / rate < until; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > performance.now()) await sleep(due - performance.now());
      pending.push(send(due));
    }
    await Promise.all(pending);
  }
  const sorted = latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { rps: Math.round(latencies.length / ((performance.now() - t0) / 1000)), p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
}

interface Measured {
  seq: Latencies;
  paced: Latencies;
  sat: Load;
}

/**
 * Warm-up and the two light loads first, the flood last: requests a flood leaves queued in the server
 * would otherwise land on the first paced ones.
 */
async function measure(url: string, headers: Record<string, string>): Promise<Measured> {
  await timed(url, headers, 0);
  const seq = await timed(url, headers, 0);
  const paced = await timed(url, headers, RATE);
  const sat = await load(url, { headers });
  if (sat.errors || sat.non2xx) throw new Error(`${url}: ${sat.non2xx} non-2xx, ${sat.errors} errors`);
  // let the flood's queue drain before the next target
  await sleep(3000);
  return { seq, paced, sat };
}

const rows: string[] = [];
const row = (label: string, m: Measured) => rows.push(`| ${label} | ${m.seq.p50} | ${m.seq.p99} | ${m.paced.p50} | ${m.paced.p99} | ${m.sat.rps} | ${m.sat.p99} |`);
const notes: string[] = [];

const nowS = Math.floor(Date.now() / 1000);
const range = `start_time=${nowS - DAYS * DAY_S}&end_time=${nowS}`;
const DAILY = `/open-apis/vc/v1/reports/get_daily?${range}`;
const TOP = `/open-apis/vc/v1/reports/get_top_user?${range}&limit=100&order_by=1`;
const TOP90 = `/open-apis/vc/v1/reports/get_top_user?start_time=${nowS - 90 * DAY_S}&end_time=${nowS}&limit=10&order_by=2`;

const baseline = await startChild(process.execPath, ['bench/baseline-server.mjs']);
row('baseline: bare Fastify, get_daily-sized body (365 days)', await measure(baseline.url + DAILY, {}));
row('baseline: bare Fastify, get_top_user-sized body (100 users)', await measure(baseline.url + TOP, {}));

const dir = KEEP ? join(tmpdir(), `openvc-bench-reports-${KEEP}`) : mkdtempSync(join(tmpdir(), 'openvc-bench-reports-'));
const schema = `bench_reports_${KEEP || Date.now()}`;
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
await admin.query(`create schema if not exists ${schema}`);
const pgUrl = new URL(PG_URL);
pgUrl.searchParams.set('options', `-c search_path=${schema}`);

for (const [label, databaseUrl] of [['SQLite', undefined], ['PostgreSQL', pgUrl.toString()]] as const) {
  const rt = await openRuntime(resolveConfig({ dataDir: dir, databaseUrl, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  const filled = await fill(rt);
  if (filled !== undefined) notes.push(`${label}: filled ${MEETINGS.toLocaleString('en')} meetings with their rollups in ${filled.toFixed(0)} s`);
  if (REBUILD) {
    const started = performance.now();
    const s = await rebuildReports(rt.store.db, rt.repos, { tenantKey: 'bench' });
    notes.push(`${label}: \`openvc reports rebuild\` of ${s.meetings.toLocaleString('en')} meetings took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  // A store that grew over a year has planner statistics; one filled a minute ago needs them gathered.
  if (databaseUrl && filled !== undefined) await sql`vacuum analyze`.execute(rt.store.db);
  const token = (await rt.tokens.tenantToken((await rt.repos.apps.find(app.app_id))!)).token;
  await rt.store.close();

  const flags = databaseUrl ? ['--database-url', databaseUrl] : ['--data-dir', dir];
  const server = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', ...flags, '--no-demo', '--no-rate-limit', '--log-level', 'warn', '--report-window', '366']);
  const headers = { authorization: `Bearer ${token}` };
  const check = (await (await fetch(server.url + DAILY, { headers })).json()) as { data: { meeting_report: { total_meeting_count: string; daily_report: unknown[] } } };
  notes.push(`${label}: get_daily counts ${check.data.meeting_report.total_meeting_count} meetings on ${check.data.meeting_report.daily_report.length} days`);
  row(`openvc get_daily, 365 days, ${label}`, await measure(server.url + DAILY, headers));
  row(`openvc get_top_user, 365 days, top 100 by count, ${label}`, await measure(server.url + TOP, headers));
  row(`openvc get_top_user, 90 days, top 10 by duration, ${label}`, await measure(server.url + TOP90, headers));
  server.child.kill();
}
baseline.child.kill();
if (!KEEP) {
  await admin.query(`drop schema ${schema} cascade`);
  rmSync(dir, { recursive: true, force: true });
}
await admin.end();

console.log(`\n${MEETINGS.toLocaleString('en')} meetings of ${USERS.toLocaleString('en')} users over ${DAYS} days; ${SECONDS}s per load step; node ${process.version}\n`);
for (const n of notes) console.log(`- ${n}`);
console.log(`\n| target | one at a time p50 ms | one at a time p99 ms | ${RATE} req/s p50 ms | ${RATE} req/s p99 ms | saturated req/s (32 conn) | saturated p99 ms |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
