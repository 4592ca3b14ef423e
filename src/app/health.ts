import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { pendingMigrations, type Store } from '../store/database.js';
import type { Readiness } from '../http/context.js';

/** A check that does not answer within this is failed: a load balancer's probe must not hang on a dead store. */
const CHECK_TIMEOUT_MS = 2000;

async function within<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessSources {
  store: Store;
  /** the process's job runners by name; each must be polling */
  runners: Record<string, { alive(): boolean }>;
}

/** Store reachable, every migration run, every job runner polling; each check names what failed. */
export function readinessOf(sources: ReadinessSources): () => Promise<Readiness> {
  return async () => {
    const checks: Record<string, string> = {};
    const run = async (name: string, check: () => Promise<string | undefined>) => {
      try {
        const failure = await within(check());
        checks[name] = failure ?? 'ok';
      } catch (e) {
        checks[name] = (e as Error).message || String(e);
      }
    };
    await run('store', async () => {
      await sql`select 1`.execute(sources.store.db);
      return undefined;
    });
    await run('migrations', async () => {
      const pending = await pendingMigrations(sources.store);
      return pending.length === 0 ? undefined : `pending: ${pending.join(', ')}`;
    });
    await run('jobs', async () => {
      const dead = Object.entries(sources.runners).filter(([, r]) => !r.alive()).map(([name]) => name);
      return dead.length === 0 ? undefined : `not running: ${dead.join(', ')}`;
    });
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  };
}

/**
 * Load-balancer probes (docs/operations.md): no token, no rate limit, not in the OpenAPI document.
 * `/healthz` answers while the process serves HTTP; `/readyz` only while it can do its work.
 */
export function healthRoutes(app: FastifyInstance, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('ok'));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const r = await readiness();
    return reply
      .status(r.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .serializer(JSON.stringify)
      .send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
}
