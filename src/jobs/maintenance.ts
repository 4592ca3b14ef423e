import type { Logger } from 'pino';
import type { TokenService } from '../domain/auth/tokens.js';

/**
 * Periodic clean-up that is safe to lose: expired tokens are dead whether or not their rows remain, so a
 * timer (rather than a durable job) suffices here. Runs in every process; the deletes are idempotent.
 */
export function startMaintenance(tokens: TokenService, logger: Logger, everyMs = 10 * 60_000): () => void {
  const run = async () => {
    try {
      const removed = await tokens.purgeExpired();
      if (removed > 0) logger.info({ removed }, 'purged expired tokens');
    } catch (err) {
      logger.warn({ err }, 'token purge failed');
    }
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
