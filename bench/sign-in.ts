/**
 * What sign-in adds to the browser's way through the consent page (issue 14 budget: ≤ 50 ms p99).
 *
 *   npm run build && npx tsx bench/sign-in.ts [--n 200]
 *
 * Two servers over fresh fixture stores (SQLite): one with `--dev-pick-user` (the old flow: consent page,
 * pick a user, allow) and one signing in (sign-in form post with the scrypt check, consent page, allow).
 * Each flow runs `n` times one after another, as one person's browser would; prints p50/p99 of each
 * flow and of the sign-in post alone.
 */
import { fixture, FIXTURE_PASSWORD } from '../test/helpers/fixture.js';
import { openvc, opt } from './harness.js';

const N = Number(opt('n', '200'));
const REDIRECT = 'https://client.test/callback';
const query = new URLSearchParams({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REDIRECT, state: 's' });
const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual',
});
const allow = { client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 's', action: 'allow' };

async function expectStatus(res: Response, status: number): Promise<Response> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
  return res;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const show = (label: string, xs: number[]) => console.log(`${label.padEnd(34)} p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms   (n=${xs.length})`);

async function main(): Promise<void> {
  const picking = await openvc('pick', ['--dev-pick-user']);
  const signing = await openvc('sign-in', []);
  try {
    const pick: number[] = [];
    const full: number[] = [];
    const signInOnly: number[] = [];
    for (let i = 0; i < N + 10; i++) {
      let t = performance.now();
      await expectStatus(await fetch(`${picking.url}/open-apis/authen/v1/authorize?${query}`), 200);
      await expectStatus(await fetch(`${picking.url}/open-apis/authen/v1/authorize`, form({ ...allow, user_id: 'alice' })), 302);
      const pickMs = performance.now() - t;

      t = performance.now();
      const next = `/open-apis/authen/v1/authorize?${query}`;
      const signedIn = await expectStatus(await fetch(`${signing.url}/signin`, form({ tenant: 'acme', login: 'alice', password: FIXTURE_PASSWORD, next })), 303);
      const signInMs = performance.now() - t;
      const cookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
      await expectStatus(await fetch(signing.url + next, { headers: { cookie } }), 200);
      await expectStatus(await fetch(`${signing.url}/open-apis/authen/v1/authorize`, form(allow, cookie)), 302);
      const fullMs = performance.now() - t;
      // The first runs warm up both servers.
      if (i < 10) continue;
      pick.push(pickMs);
      full.push(fullMs);
      signInOnly.push(signInMs);
    }
    show('pick a user (devPickUser)', pick);
    show('sign in + consent + allow', full);
    show('sign-in post alone (scrypt)', signInOnly);
    console.log(`added by sign-in: p50 ${(pct(full, 50) - pct(pick, 50)).toFixed(1)} ms, p99 ${(pct(full, 99) - pct(pick, 99)).toFixed(1)} ms`);
  } finally {
    picking.child.kill('SIGTERM');
    signing.child.kill('SIGTERM');
  }
}

await main();
