/**
 * bench/throttle.ts's server: openvc over a fresh fixture-seeded store, in a child process, printing
 * `READY <port>`. With `--no-throttle` the guess throttle admits everything without reading the store: the
 * "before" of the same build, so that both sides of the comparison run the same code otherwise.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../src/config/config.js';
import { startServer } from '../src/app/runtime.js';
import { fixtureSeed } from '../test/helpers/fixture.js';

const args = process.argv.slice(2);
const databaseUrl = args.includes('--database-url') ? args[args.indexOf('--database-url') + 1] : undefined;
const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-throttle-'));
const seed = join(dir, 'seed.json');
writeFileSync(seed, JSON.stringify(fixtureSeed()));
const config = resolveConfig({ port: 0, dataDir: dir, seed, demo: false, rateLimit: false, logLevel: 'warn', ...(databaseUrl ? { databaseUrl } : {}) });
const server = await startServer(config, { logger: pino({ level: 'warn' }) });
if (args.includes('--no-throttle')) {
  const admitted = { failed: async () => undefined, succeeded: async () => undefined };
  server.runtime.throttle.admit = async () => admitted;
}
process.stdout.write(`READY ${new URL(server.url).port}\n`);
