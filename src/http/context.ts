import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Store } from '../store/database.js';
import type { Repositories } from '../store/repositories/index.js';
import type { TokenService } from '../domain/auth/tokens.js';
import type { RateLimiter } from './rate-limit.js';
import type { RateLimit } from '../openapi/catalog.js';

/** Everything a route module may use; built once per server process. */
export interface AppContext {
  config: Config;
  /** Base URL for links we hand out (no trailing slash). */
  publicUrl: string;
  store: Store;
  repos: Repositories;
  tokens: TokenService;
  rateLimiter: RateLimiter;
  /** Per-method overrides of the published limits (tests and operators); keyed by catalog id. */
  rateLimitOverrides: Record<string, RateLimit>;
  logger: Logger;
}
