/**
 * Issue 5's booking budget: 200 concurrent bookings of the same room and slot, exactly one of which wins.
 * Each round fires 200 requests at once over 200 open connections and times every one; beside it, in the
 * same run, the same 200 requests against the bare Fastify baseline and 200 bookings of 200 different
 * rooms (no contention: what the lock costs shows as the difference). On SQLite and on PostgreSQL.
 *
 * Usage: npm run build && npx tsx bench/bookings.ts [--rounds 5] [--pg postgres://…]
 */
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { opt, openvc, pgSchema, startChild, tenantToken } from './harness.js';

const CONCURRENT = 200;
const ROUNDS = Number(opt('rounds', '5'));
const users = ['alice', 'bob', ...Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`)];

interface Reply {
  ms: number;
  status: number;
  code: number;
}

async function post(url: string, token: string, body: unknown): Promise<Reply> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { code: number };
  return { ms: performance.now() - started, status: res.status, code: json.code };
}

/** Every connection opened before the round (fetch keeps them alive), so that the requests arrive together. */
async function warm(base: string): Promise<void> {
  await Promise.all(Array.from({ length: CONCURRENT }, () => fetch(`${base}/healthz`).then((r) => r.text())));
}

async function round(base: string, send: (i: number) => Promise<Reply>): Promise<{ replies: Reply[]; wallMs: number }> {
  await warm(base);
  const started = performance.now();
  const replies = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i)));
  return { replies, wallMs: performance.now() - started };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const rows: string[] = [];
function report(label: string, rounds: { replies: Reply[]; wallMs: number }[], outcome: string): void {
  const ms = rounds.flatMap((r) => r.replies.map((x) => x.ms)).sort((a, b) => a - b);
  const wall = rounds.map((r) => r.wallMs).sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  rows.push(`| ${label} | ${f(pct(ms, 50))} | ${f(pct(ms, 99))} | ${f(ms[ms.length - 1]!)} | ${f(pct(wall, 50))} | ${outcome} |`);
}

const baseline = await startChild(process.execPath, ['bench/baseline-server.mjs']);
const baseRounds = [];
for (let r = 0; r < ROUNDS; r++) baseRounds.push(await round(baseline.url, () => post(`${baseline.url}/open-apis/vc/v1/reserves/apply`, 't-bench', { room_id: 'omm_x', start_time: '1', end_time: '2' })));
report('bare Fastify POST (baseline)', baseRounds, '—');
baseline.child.kill();

const pgStore = await pgSchema('bench_bookings');
let failed = false;
for (const [label, databaseUrl] of [['SQLite', undefined], ['PostgreSQL', pgStore.url]] as const) {
  const target = await openvc(label, databaseUrl ? ['--database-url', databaseUrl] : []);
  const token = await tenantToken(target.url);
  const bookingUrl = `${target.url}/openvc/v1/room_bookings?user_id_type=user_id`;
  const roomIds: string[] = [];
  for (let i = 0; i <= CONCURRENT; i++) {
    const res = await fetch(`${target.url}/open-apis/vc/v1/rooms`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Room ${i}`, capacity: 8, room_level_id: '0' }) });
    roomIds.push(((await res.json()) as { data: { room: { room_id: string } } }).data.room.room_id);
  }
  const slot = (r: number) => {
    const start = Math.floor(Date.now() / 1000) + 86_400 + r * 7200;
    return { start_time: String(start), end_time: String(start + 3600) };
  };

  const spread = [];
  const contended = [];
  let winners = 0;
  let conflicts = 0;
  let others = 0;
  for (let r = 0; r < ROUNDS; r++) {
    spread.push(await round(target.url, (i) => post(bookingUrl, token, { room_id: roomIds[i + 1], organizer_id: users[i % users.length], ...slot(r) })));
    const c = await round(target.url, (i) => post(bookingUrl, token, { room_id: roomIds[0], organizer_id: users[i % users.length], ...slot(r) }));
    contended.push(c);
    winners += c.replies.filter((x) => x.code === 0).length;
    conflicts += c.replies.filter((x) => x.status === 409 && x.code === 191001).length;
    others += c.replies.filter((x) => x.code !== 0 && x.code !== 191001).length;
  }
  const spreadOk = spread.every((r) => r.replies.every((x) => x.code === 0));
  const sound = winners === ROUNDS && conflicts === ROUNDS * (CONCURRENT - 1) && others === 0 && spreadOk;
  if (!sound) failed = true;
  report(`openvc, ${label}: ${CONCURRENT} rooms, one booking each`, spread, spreadOk ? 'all booked' : 'MISMATCH: some failed');
  report(`openvc, ${label}: one room and slot, ${CONCURRENT} bookings`, contended, `${sound ? '' : 'MISMATCH: '}${winners} won of ${ROUNDS} rounds, ${conflicts} × 191001, ${others} other`);
  target.child.kill();
  await once(target.child, 'exit');
  rmSync(target.dir, { recursive: true, force: true });
}
await pgStore.drop();

console.log(`\n${CONCURRENT} requests at once per round, ${ROUNDS} rounds (latency percentiles over all requests); node ${process.version}\n`);
console.log('| target | p50 ms | p99 ms | max ms | wall time of a round (median) ms | outcome |');
console.log('|---|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exit(failed ? 1 : 0);
