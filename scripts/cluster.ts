/**
 * A real openvc cluster on this machine (issue 16, item 5; docs/operations.md "Cluster"): PostgreSQL
 * (a private instance, unless --database-url names one), N openvc processes started with the real CLI,
 * and nginx as the load balancer with WebSocket upgrade. Stops everything on Ctrl-C.
 *
 *   npx tsx scripts/cluster.ts [--nodes 3] [--port 8090] [--database-url postgres://…] [--seed seed.json] [--dir DIR]
 *
 * `startCluster` is what test/cluster-browser.test.ts uses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NGINX = process.env.OPENVC_NGINX ?? '/usr/sbin/nginx';

export interface ClusterOptions {
  nodes?: number;
  /** the balancer's port (0: a free one) */
  port?: number;
  /** an existing PostgreSQL database (else a private instance is started: needs initdb and pg_ctl) */
  databaseUrl?: string;
  /** applied by the first node before the others start */
  seed?: string;
  /** where logs, nginx's files and the shared data directory go (default: a new temp directory) */
  dir?: string;
  /** extra environment for every node (OPENVC_* settings) */
  env?: NodeJS.ProcessEnv;
  /** called with every line a node prints */
  onLine?: (node: number, line: string) => void;
}

export interface ClusterNode {
  index: number;
  port: number;
  /** its own address (what other nodes relay to), bypassing the balancer */
  url: string;
  process: ChildProcess;
  /** the lines it printed so far (JSON log lines and the banner) */
  lines: string[];
  alive: boolean;
  /** kill -9 */
  kill(): void;
}

export interface Cluster {
  /** the balancer: what browsers and API clients use */
  url: string;
  databaseUrl: string;
  dir: string;
  nodes: ClusterNode[];
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`cluster: ${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ok = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

function pgBin(name: string): string | undefined {
  const dirs = ['/usr/local/bin', ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : [])];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** A private PostgreSQL in `dir` on a free port; as root it runs as the `postgres` user (initdb refuses root). */
async function startPostgres(dir: string): Promise<{ url: string; stop(): void }> {
  const initdb = pgBin('initdb');
  const pgCtl = pgBin('pg_ctl');
  if (!initdb || !pgCtl) throw new Error('cluster: no initdb/pg_ctl found; pass --database-url of an existing PostgreSQL');
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as `postgres`, which must reach its data directory: a `dir` nested in a
  // caller's private (0700) temporary directory is not reachable, so root gets a fresh one of its own.
  const base = asRoot ? mkdtempSync(join(tmpdir(), 'openvc-cluster-pg-')) : dir;
  const data = join(base, 'pg');
  mkdirSync(data, { recursive: true });
  const run = (args: string[]) => {
    const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cluster: ${args[0]} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) {
    const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const uid = Number(pgUser.stdout.trim());
    chmodSync(base, 0o755);
    chownSync(data, uid, Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  }
  const port = await freePort();
  run([initdb, '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  run([pgCtl, '-D', data, '-l', join(data, 'server.log'), '-o', `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, '-w', 'start']);
  const stop = () => {
    spawnSync(asRoot ? 'runuser' : pgCtl, asRoot ? ['-u', 'postgres', '--', pgCtl, '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop']);
    if (base !== dir) rmSync(base, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  if (!existsSync(NGINX)) throw new Error(`cluster: no nginx at ${NGINX} (apt-get install nginx, or set OPENVC_NGINX)`);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'openvc-cluster-'));
  mkdirSync(dir, { recursive: true });
  const cleanups: (() => void | Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  };
  try {
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      const pg = await startPostgres(dir);
      cleanups.push(pg.stop);
      databaseUrl = pg.url;
    }
    const lbPort = opts.port || (await freePort());
    const lbUrl = `http://127.0.0.1:${lbPort}`;
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const nodes: ClusterNode[] = [];
    const count = opts.nodes ?? 3;
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort());

    const startNode = (index: number, seed: boolean): ClusterNode => {
      const port = ports[index]!;
      const url = `http://127.0.0.1:${port}`;
      const args = ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--database-url', databaseUrl, '--data-dir', dataDir, '--public-url', lbUrl, '--media-node-url', url, '--trust-proxy', '127.0.0.1'];
      if (seed && opts.seed) args.push('--seed', opts.seed);
      if (index > 0) args.push('--no-demo');
      const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const log = createWriteStream(join(dir, `node${index + 1}.log`));
      const node: ClusterNode = { index, port, url, process: child, lines: [], alive: true, kill: () => child.kill('SIGKILL') };
      let rest = '';
      const take = (d: Buffer) => {
        log.write(d);
        const text = rest + d.toString();
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          node.lines.push(l);
          opts.onLine?.(index, l);
        }
      };
      child.stdout!.on('data', take);
      child.stderr!.on('data', take);
      child.on('exit', () => {
        node.alive = false;
        log.end();
      });
      cleanups.push(async () => {
        if (!node.alive) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (node.alive) child.kill('SIGKILL');
      });
      return node;
    };

    // The first node migrates the store and applies the seed; the others start on a ready store.
    nodes.push(startNode(0, true));
    await waitFor('node 1', () => ok(`${nodes[0]!.url}/readyz`), 120_000);
    for (let i = 1; i < count; i++) nodes.push(startNode(i, false));
    await Promise.all(nodes.slice(1).map((n) => waitFor(`node ${n.index + 1}`, () => ok(`${n.url}/readyz`), 120_000)));

    // nginx: the template with this cluster's addresses.
    const prefix = join(dir, 'nginx');
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, 'tmp', t), { recursive: true });
    const conf = readFileSync(join(ROOT, 'scripts/cluster/nginx.conf.template'), 'utf8')
      .replaceAll('{{PREFIX}}', prefix)
      .replaceAll('{{LISTEN}}', `127.0.0.1:${lbPort}`)
      .replaceAll('{{SERVERS}}', nodes.map((n) => `    server 127.0.0.1:${n.port} max_fails=1 fail_timeout=5s;`).join('\n'));
    const confPath = join(prefix, 'nginx.conf');
    writeFileSync(confPath, conf);
    // As root, nginx's workers would switch to `nobody`, who cannot write the temp paths: keep them as this user.
    const user = process.getuid?.() === 0 ? ['-g', 'user root;'] : [];
    const test = spawnSync(NGINX, ['-t', '-c', confPath, '-p', prefix, ...user], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`cluster: nginx refuses its configuration: ${test.stderr}`);
    const nginx = spawn(NGINX, ['-c', confPath, '-p', prefix, ...user], { stdio: ['ignore', 'inherit', 'inherit'] });
    let nginxAlive = true;
    nginx.on('exit', () => (nginxAlive = false));
    cleanups.push(async () => {
      if (!nginxAlive) return;
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (nginxAlive) nginx.kill('SIGKILL');
    });
    await waitFor('nginx', () => ok(`${lbUrl}/readyz`), 30_000);
    if (!opts.dir) cleanups.unshift(() => rmSync(dir, { recursive: true, force: true }));
    return { url: lbUrl, databaseUrl, dir, nodes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dir = flag(args, 'dir');
  const databaseUrl = flag(args, 'database-url') ?? process.env.OPENVC_DATABASE_URL;
  const seed = flag(args, 'seed');
  const cluster = await startCluster({
    nodes: Number(flag(args, 'nodes') ?? 3),
    port: Number(flag(args, 'port') ?? 8090),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(seed ? { seed: resolve(seed) } : {}),
    dir: dir ? resolve(dir) : mkdtempSync(join(tmpdir(), 'openvc-cluster-')),
  });
  const banner = cluster.nodes[0]!.lines.filter((l) => !l.startsWith('{')).join('\n');
  process.stdout.write(
    [
      '',
      `  openvc cluster: ${cluster.nodes.length} processes behind nginx at ${cluster.url}`,
      `  store:   ${cluster.databaseUrl}`,
      ...cluster.nodes.map((n) => `  node ${n.index + 1}:  ${n.url}  (pid ${n.process.pid}, log ${join(cluster.dir, `node${n.index + 1}.log`)})`),
      `  files:   ${cluster.dir}`,
      banner,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const quit = () => void cluster.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
