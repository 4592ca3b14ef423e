/**
 * Issue 3's reserve budget beside the bare Fastify baseline in the same run: POST
 * /open-apis/vc/v1/reserves/apply with a tenant token, saturating requests/s (budget ≥ 1,000/s), then
 * latency at half that load; on SQLite and on PostgreSQL. Afterwards the store must hold one live reserve
 * per successful response and no meeting number twice.
 *
 * Usage: npm run build && npx tsx bench/reserve-apply.ts [--seconds 10] [--pg postgres://…]
 */
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { sql } from 'kysely';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import { SECONDS, measure, openvc, startChild, tenantToken, pgSchema } from './harness.js';

const BUDGET = 1000;
const path = '/open-apis/vc/v1/reserves/apply?user_id_type=user_id';
const body = JSON.stringify({
  end_time: String(Math.floor(Date.now() / 1000) + 86_400),
  owner_id: 'alice',
  meeting_settings: { topic: 'Bench', assign_host_list: [{ user_type: 1, id: 'bob' }], password: '971024' },
});
const post = (headers: Record<string, string> = {}) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, body });

const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);

const baseline = await startChild(process.execPath, ['bench/baseline-server.mjs']);
const base = await measure(baseline.url + path, post());
row('bare Fastify POST (baseline)', base.sat.rps, base.sat.p99, base.half.rps, base.half.p50, base.half.p99, '—', '—');
baseline.child.kill();

const pgStore = await pgSchema();

let failed = false;
for (const [label, databaseUrl] of [['SQLite', undefined], ['PostgreSQL', pgStore.url]] as const) {
  const target = await openvc(`openvc reserve.apply, ${label}`, databaseUrl ? ['--database-url', databaseUrl] : []);
  const token = await tenantToken(target.url);
  const m = await measure(target.url + path, post({ authorization: `Bearer ${token}` }));
  target.child.kill();
  await once(target.child, 'exit');
  if (m.sat.non2xx || m.sat.errors) throw new Error(`${target.label}: ${m.sat.non2xx} non-2xx, ${m.sat.errors} errors`);

  // Every 2xx wrote a reserve (requests still in flight when a load step ends may have written more);
  // no two may share a meeting number.
  const rt = await openRuntime(resolveConfig({ dataDir: target.dir, databaseUrl, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  const counts = await rt.store.db
    .selectFrom('reserves')
    .select([
      (eb) => eb.fn.countAll<number>().as('reserves'),
      (eb) => eb.fn.count<number>('live_meeting_no').distinct().as('live_numbers'),
      sql<number>`count(distinct meeting_no)`.as('numbers'),
    ])
    .executeTakeFirstOrThrow();
  await rt.store.close();
  rmSync(target.dir, { recursive: true, force: true });
  const oks = m.warm.ok + m.sat.ok + m.half.ok;
  const [reserves, live, numbers] = [Number(counts.reserves), Number(counts.live_numbers), Number(counts.numbers)];
  const sound = reserves >= oks && live === reserves && numbers === reserves;
  const store = `${sound ? '' : 'MISMATCH: '}${oks} 2xx, ${reserves} reserves, ${numbers} distinct numbers`;
  if (!sound || m.sat.rps < BUDGET) failed = true;
  row(target.label, m.sat.rps, m.sat.p99, m.half.rps, m.half.p50, m.half.p99, `${Math.round((100 * m.sat.rps) / base.sat.rps)}%`, store);
}
await pgStore.drop();

console.log(`\n${SECONDS}s per load step, 32 connections at saturation, 8 at half load; node ${process.version}; budget ≥ ${BUDGET} req/s\n`);
console.log('| target | saturated req/s | saturated p99 ms | half-load req/s | half-load p50 ms | half-load p99 ms | vs baseline | store after the run |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exit(failed ? 1 : 0);
