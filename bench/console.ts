/**
 * Issue 17's admin console budgets, in Chromium (Debian's, /usr/bin/chromium):
 * - the dashboard over a year renders (its data request answered and every chart drawn) in ≤ 1 s p95;
 * - the live-meetings view of --live concurrent meetings shows a change within 2 s.
 *
 * The history is the simulator's (src/simulate/history.ts: meetings played through MeetingService,
 * sessions with device facts, a quality sample per participant and minute), --meetings of them spread
 * over the last 365 days among the fixture tenant's 27 users. The dashboard reads rollups only (report
 * days, user spans, the console's mix and quality days), whose rows are one per day (and user, kind)
 * whatever the number of meetings: the run prints how many rows they hold, and from some 20,000
 * meetings on every user and kind is there every day, so their size is that of a year of 1M meetings
 * (docs/decisions.md "Dashboard rollups").
 *
 * A store filled by an older openvc is brought up to date on the server's start: migration 0040 and
 * its backfill job; the run waits for the backfill and says how long it took. --upgrade makes a kept
 * store such a store again (migration 0040 undone and redone), to time the backfill once more.
 *
 * The dashboard is loaded --loads times (a fresh page each time); the time is from navigation start to
 * the page's `data-drawn` mark (set once the last chart is drawn). The data request is also timed alone
 * (--requests times, from the page), and each read behind it straight on the repositories.
 * The live view: --live meetings started through the meeting service, the page open, then one change at
 * a time (an end) and the time until the page shows it. --live 0 skips it.
 *
 * Usage: npx tsx bench/console.ts [--meetings 20000] [--loads 20] [--requests 20] [--live 200] [--changes 20]
 *        [--pg [postgres://…]] [--keep NAME] (keep the filled store — $TMPDIR/openvc-bench-console-NAME or
 *        schema bench_console_NAME — and reuse it on the next run with the same NAME) [--upgrade]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { sql, type Kysely } from 'kysely';
import { chromium } from 'playwright-core';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime, startServer, type Runtime } from '../src/app/runtime.js';
import { simulateHistory } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import { coverDays, dayOf } from '../src/domain/report/calendar.js';
import { ORDER_BY } from '../src/domain/report/report.js';
import * as dashboardRollups from '../src/store/migrations/0040-dashboard-rollups.js';
import { fixture, fixtureSeed, FIXTURE_PASSWORD } from '../test/helpers/fixture.js';
import { opt, PG_URL } from './harness.js';

const MEETINGS = Number(opt('meetings', '20000'));
const LOADS = Number(opt('loads', '20'));
const REQUESTS = Number(opt('requests', '20'));
const LIVE = Number(opt('live', '200'));
const CHANGES = Number(opt('changes', '20'));
const USE_PG = process.argv.includes('--pg');
const KEEP = opt('keep', '');
const UPGRADE = process.argv.includes('--upgrade');
const DAY = 86_400_000;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const iso = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** `runs` timings of `work` after one warm-up: p50 and p95. */
async function timed(runs: number, work: () => Promise<unknown>): Promise<string> {
  await work();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    xs.push(performance.now() - t0);
  }
  return `p50 ${ms(median(xs))}, p95 ${ms(p95(xs))}`;
}

/** The store: a fresh one, or the one --keep names (created on first use). */
async function storeOf(): Promise<{ dir: string; databaseUrl: string | undefined; dispose(): Promise<void> }> {
  const dir = KEEP ? join(tmpdir(), `openvc-bench-console-${KEEP}`) : mkdtempSync(join(tmpdir(), 'openvc-bench-console-'));
  mkdirSync(dir, { recursive: true });
  if (!USE_PG) return { dir, databaseUrl: undefined, dispose: async () => void (KEEP || rmSync(dir, { recursive: true, force: true })) };
  const schema = `bench_console_${KEEP || Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema if not exists ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dir,
    databaseUrl: url.toString(),
    dispose: async () => {
      if (!KEEP) {
        await admin.query(`drop schema ${schema} cascade`);
        rmSync(dir, { recursive: true, force: true });
      }
      await admin.end();
    },
  };
}

/** Rows of the tables the dashboard reads, and of the history beneath them. */
async function sizes(rt: Runtime): Promise<string> {
  const tables = ['meetings', 'participant_sessions', 'quality_samples', 'report_days', 'report_user_spans', 'console_mix_days', 'console_quality_days'] as const;
  const out: string[] = [];
  for (const t of tables) {
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(rt.store.db);
    out.push(`${t} ${Number(r.rows[0]!.n).toLocaleString('en')}`);
  }
  return out.join(', ');
}

async function main(): Promise<void> {
  const store = await storeOf();
  const seed = fixtureSeed();
  seed.tenants[0]!.users = seed.tenants[0]!.users!.map((u) => (u.user_id === 'alice' ? { ...u, admin: true } : u));
  const seedPath = join(store.dir, 'seed.json');
  writeFileSync(seedPath, JSON.stringify(seed));
  const config = resolveConfig({ host: '127.0.0.1', port: 0, dataDir: store.dir, databaseUrl: store.databaseUrl, demo: false, logLevel: 'silent', rateLimit: false, seed: seedPath });
  const logger = pino({ level: 'silent' });
  const label = USE_PG ? 'PostgreSQL' : 'SQLite';
  const now = Date.now();

  const rt = await openRuntime(config, { logger });
  await rt.repos.directory.applySeed(seed);
  if ((await rt.repos.meetings.countEnded('acme')) === 0) {
    const fillStart = performance.now();
    const summary = await simulateHistory(rt, await resolveTarget(rt, { tenant: 'acme' }), { meetings: MEETINGS, participants: 6, from: now - 365 * DAY, to: now - DAY, seed: 17 });
    console.log(`history: ${summary.meetings} meetings, ${summary.sessions} sessions, ${summary.samples} quality samples in ${((performance.now() - fillStart) / 1000).toFixed(0)} s (${label})`);
  } else console.log(`history: the kept store of ${await rt.repos.meetings.countEnded('acme')} meetings (${label})`);
  if (UPGRADE) {
    await dashboardRollups.down(rt.store.db as unknown as Kysely<unknown>);
    await dashboardRollups.up(rt.store.db as unknown as Kysely<unknown>);
  }
  // Sessions of a store filled before migration 0040, which the server's backfill job rolls up.
  const backlog = await rt.repos.consoleRollups.backlogSize();
  await rt.store.close();

  const backfillStart = performance.now();
  const server = await startServer(config, { logger });
  const { repos } = server.runtime;
  if (backlog > 0) {
    while ((await repos.consoleRollups.backlogSize()) > 0) await new Promise((r) => setTimeout(r, 500));
    console.log(`backfill of ${backlog.toLocaleString('en')} sessions by the server's job: ${((performance.now() - backfillStart) / 1000).toFixed(0)} s`);
  }
  // A store that grew over a year has planner statistics; one filled minutes ago needs them gathered
  // (for the tables read here only: the database is shared with other schemas).
  if (USE_PG) await sql`analyze meetings, participant_sessions, quality_samples, report_days, report_user_spans, console_mix_days, console_quality_days, users`.execute(server.runtime.store.db);
  console.log(`rows: ${await sizes(server.runtime)}`);

  const browser = await chromium.launch({ executablePath: process.env.OPENVC_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/signin?next=/admin`);
    await page.fill('input[name=tenant]', 'acme');
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', FIXTURE_PASSWORD);
    await page.click('#signin-submit');
    await page.waitForURL(/\/admin$/);

    const range = `from=${iso(now - 365 * DAY)}&to=${iso(now)}`;
    const times: number[] = [];
    for (let i = 0; i < LOADS + 2; i++) {
      await page.goto(`${server.url}/admin?${range}`);
      await page.waitForFunction(() => (globalThis as any).document.body.dataset.drawn !== undefined, undefined, { timeout: 60_000 });
      if ((await page.getAttribute('body', 'data-drawn')) === 'error') throw new Error(`the dashboard failed: ${await page.textContent('#status')}`);
      const t = await page.evaluate(() => performance.now());
      if (i >= 2) times.push(t); // two warm-up loads
    }
    const alone: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      alone.push(
        await page.evaluate(async (u) => {
          const t0 = performance.now();
          await (await fetch(u)).json();
          return performance.now() - t0;
        }, `/admin/api/dashboard?${range}`),
      );
    }
    console.log(`dashboard data request alone: p50 ${ms(median(alone))}, p95 ${ms(p95(alone))} over ${alone.length} requests`);
    // The reads behind it, one at a time, straight on the repositories (the request runs them at once).
    const to = dayOf(Math.floor(now / 1000));
    const from = to - 365;
    const parts: [string, () => Promise<unknown>][] = [
      ['meetings per day (report_days)', () => repos.reports.days('acme', from, to)],
      ['top users (report_user_spans)', () => repos.reports.topUsers('acme', coverDays(from, to), ORDER_BY.meetingCount, 10)],
      ['device mix (console_mix_days)', () => repos.consoleRollups.mix('acme', from, to, 'type', 20)],
      ['network mix (console_mix_days)', () => repos.consoleRollups.mix('acme', from, to, 'network_type', 20)],
      ['quality days (console_quality_days)', () => repos.consoleRollups.qualityDays('acme', from, to)],
    ];
    for (const [name, read] of parts) console.log(`  ${name}: ${await timed(REQUESTS, read)}`);
    console.log(`dashboard, 366 days: p50 ${ms(median(times))}, p95 ${ms(p95(times))}, max ${ms(Math.max(...times))} over ${times.length} loads (navigation start to last chart drawn; budget p95 ≤ 1000 ms)`);
    if (LIVE > 0) await liveView(server, page);
  } finally {
    await browser.close();
    await server.close();
    await store.dispose();
  }
}

/** Live meetings started through the meeting service, each by a host of its own (users the directory need not know). */
async function liveView(server: Awaited<ReturnType<typeof startServer>>, page: import('playwright-core').Page): Promise<void> {
  const caller = (i: number) => ({ tenantKey: 'acme', userId: `host${i}`, appId: fixture.acme.full.appId });
  const live: { id: string; no: string }[] = [];
  for (let i = 0; i < LIVE; i++) {
    const v = await server.runtime.meetings.startInstant(caller(i), `Live ${i}`, { type: 'desktop', network_type: 'wifi' });
    live.push({ id: v.meeting.id, no: v.meeting.meetingNo });
  }
  await page.goto(`${server.url}/admin/live`);
  await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('section.meeting').length >= n, Math.min(LIVE, 500), { timeout: 60_000 });
  const liveApi = await page.evaluate(async () => {
    const t0 = performance.now();
    await (await fetch('/admin/api/live')).json();
    return performance.now() - t0;
  });
  console.log(`live data request alone: ${ms(liveApi)}`);
  const shown: number[] = [];
  for (let i = 0; i < Math.min(CHANGES, LIVE); i++) {
    const m = live[i]!;
    const t0 = Date.now();
    await server.runtime.meetings.end('acme', m.id, null);
    await page.waitForSelector(`section.meeting[data-meeting="${m.id}"]`, { state: 'detached', timeout: 30_000 });
    shown.push(Date.now() - t0);
  }
  // The rest end too, so that a kept store holds no live meetings on the next run.
  for (const m of live.slice(Math.min(CHANGES, LIVE))) await server.runtime.meetings.end('acme', m.id, null);
  console.log(`live view of ${LIVE} meetings: a change shows in p50 ${median(shown)} ms, p95 ${p95(shown)} ms, max ${Math.max(...shown)} ms over ${shown.length} changes (budget ≤ 2000 ms)`);
}

if (!existsSync('/usr/bin/chromium') && !process.env.OPENVC_CHROMIUM) throw new Error('bench/console.ts needs Chromium (/usr/bin/chromium or OPENVC_CHROMIUM)');
await main();
