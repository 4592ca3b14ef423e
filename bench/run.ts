/**
 * Benchmarks for issue 2's budgets, each beside its baseline in the same run:
 *  - GET /open-apis/contact/v3/users/:id with a tenant token vs a bare Fastify JSON route:
 *    saturating requests/s, then p99 at half the saturating load; on SQLite and on PostgreSQL.
 *  - Token issuance: POST /auth/v3/tenant_access_token/internal vs the bare route; plus fresh
 *    user-token issuance straight through the token service (one insert per token pair).
 *
 * Usage: npm run build && npx tsx bench/run.ts [--seconds 10] [--pg postgres://…]
 * Servers run in child processes; the load generator (autocannon) runs here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { fixtureSeed, fixture } from '../test/helpers/fixture.js';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/server.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const SECONDS = Number(opt('seconds', '10'));
const PG_URL = opt('pg', process.env.OPENVC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

async function startChild(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /READY (\d+)/.exec(out) ?? /listening on (http:\/\/\S+)/.exec(out);
      if (ready) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, url: ready[1]!.startsWith('http') ? ready[1]! : `http://127.0.0.1:${ready[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, opts: Partial<autocannon.Options>): Promise<Load> {
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: SECONDS, ...opts });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

/** Saturating throughput, then latency at half of it. */
async function measure(url: string, opts: Partial<autocannon.Options>): Promise<{ sat: Load; half: Load }> {
  await load(url, { ...opts, duration: 2 }); // warm-up
  const sat = await load(url, opts);
  const half = await load(url, { ...opts, connections: 8, overallRate: Math.max(1, Math.floor(sat.rps / 2)) });
  return { sat, half };
}

async function tenantToken(url: string): Promise<string> {
  const res = await fetch(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }),
  });
  const body = (await res.json()) as { tenant_access_token: string };
  return body.tenant_access_token;
}

async function openvc(label: string, extraArgs: string[]): Promise<{ child: ChildProcess; url: string; label: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-'));
  const seed = join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify(fixtureSeed()));
  const s = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', '--data-dir', dir, '--seed', seed, '--no-demo', '--no-rate-limit', '--log-level', 'warn', ...extraArgs]);
  return { ...s, label };
}

const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);

const baseline = await startChild(process.execPath, ['bench/baseline-server.mjs']);
const userPath = '/open-apis/contact/v3/users/alice?user_id_type=user_id';

const base = await measure(baseline.url + userPath, {});
row('bare Fastify JSON route (baseline)', base.sat.rps, base.sat.p99, base.half.rps, base.half.p50, base.half.p99, '—');

const schema = `bench_${Date.now()}`;
const pgc = new pg.Client({ connectionString: PG_URL });
await pgc.connect();
await pgc.query(`create schema ${schema}`);
const pgUrl = new URL(PG_URL);
pgUrl.searchParams.set('options', `-c search_path=${schema}`);

for (const target of [await openvc('openvc contact.user.get, SQLite', []), await openvc('openvc contact.user.get, PostgreSQL', ['--database-url', pgUrl.toString()])]) {
  const token = await tenantToken(target.url);
  const m = await measure(target.url + userPath, { headers: { authorization: `Bearer ${token}` } });
  if (m.sat.non2xx || m.sat.errors) throw new Error(`${target.label}: ${m.sat.non2xx} non-2xx, ${m.sat.errors} errors`);
  row(target.label, m.sat.rps, m.sat.p99, m.half.rps, m.half.p50, m.half.p99, `${Math.round((100 * m.sat.rps) / base.sat.rps)}%`);
  target.child.kill();
}

const tokenRows: string[] = [];
const tokenBody = JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret });
const tokenReq = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: tokenBody };
const baseTok = await load(baseline.url + '/open-apis/auth/v3/tenant_access_token/internal', tokenReq);
tokenRows.push(`| bare Fastify POST (baseline) | ${baseTok.rps} | ${baseTok.p99} |`);
const sq = await openvc('tokens', []);
await load(sq.url + '/open-apis/auth/v3/tenant_access_token/internal', { ...tokenReq, duration: 2 });
const tok = await load(sq.url + '/open-apis/auth/v3/tenant_access_token/internal', tokenReq);
tokenRows.push(`| openvc tenant_access_token/internal, SQLite | ${tok.rps} | ${tok.p99} |`);
sq.child.kill();
baseline.child.kill();

// Fresh issuance: every call writes a new user token pair (access + refresh) to the store.
const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-'));
for (const [label, databaseUrl] of [['SQLite', undefined], ['PostgreSQL', pgUrl.toString()]] as const) {
  const rt = await openRuntime(resolveConfig({ dataDir: dir, databaseUrl, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  await rt.repos.directory.applySeed(fixtureSeed());
  const app = (await rt.repos.apps.find(fixture.acme.full.appId))!;
  const n = 5000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < n / 8; i++) await rt.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now());
    }),
  );
  const perS = Math.round(n / ((performance.now() - started) / 1000));
  tokenRows.push(`| fresh user token pairs via TokenService, ${label} (8 concurrent) | ${perS} | — |`);
  await rt.store.close();
}
rmSync(dir, { recursive: true, force: true });
await pgc.query(`drop schema ${schema} cascade`);
await pgc.end();

console.log(`\n${SECONDS}s per load step, 32 connections at saturation, 8 at half load; node ${process.version}\n`);
console.log('| target | saturated req/s | saturated p99 ms | half-load req/s | half-load p50 ms | half-load p99 ms | vs baseline |');
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
console.log('\n| token issuance | tokens/s | p99 ms |\n|---|---|---|');
console.log(tokenRows.join('\n'));
process.exit(0);
