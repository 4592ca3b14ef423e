/**
 * SQL statements per state change: how many round trips a join and a leave of a reserved meeting
 * cost on PostgreSQL, counted at the driver in this process (server in-process, requests over HTTP).
 * On PostgreSQL every statement of a meeting's transaction is a round trip made while the meeting's
 * row is locked, so this count bounds how many changes one meeting takes per second.
 *
 * With `--parallel N`, N loops run at once (each with its own users) and the counts show the mix under
 * load, where group commits and dispatcher batches share statements between changes.
 *
 * Usage: npx tsx bench/statements.ts [--pg postgres://…] [--changes 200] [--parallel 1]
 */
import http from 'node:http';
import pg from 'pg';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { startServer } from '../src/app/runtime.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opt, pgSchema } from './harness.js';

const CHANGES = Number(opt('changes', '200'));
const PARALLEL = Number(opt('parallel', '1'));
/** users per loop; user 0 owns the meeting and stays */
const PER_LOOP = 19;
const USERS = 1 + PER_LOOP * PARALLEL;
const counts = new Map<string, number>();
let counting = false;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (counting) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').replace(/\(\$\d+(, \$\d+)*\)/g, '(…)').slice(0, 110);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

// A receiver in this process, so deliveries (and their statements) are counted too.
const rx = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
const rxUrl = `http://127.0.0.1:${(rx.address() as { port: number }).port}/events`;
const app = { app_id: 'cli_benchstmts01', app_secret: 'bench-secret-1' };
const seed: Seed = {
  tenants: [{ tenant_key: 'bench', name: 'Bench', users: Array.from({ length: USERS }, (_, i) => ({ user_id: `u${i}`, name: `User ${i}` })), apps: [{ ...app, name: 'bench', scopes: allScopes(), events: { request_url: rxUrl, verification_token: 'vt', subscribe: ['vc.meeting.join_meeting_v1', 'vc.meeting.leave_meeting_v1'] } }] }],
};
const schema = await pgSchema('bench_stmts');
const s = await startServer(resolveConfig({ host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'openvc-stmts-')), databaseUrl: schema.url, demo: false, logLevel: 'silent', rateLimit: false }), { logger: pino({ level: 'silent' }) });
await s.runtime.repos.directory.applySeed(seed);
const a = (await s.runtime.repos.apps.find(app.app_id))!;
const tokens: string[] = [];
for (let i = 0; i < USERS; i++) tokens.push((await s.runtime.tokens.issueUserTokens(a, `u${i}`, a.scopes, 'v1', Date.now())).accessToken);
const tenantToken = (await s.runtime.tokens.tenantToken(a)).token;
const post = async (path: string, token: string, body: unknown) => {
  const r = await fetch(s.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as { code: number; data: any };
};
const reserve = await post('/open-apis/vc/v1/reserves/apply?user_id_type=user_id', tenantToken, { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'u0', meeting_settings: { topic: 'Stmts', password: '' } });
if (reserve.code !== 0) throw new Error(JSON.stringify(reserve));
const no = reserve.data.reserve.meeting_no as string;
await post('/client/v1/meetings/join', tokens[0]!, { meeting_no: no });

const sessions = new Map<number, string>();
let joins = 0;
let leaves = 0;
counting = true;
const loop = async (first: number, changes: number) => {
  for (let i = 0; i < changes; i++) {
    const u = first + (i % PER_LOOP);
    const session = sessions.get(u);
    if (session) {
      sessions.delete(u);
      if ((await post(`/client/v1/sessions/${session}/leave`, tokens[u]!, {})).code === 0) leaves++;
    } else {
      const r = await post('/client/v1/meetings/join', tokens[u]!, { meeting_no: no });
      if (r.code !== 0 && i < 3) console.log(JSON.stringify(r));
      if (r.code === 0) {
        sessions.set(u, r.data.session_id);
        joins++;
      }
    }
  }
};
await Promise.all(Array.from({ length: PARALLEL }, (_, k) => loop(1 + k * PER_LOOP, Math.ceil(CHANGES / PARALLEL))));
await new Promise((r) => setTimeout(r, 500));
counting = false;
const total = [...counts.values()].reduce((x, y) => x + y, 0);
console.log(`${joins} joins, ${leaves} leaves: ${(total / (joins + leaves)).toFixed(1)} statements per state change (request and event delivery together)\n`);
for (const [k, n] of [...counts].sort((x, y) => y[1] - x[1])) console.log(`${(n / (joins + leaves)).toFixed(2).padStart(6)}  ${k}`);
await s.close();
rx.close();
await schema.drop();
process.exit(0);
