/**
 * What the benchmarks share: command-line options, servers in child processes, the load generator, a
 * tenant token for the fixture's full app, and openvc over a fresh fixture-seeded store.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { fixtureSeed, fixture } from '../test/helpers/fixture.js';

const args = process.argv.slice(2);
export const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] && !args[i + 1]!.startsWith('--') ? args[i + 1]! : def;
};
export const SECONDS = Number(opt('seconds', '10'));
export const PG_URL = opt('pg', process.env.OPENVC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

/**
 * `--pin`: the servers run on the last CPU and this process (the load generator) on the others, through
 * taskset (Linux), so that the scheduler does not move a server onto the load generator's core between
 * runs; on a 2-core machine that placement swings a run's requests/s by tens of percent.
 */
export const PIN = args.includes('--pin');
const cpus = availableParallelism();
if (PIN) {
  if (cpus < 2) throw new Error('--pin needs at least 2 CPUs');
  execFileSync('taskset', ['-pc', `0-${cpus - 2}`, String(process.pid)], { stdio: 'ignore' });
}

export async function startChild(cmd: string, argv: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  if (PIN) [cmd, argv] = ['taskset', ['-c', String(cpus - 1), cmd, ...argv]];
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

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** responses with a 2xx status */
  ok: number;
}

export async function load(url: string, opts: Partial<autocannon.Options>): Promise<Load> {
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: SECONDS, ...opts });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, ok: r['2xx'] };
}

/** Saturating throughput, then latency at half of it (after a warm-up). */
export async function measure(url: string, opts: Partial<autocannon.Options>): Promise<{ warm: Load; sat: Load; half: Load }> {
  const warm = await load(url, { ...opts, duration: 2 });
  const sat = await load(url, opts);
  const half = await load(url, { ...opts, connections: 8, overallRate: Math.max(1, Math.floor(sat.rps / 2)) });
  return { warm, sat, half };
}

export async function tenantToken(url: string): Promise<string> {
  const res = await fetch(`${url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }),
  });
  const body = (await res.json()) as { tenant_access_token: string };
  return body.tenant_access_token;
}

/** The built server (`npm run build`) over a fresh store seeded with the test fixture; `dir` holds its SQLite file. */
export async function openvc(label: string, extraArgs: string[]): Promise<{ child: ChildProcess; url: string; label: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-'));
  const seed = join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify(fixtureSeed()));
  const s = await startChild(process.execPath, ['dist/cli/index.js', 'serve', '--port', '0', '--data-dir', dir, '--seed', seed, '--no-demo', '--no-rate-limit', '--log-level', 'warn', ...extraArgs]);
  return { ...s, label, dir };
}

/** A fresh schema in the PostgreSQL bench database: its URL (selecting the schema) and a way to drop it. */
export async function pgSchema(prefix = 'bench'): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${Date.now()}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}
