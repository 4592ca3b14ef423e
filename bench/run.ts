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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { fixtureSeed, fixture } from '../test/helpers/fixture.js';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import { SECONDS, load, measure, openvc, startChild, tenantToken, pgSchema } from './harness.js';

const rows: string[] = [];
const row = (...cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);

const baseline = await startChild(process.execPath, ['bench/baseline-server.mjs']);
const userPath = '/open-apis/contact/v3/users/alice?user_id_type=user_id';

const base = await measure(baseline.url + userPath, {});
row('bare Fastify JSON route (baseline)', base.sat.rps, base.sat.p99, base.half.rps, base.half.p50, base.half.p99, '—');

const pgStore = await pgSchema();

for (const target of [await openvc('openvc contact.user.get, SQLite', []), await openvc('openvc contact.user.get, PostgreSQL', ['--database-url', pgStore.url])]) {
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
for (const [label, databaseUrl] of [['SQLite', undefined], ['PostgreSQL', pgStore.url]] as const) {
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
await pgStore.drop();

console.log(`\n${SECONDS}s per load step, 32 connections at saturation, 8 at half load; node ${process.version}\n`);
console.log('| target | saturated req/s | saturated p99 ms | half-load req/s | half-load p50 ms | half-load p99 ms | vs baseline |');
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
console.log('\n| token issuance | tokens/s | p99 ms |\n|---|---|---|');
console.log(tokenRows.join('\n'));
process.exit(0);
