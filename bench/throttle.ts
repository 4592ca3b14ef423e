/**
 * What the guess throttle costs a right credential (issue 14: ≤ 3% of the hot path), before and after in
 * one run: the same server with the throttle and with it switched off (bench/throttle-server.ts), measured
 * in alternating rounds so that the machine's drift hits both alike.
 *  - POST /auth/v3/tenant_access_token/internal with the right secret: the throttle reads its counters once.
 *  - GET /contact/v3/users/:id with a tenant token: the throttle is not consulted (the control).
 *
 * Usage: npx tsx bench/throttle.ts [--seconds 5] [--rounds 3] [--pg postgres://…]
 */
import type { ChildProcess } from 'node:child_process';
import { fixture } from '../test/helpers/fixture.js';
import { SECONDS, load, opt, pgSchema, startChild, tenantToken } from './harness.js';

const ROUNDS = Number(opt('rounds', '3'));
const TSX = ['--import', 'tsx', 'bench/throttle-server.ts'];
const tokenBody = JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret });
const userPath = '/open-apis/contact/v3/users/alice?user_id_type=user_id';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  child: ChildProcess;
  url: string;
  token: string;
  tokenRps: number[];
  userRps: number[];
}

async function side(extra: string[]): Promise<Side> {
  const s = await startChild(process.execPath, [...TSX, ...extra]);
  return { ...s, token: await tenantToken(s.url), tokenRps: [], userRps: [] };
}

async function rps(url: string, opts: Parameters<typeof load>[1]): Promise<number> {
  const r = await load(url, opts);
  if (r.non2xx || r.errors) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.rps;
}

const rows = ['| store | endpoint | without throttle (req/s) | with throttle (req/s) | cost |', '|---|---|---|---|---|'];
const pg = await pgSchema('bench_throttle');
const pgOff = await pgSchema('bench_throttle_off');
for (const [label, on, off] of [
  ['SQLite', [], []],
  ['PostgreSQL', ['--database-url', pg.url], ['--database-url', pgOff.url]],
] as const) {
  const withT = await side([...on]);
  const without = await side([...off, '--no-throttle']);
  for (const s of [withT, without]) await load(s.url + userPath, { headers: { authorization: `Bearer ${s.token}` }, duration: 2 });
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so that neither always meets the warmer machine.
    for (const s of round % 2 === 0 ? [without, withT] : [withT, without]) {
      s.tokenRps.push(await rps(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tokenBody }));
      s.userRps.push(await rps(s.url + userPath, { headers: { authorization: `Bearer ${s.token}` } }));
    }
  }
  for (const [name, a, b] of [
    ['tenant_access_token (right secret)', median(without.tokenRps), median(withT.tokenRps)],
    ['contact.user.get (bearer token)', median(without.userRps), median(withT.userRps)],
  ] as const) {
    rows.push(`| ${label} | ${name} | ${a} | ${b} | ${(((a - b) / a) * 100).toFixed(1)}% |`);
  }
  withT.child.kill();
  without.child.kill();
}
await pg.drop();
await pgOff.drop();
console.log(`\nGuess throttle cost, ${ROUNDS} alternating rounds of ${SECONDS} s each, medians:\n`);
console.log(rows.join('\n'));
