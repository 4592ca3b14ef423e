import type { RequestLogBook } from '../../src/http/request-log.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import * as lark from '@larksuiteoapi/node-sdk';
import { resolveConfig, type Config } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/app/runtime.js';
import type { Seed } from '../../src/domain/seed.js';
import { fixtureSeed } from './fixture.js';
import type { MeetingCapture } from '../../src/media/capture.js';

/** Set by `npm run test:pg` and CI: run the same suite against PostgreSQL. */
export const PG_URL = process.env.OPENVC_TEST_DATABASE_URL;
export const dialect = PG_URL ? 'postgres' : 'sqlite';

/**
 * A place for one test file's data: a temp directory for SQLite, or a fresh schema in the PostgreSQL
 * test database. It outlives server restarts, so restart tests see the same data.
 */
export class TestStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'openvc-test-'));
  readonly pgSchema = PG_URL ? `t_${randomBytes(6).toString('hex')}` : undefined;
  /** The store's database URL; PostgreSQL URLs select the schema with libpq's `options`, which the CLI understands too. */
  readonly databaseUrl = PG_URL && this.pgSchema ? withSearchPath(PG_URL, this.pgSchema) : undefined;
  private created = false;

  async prepare(): Promise<void> {
    if (!PG_URL || this.created) return;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`create schema ${this.pgSchema}`);
    await c.end();
    this.created = true;
  }

  config(overrides: Partial<Config> = {}): Config {
    return resolveConfig({ host: '127.0.0.1', port: 0, dataDir: this.dir, databaseUrl: this.databaseUrl, demo: false, logLevel: 'silent', ...overrides });
  }

  /** CLI flags that address this store. */
  cliArgs(): string[] {
    return this.databaseUrl ? ['--database-url', this.databaseUrl] : ['--data-dir', this.dir];
  }

  /** A file in this store's temp directory. */
  file(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  async dispose(): Promise<void> {
    if (PG_URL && this.created) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${this.pgSchema} cascade`);
      await c.end();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface TestServer extends RunningServer {
  store: TestStore;
  /** An official SDK client pointed at this server, with its own token cache. */
  client(app: { appId: string; appSecret: string }): lark.Client;
}

/** A token cache per client, so that clients of different servers never share tokens. */
export function freshCache(): lark.Cache {
  const map = new Map<string | symbol, { value: unknown; expiredTime?: number }>();
  // eslint-disable-next-line @typescript-eslint/no-wrapper-object-types
  const k = (key: string | Symbol, ns?: string) => `${ns ?? ''}:${String(key)}`;
  return {
    set: async (key, value, expiredTime, options) => {
      map.set(k(key, options?.namespace), { value, expiredTime });
      return true;
    },
    get: async (key, options) => {
      const hit = map.get(k(key, options?.namespace));
      if (!hit || (hit.expiredTime !== undefined && hit.expiredTime < Date.now())) return undefined;
      return hit.value;
    },
  };
}

export function sdkClient(url: string, app: { appId: string; appSecret: string }, extra: Partial<ConstructorParameters<typeof lark.Client>[0]> = {}): lark.Client {
  return new lark.Client({
    appId: app.appId,
    appSecret: app.appSecret,
    domain: url,
    cache: freshCache(),
    // LoggerLevel.fatal is 0, which the SDK reads as "unset"; a silent logger keeps test output clean.
    logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} },
    ...extra,
  });
}

export interface StartTestOptions {
  store?: TestStore;
  seed?: Seed | null;
  config?: Partial<Config>;
  /** the media capture recordings use (none: recordings are made from no tracks) */
  capture?: MeetingCapture;
  /** the server's logger (silent unless given) */
  logger?: pino.Logger;
  /** where requests' log lines are kept for the troubleshooter page (the logger must write into it) */
  requestLog?: RequestLogBook;
}

/** A real server on a free port over a real store, seeded with the fixture unless told otherwise. */
export async function startTestServer(opts: StartTestOptions = {}): Promise<TestServer> {
  const store = opts.store ?? new TestStore();
  await store.prepare();
  const seed = opts.seed === undefined ? fixtureSeed() : opts.seed;
  const seedPath = seed ? store.file('seed.json', JSON.stringify(seed)) : undefined;
  const config = store.config({ ...(seedPath ? { seed: seedPath } : {}), ...opts.config });
  const server = await startServer(config, {
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.capture ? { capture: opts.capture } : {}),
    ...(opts.requestLog ? { requestLog: opts.requestLog } : {}),
  });
  return { ...server, store, client: (app) => sdkClient(server.url, app) };
}

/** The JSON body of an SDK call that failed with a non-2xx status. */
export async function sdkError(p: Promise<unknown>): Promise<{ status: number; body: Record<string, any>; headers: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { response?: { status: number; data: Record<string, any>; headers: Record<string, string> } };
    if (err.response) return { status: err.response.status, body: err.response.data, headers: err.response.headers };
    throw e;
  }
  throw new Error('expected the call to fail');
}
