/**
 * Issue 4's throughput budget: sustained ≥ 2,000 deliveries/s to a fast local receiver on SQLite, with
 * PostgreSQL reported beside it. A backlog of real meeting events (join/leave, cloned with fresh
 * event_ids through the outbox repository, so deliveries are fanned out as in production) waits in the
 * store; the built server starts and drains it. The baseline, in the same run, is this process posting
 * the same number of bodies to the same receiver, one app's posts one at a time like the dispatcher.
 *
 * Usage: npm run build && npx tsx bench/event-throughput.ts [--events 10000] [--apps 4] [--pg postgres://…]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import type { Seed } from '../src/domain/seed.js';
import { allScopes } from '../src/domain/demo.js';
import { opt, startChild, pgSchema } from './harness.js';

const EVENTS = Number(opt('events', '10000'));
const APPS = Number(opt('apps', '4'));
// An instant meeting's events (reserved meetings' join/leave events are the same size).
const TYPES = ['vc.meeting.all_meeting_started_v1', 'vc.meeting.join_meeting_v1', 'vc.meeting.leave_meeting_v1'];

let received = 0;
let first = 0;
let last = 0;
let waiter: (() => void) | undefined;
let target = Infinity;
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    JSON.parse(body);
    const now = performance.now();
    if (received === 0) first = now;
    last = now;
    if (++received >= target) waiter?.();
    res.end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const rxUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const arrive = (n: number, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    received = 0;
    target = n;
    const t = setTimeout(() => resolve(false), timeoutMs);
    waiter = () => {
      clearTimeout(t);
      resolve(true);
    };
  });

const seed: Seed = {
  tenants: [
    {
      tenant_key: 'bench',
      name: 'Bench',
      users: Array.from({ length: 10 }, (_, i) => ({ user_id: `u${i}`, name: `User ${i}` })),
      apps: Array.from({ length: APPS }, (_, i) => ({
        app_id: `cli_benchthroughput${i}`,
        app_secret: `secret-${i}`,
        name: `bench ${i}`,
        scopes: allScopes(),
        events: { request_url: `${rxUrl}/app${i}`, verification_token: 'vt', subscribe: TYPES },
      })),
    },
  ],
};

/** A store holding EVENTS undelivered events for every app; returns the serve flags that address it. */
async function backlog(store: { dataDir: string; databaseUrl?: string }): Promise<void> {
  const rt = await openRuntime(resolveConfig({ ...store, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
  await rt.repos.directory.applySeed(seed);
  // Real events from a real meeting, then cloned with fresh ids.
  const caller = (u: number) => ({ tenantKey: 'bench', userId: `u${u}`, appId: 'cli_benchthroughput0' });
  const host = await rt.meetings.startInstant(caller(0), 'Bench', {});
  for (let u = 1; u < 10; u++) {
    const s = await rt.meetings.joinByNo(caller(u), host.meeting.meetingNo, undefined, {});
    await rt.meetings.leave(caller(u), s.sessionId);
  }
  const samples = await rt.store.db.selectFrom('outbox_events').selectAll().where('event_type', 'in', TYPES).execute();
  await rt.store.db.deleteFrom('event_deliveries').execute();
  for (let done = 0; done < EVENTS; ) {
    const n = Math.min(500, EVENTS - done);
    await rt.store.db.transaction().execute(async (trx) => {
      await rt.repos.outbox.append(
        Array.from({ length: n }, (_, i) => {
          const s = samples[(done + i) % samples.length]!;
          return { eventId: `bench${String(done + i).padStart(27, '0')}`, tenantKey: 'bench', eventType: s.event_type, meetingId: s.meeting_id, at: Date.now(), payload: JSON.parse(s.payload) as unknown };
        }),
        trx,
      );
    });
    done += n;
  }
  await rt.store.close();
}

async function drain(label: string, store: { dataDir: string; databaseUrl?: string }) {
  await backlog(store);
  const flags = store.databaseUrl ? ['--database-url', store.databaseUrl] : ['--data-dir', store.dataDir];
  const arrived = arrive(EVENTS * APPS, 300_000);
  const server = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', ...flags, '--no-demo', '--log-level', 'warn']);
  const ok = await arrived;
  server.child.kill();
  const seconds = (last - first) / 1000;
  return { label, deliveries: received, seconds, rate: Math.round(received / seconds), ok };
}

/** The same bodies posted by this process: one sequential lane per app, keep-alive, like the dispatcher. */
async function baseline() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: APPS });
  const body = JSON.stringify({ schema: '2.0', header: { event_id: 'x'.repeat(32), event_type: TYPES[0], create_time: String(Date.now()), token: 'vt', app_id: 'cli_x', tenant_key: 'bench' }, event: { meeting: { id: '1', topic: 'Bench' } } });
  const post = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(`${rxUrl}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  const arrived = arrive(EVENTS * APPS, 300_000);
  await Promise.all(Array.from({ length: APPS }, async (_, a) => {
    for (let i = 0; i < EVENTS; i++) await post(`/app${a}`);
  }));
  await arrived;
  agent.destroy();
  const seconds = (last - first) / 1000;
  return { label: 'baseline: this process posting directly', deliveries: received, seconds, rate: Math.round(received / seconds), ok: true };
}

const results = [await baseline()];
const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-throughput-'));
results.push(await drain('openvc, SQLite', { dataDir: dir }));
try {
  const pgStore = await pgSchema();
  results.push(await drain('openvc, PostgreSQL', { dataDir: dir, databaseUrl: pgStore.url }));
  await pgStore.drop();
} catch (e) {
  console.error(`PostgreSQL skipped: ${(e as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });

console.log(`\n${EVENTS.toLocaleString('en')} events × ${APPS} apps = ${(EVENTS * APPS).toLocaleString('en')} deliveries; node ${process.version}\n`);
console.log('| target | deliveries | seconds | deliveries/s | vs baseline |\n|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.label}${r.ok ? '' : ' (timed out)'} | ${r.deliveries} | ${r.seconds.toFixed(2)} | ${r.rate.toLocaleString('en')} | ${Math.round((100 * r.rate) / results[0]!.rate)} % |`);
receiver.close();
process.exit(0);
