import type { Logger } from 'pino';
import type { TokenService } from '../domain/auth/tokens.js';
import type { JobRepository } from '../store/repositories/job.repository.js';

/**
 * Periodic clean-up that is safe to lose: expired tokens are dead and finished jobs are done whether or
 * not their rows remain, so a timer (rather than a durable job) suffices here. Runs in every process;
 * the deletes are idempotent.
 */
export function startMaintenance(tokens: TokenService, jobs: JobRepository, logger: Logger, everyMs = 10 * 60_000): () => void {
  const run = async () => {
    try {
      const removed = await tokens.purgeExpired();
      const finished = await jobs.deleteFinished(Date.now() - 7 * 24 * 3600_000);
      if (removed > 0 || finished > 0) logger.info({ tokens: removed, jobs: finished }, 'purged expired tokens and finished jobs');
    } catch (err) {
      logger.warn({ err }, 'token purge failed');
    }
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
