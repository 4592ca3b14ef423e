import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { resolveConfig } from '../config/config.js';
import { openRuntime } from './runtime.js';
import { buildApp } from './http-app.js';
import { RateLimiter } from '../http/rate-limit.js';
import { reserveRules } from '../domain/meeting/reserved-meetings.js';

/** Builds the app on a scratch store (routes need a context to register) and hands it to `use`. */
export async function withDocApp<T>(use: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-docs-'));
  const config = resolveConfig({ dataDir: dir, demo: false, logLevel: 'silent', publicUrl: 'http://127.0.0.1:8080' });
  const rt = await openRuntime(config, { logger: pino({ level: 'silent' }) });
  try {
    const app = await buildApp({ ...rt, publicUrl: config.publicUrl ?? '', rateLimiter: new RateLimiter(), events: rt.dispatcher, reserveRules: reserveRules(rt.repos) });
    await app.ready();
    try {
      return await use(app);
    } finally {
      await app.close();
    }
  } finally {
    await rt.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function openApiDocument(): Promise<unknown> {
  return withDocApp(async (app) => app.swagger());
}
