import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, cliArgv } from './helpers/cli.js';

// The rough edges a newcomer meets at the command line (issue 18, item 4): each answered with a message
// that says what is wrong and what to do, an exit code of 2 for a configuration problem, and nothing left behind.

const scratch = mkdtempSync(join(tmpdir(), 'openvc-cli-edges-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('openvc at the command line', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it('stops quietly when the reader of its output goes away (`| head`)', async () => {
    const child = spawn(process.execPath, cliArgv('docs', 'openapi'), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then hang up, as `head -c` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });

  it('refuses a data directory it cannot create, at once and naming the path', async () => {
    const started = Date.now();
    const r = await runCli(['serve', '--port', '0', '--data-dir', '/proc/openvc-cannot-be-here'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data-dir /proc/openvc-cannot-be-here: cannot create /proc/openvc-cannot-be-here');
    expect(Date.now() - started).toBeLessThan(30_000);
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a directory');
    const r2 = await runCli(['migrate', '--data-dir', join(file, 'data')], { timeoutMs: 30_000 });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`--data-dir ${join(file, 'data')}`);
    expect(r2.stderr).toContain('not a directory');
  });

  it('says a port is taken and what to do, and leaves no database behind', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dataDir = join(scratch, 'taken');
    try {
      const r = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('--port');
      expect(existsSync(join(dataDir, 'openvc.db'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("runs the README's simulate example into the report window, whenever it is run", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('openvc simulate --meetings') && !l.includes('--live'));
    expect(line).toBeDefined();
    const args = line!.replace(/^openvc /, '').replace(/--meetings \d+/, '--meetings 4').split(/\s+/);
    const dataDir = join(scratch, 'simulated');
    const r = await runCli([...args, '--data-dir', dataDir], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const { openRuntime } = await import('../src/app/runtime.js');
    const { loadConfig } = await import('../src/config/config.js');
    const pino = (await import('pino')).default;
    const rt = await openRuntime(loadConfig({ dataDir }), { logger: pino({ level: 'silent' }) });
    try {
      const starts = (await rt.store.db.selectFrom('meetings').select('started_at').execute()).map((m) => Number(m.started_at));
      expect(starts).toHaveLength(4);
      const windowStart = Date.now() - rt.config.reportWindow * 86_400_000;
      expect(starts.every((t) => t > windowStart && t < Date.now())).toBe(true);
    } finally {
      await rt.store.close();
    }
  });

  it('says a database error comes from PostgreSQL and which one, without the password', async () => {
    const free: Server = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    const r = await runCli(['migrate', '--database-url', `postgres://someone:sekrit-pw@127.0.0.1:${port}/nowhere`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`PostgreSQL at postgres://someone@127.0.0.1:${port}/nowhere`);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('is PostgreSQL running');
    expect(r.stderr).not.toContain('sekrit-pw');
  });
});
