/**
 * Issue 16: the cluster's read throughput with 1, 2 and 3 openvc processes on one PostgreSQL, in the same run.
 * Three built servers (`dist/`) share a fresh schema; for N = 1, 2, 3 the same 48 connections are spread over
 * the first N processes (one autocannon per process, at once) and the answered requests/s are summed, for
 * contact.user.get and room.get with a tenant token. All processes and the load generator share this machine,
 * so the numbers say how the cluster scales here, not on separate hosts: the load average is printed with them.
 *
 * Usage: npm run build && npx tsx bench/cluster-reads.ts [--seconds 10] [--pg postgres://…]
 */
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { openRuntime } from '../src/app/runtime.js';
import { fixture, fixtureSeed } from '../test/helpers/fixture.js';
import { SECONDS, load, pgSchema, startChild } from './harness.js';

const CONNECTIONS = 48;
const PROCESSES = 3;

async function main(): Promise<void> {
  const schema = await pgSchema('cluster_reads');
  const dir = mkdtempSync(join(tmpdir(), 'openvc-cluster-reads-'));
  const children: { child: import('node:child_process').ChildProcess; url: string }[] = [];
  try {
    const rt = await openRuntime(resolveConfig({ dataDir: dir, databaseUrl: schema.url, demo: false, logLevel: 'silent' }), { logger: pino({ level: 'silent' }) });
    await rt.repos.directory.applySeed(fixtureSeed());
    const app = (await rt.repos.apps.find(fixture.acme.full.appId))!;
    const token = (await rt.tokens.tenantToken(app)).token;
    await rt.store.close();

    for (let i = 0; i < PROCESSES; i++) {
      children.push(
        await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dir, '--database-url', schema.url, '--no-demo', '--no-rate-limit', '--heartbeat-timeout', '600']),
      );
    }
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = (await (await fetch(`${children[0]!.url}/open-apis/vc/v1/rooms`, { method: 'POST', headers, body: JSON.stringify({ name: 'Bench room', capacity: 8, room_level_id: '0' }) })).json()) as {
      data: { room: { room_id: string } };
    };
    const reads = [
      { name: 'contact.user.get', path: '/open-apis/contact/v3/users/alice?user_id_type=user_id' },
      { name: 'room.get', path: `/open-apis/vc/v1/rooms/${created.data.room.room_id}` },
    ];

    console.log(`cluster read throughput on PostgreSQL, ${CONNECTIONS} connections spread over N processes, ${SECONDS} s each, load average ${loadavg()[0]!.toFixed(1)} at start`);
    console.log('| read | N | req/s (sum) | per process | p99 ms (worst) | errors / non-2xx | vs N=1 |');
    console.log('|---|---|---|---|---|---|---|');
    for (const read of reads) {
      let single = 0;
      for (let n = 1; n <= PROCESSES; n++) {
        const targets = children.slice(0, n);
        // warm each process's caches and connections first
        await Promise.all(targets.map((t) => load(t.url + read.path, { headers, connections: 8, duration: 2 })));
        const results = await Promise.all(targets.map((t) => load(t.url + read.path, { headers, connections: Math.floor(CONNECTIONS / n) })));
        const sum = results.reduce((a, r) => a + r.rps, 0);
        if (n === 1) single = sum;
        const p99 = Math.max(...results.map((r) => r.p99));
        const bad = results.reduce((a, r) => a + r.errors + r.non2xx, 0);
        console.log(`| ${read.name} | ${n} | ${sum} | ${results.map((r) => r.rps).join(' / ')} | ${p99} | ${bad} | ${((sum / single) * 100).toFixed(0)} % |`);
      }
    }
    console.log(`load average ${loadavg()[0]!.toFixed(1)} at the end (${process.env.BENCH_NOTE ?? 'all on one machine'})`);
  } finally {
    for (const c of children) c.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await schema.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
