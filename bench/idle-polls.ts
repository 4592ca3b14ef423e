/**
 * What waiting clients cost (issue 16 budget: 1,000 waiting long-polls add ≤ 5% CPU to a process and
 * ≤ 10 queries/s to the store).
 *
 *   npm run build && npx tsx bench/idle-polls.ts [--polls 1000] [--seconds 30]
 *
 * One openvc process on a fresh PostgreSQL schema. Side by side in one run: the process idle (baseline),
 * then with `--polls` clients each long-polling `/client/v1/events?wait=25` in a loop with nothing to
 * receive. Prints the process's CPU (% of one core, from /proc) and the store's work per second in the
 * bench's own schema (pg_stat_user_tables: scans started plus rows written, which counts each statement
 * at least once and is not disturbed by other users of the database).
 */
import pg from 'pg';
import pino from 'pino';
import { cpuMs, opt, PG_URL, pgSchema, startChild } from './harness.js';
import { fixture, fixtureSeed } from '../test/helpers/fixture.js';
import { openRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POLLS = Number(opt('polls', '1000'));
const WINDOW_S = Number(opt('seconds', '30'));

let schemaName = '';
async function commits(client: pg.Client): Promise<number> {
  // Statistics are flushed by backends about once a second; ask for a fresh snapshot.
  await client.query('select pg_stat_clear_snapshot()');
  const r = await client.query<{ n: string }>(
    `select coalesce(sum(seq_scan + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del), 0)::text as n from pg_stat_user_tables where schemaname = $1`,
    [schemaName],
  );
  return Number(r.rows[0]!.n);
}

async function window(pid: number, stats: pg.Client): Promise<{ cpu: number; qps: number }> {
  const c0 = cpuMs(pid);
  const q0 = await commits(stats);
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const c1 = cpuMs(pid);
  const q1 = await commits(stats);
  // pg_stat counters are flushed about once a second; the window is long enough for that not to matter.
  return { cpu: ((c1 - c0) / (WINDOW_S * 1000)) * 100, qps: (q1 - q0) / WINDOW_S };
}

async function main(): Promise<void> {
  const schema = await pgSchema('idlepolls');
  schemaName = new URL(schema.url).searchParams.get('options')!.split('=')[1]!;
  const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-'));
  const seed = join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify(fixtureSeed()));
  const { child, url } = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', '--database-url', schema.url, '--seed', seed, '--no-demo', '--no-rate-limit', '--log-level', 'warn', '--max-connections-per-address', '5000']);
  const rt = await openRuntime(loadConfig({ databaseUrl: schema.url, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  const stats = new pg.Client({ connectionString: PG_URL });
  await stats.connect();
  let stop = false;
  try {
    const app = (await rt.repos.apps.find(fixture.acme.full.appId))!;
    const users = (await rt.store.db.selectFrom('users').select('user_id').where('tenant_key', '=', 'acme').where('status', '=', 'active').execute()).map((u) => u.user_id);
    const tokens = await Promise.all(users.map(async (u) => (await rt.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken));
    // the same flush delay: the seed and token writes above must not count as the baseline's work
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = await window(child.pid!, stats);
    const beforeHerd = await commits(stats);
    let answered = 0;
    const loops = Array.from({ length: POLLS }, async (_, i) => {
      let after = 0;
      while (!stop) {
        const r = await fetch(`${url}/client/v1/events?after=${after}&wait=25`, { headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }).catch(() => undefined);
        if (!r) continue;
        const body = (await r.json()) as { data?: { next: number } };
        after = body.data?.next ?? after;
        answered++;
      }
    });
    // Let every client get its first answer-less wait going before measuring, and PostgreSQL's backends
    // report what that start cost: an idle backend flushes its table statistics up to 10 s late
    // (PGSTAT_IDLE_INTERVAL), which a shorter warm-up counted as the waiting polls' work.
    await new Promise((r) => setTimeout(r, 12_000));
    // What the clients' arrival at once cost the store (a restart's herd), over the idle rate.
    const herd = (await commits(stats)) - beforeHerd - idle.qps * 12;
    const waiting = await window(child.pid!, stats);
    console.log(`idle long-polls on PostgreSQL, ${WINDOW_S} s windows, ${POLLS} clients (${tokens.length} users)`);
    console.log(`  baseline (no clients)   CPU ${idle.cpu.toFixed(2).padStart(6)} %   store ${idle.qps.toFixed(1).padStart(7)} table accesses/s`);
    console.log(`  ${String(POLLS).padStart(4)} waiting polls      CPU ${waiting.cpu.toFixed(2).padStart(6)} %   store ${waiting.qps.toFixed(1).padStart(7)} table accesses/s   (${answered} answers so far)`);
    console.log(`  arrival of the ${POLLS} clients at once: ${Math.round(herd)} table accesses`);
    console.log(`  added: CPU ${(waiting.cpu - idle.cpu).toFixed(2)} % of a core (budget 5), store ${(waiting.qps - idle.qps).toFixed(1)} table accesses/s (budget 10)`);
    stop = true;
    child.kill('SIGTERM');
    await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 3000))]);
  } finally {
    stop = true;
    child.kill('SIGKILL');
    await stats.end();
    await rt.store.close();
    await schema.drop().catch(() => undefined);
  }
  process.exit(0);
}

await main();
