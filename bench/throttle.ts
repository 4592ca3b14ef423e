/**
 * What the guess throttle costs a right credential (issue 14: ≤ 3% of the hot path), before and after in
 * one run: the same server with the throttle and with it switched off (bench/throttle-server.ts), measured
 * in alternating rounds so that the machine's drift hits both alike.
 *  - POST /auth/v3/tenant_access_token/internal with the right secret: the throttle reads its counters once.
 *  - GET /contact/v3/users/:id with a tenant token: the throttle is not consulted (the control).
 * Each side answers a fixed number of requests; what is compared is the server process's CPU time per
 * request (from /proc), which a busy machine disturbs far less than requests per second, and that too.
 *
 * Usage: npx tsx bench/throttle.ts [--requests 3000] [--rounds 5] [--pg postgres://…]
 */
import type { ChildProcess } from 'node:child_process';
import { fixture } from '../test/helpers/fixture.js';
import autocannon from 'autocannon';
import { cpuMs, load, opt, pgSchema, startChild, tenantToken } from './harness.js';

const ROUNDS = Number(opt('rounds', '5'));
const REQUESTS = Number(opt('requests', '3000'));
const TSX = ['--import', 'tsx', 'bench/throttle-server.ts'];
const tokenBody = JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret });
const userPath = '/open-apis/contact/v3/users/alice?user_id_type=user_id';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Sample {
  /** server CPU µs per request */
  cpuUs: number;
  rps: number;
}

interface Side {
  child: ChildProcess;
  url: string;
  token: string;
  tokens: Sample[];
  users: Sample[];
}

async function side(extra: string[]): Promise<Side> {
  const s = await startChild(process.execPath, [...TSX, ...extra]);
  return { ...s, token: await tenantToken(s.url), tokens: [], users: [] };
}

async function sample(s: Side, url: string, opts: Partial<autocannon.Options>): Promise<Sample> {
  const before = cpuMs(s.child.pid!);
  const r = await autocannon({ url, connections: 8, amount: REQUESTS, ...opts });
  const used = cpuMs(s.child.pid!) - before;
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { cpuUs: Math.round((used * 1000) / REQUESTS), rps: Math.round(r.requests.average) };
}

const rows = ['| store | endpoint | without throttle: CPU µs/req (req/s) | with throttle: CPU µs/req (req/s) | CPU cost |', '|---|---|---|---|---|'];
const pg = await pgSchema('bench_throttle');
const pgOff = await pgSchema('bench_throttle_off');
for (const [label, on, off] of [
  ['SQLite', [], []],
  ['PostgreSQL', ['--database-url', pg.url], ['--database-url', pgOff.url]],
] as const) {
  const withT = await side([...on]);
  const without = await side([...off, '--no-throttle']);
  for (const s of [withT, without]) {
    await load(s.url + userPath, { headers: { authorization: `Bearer ${s.token}` }, duration: 2 });
    await load(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tokenBody, duration: 2 });
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so that neither always meets the warmer machine.
    for (const s of round % 2 === 0 ? [without, withT] : [withT, without]) {
      s.tokens.push(await sample(s, `${s.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tokenBody }));
      s.users.push(await sample(s, s.url + userPath, { headers: { authorization: `Bearer ${s.token}` } }));
    }
  }
  for (const [name, a, b] of [
    ['tenant_access_token (right secret)', without.tokens, withT.tokens],
    ['contact.user.get (bearer token)', without.users, withT.users],
  ] as const) {
    const [ca, cb] = [median(a.map((x) => x.cpuUs)), median(b.map((x) => x.cpuUs))];
    rows.push(`| ${label} | ${name} | ${ca} (${median(a.map((x) => x.rps))}) | ${cb} (${median(b.map((x) => x.rps))}) | ${(((cb - ca) / ca) * 100).toFixed(1)}% |`);
  }
  withT.child.kill();
  without.child.kill();
}
await pg.drop();
await pgOff.drop();
console.log(`\nGuess throttle cost, ${ROUNDS} alternating rounds of ${REQUESTS} requests per endpoint and side, medians:\n`);
console.log(rows.join('\n'));
