import type { Logger } from 'pino';
import type { TokenService } from '../domain/auth/tokens.js';
import type { JobRepository } from '../store/repositories/job.repository.js';
import type { DeliveryRepository } from '../store/repositories/delivery.repository.js';
import type { ThrottleRepository } from '../store/repositories/throttle.repository.js';
import type { RateWindowRepository } from '../store/repositories/rate-window.repository.js';
import type { CredentialRepository } from '../store/repositories/credential.repository.js';
import type { ConsoleRepository } from '../store/repositories/console.repository.js';

/** How long the console remembers a sent form's request_id (a double submit comes within seconds). */
export const CONSOLE_REQUEST_RETENTION_MS = 24 * 3600_000;

export interface MaintenanceDeps {
  tokens: TokenService;
  jobs: JobRepository;
  deliveries: DeliveryRepository;
  throttle: ThrottleRepository;
  /** cluster-wide rate-limit windows; those over two minutes old count nothing any more */
  rateWindows?: Pick<RateWindowRepository, 'prune'>;
  /** sign-in sessions, invitations and upstream sign-ins past their expiry */
  credentials: Pick<CredentialRepository, 'pruneExpired'>;
  /** the console's sent forms (request_id of an export), kept a day against double submits */
  consoleRequests?: Pick<ConsoleRepository, 'pruneRequests'>;
  /** finished deliveries, their attempts and delivered outbox events older than this are deleted */
  eventRetentionMs: number;
  /** failed-guess counters quiet this long and unlocked count nothing any more (the throttle's longest lock) */
  guessQuietMs: number;
}

/**
 * Periodic clean-up that is safe to lose: expired tokens are dead, finished jobs are done, and finished
 * deliveries past retention are history whether or not their rows remain, so a timer (rather than a
 * durable job) suffices here. Runs in every process; the deletes are idempotent.
 */
export function startMaintenance(deps: MaintenanceDeps, logger: Logger, everyMs = 10 * 60_000): () => void {
  const timer = setInterval(() => void runMaintenance(deps, logger), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** One maintenance pass; exported so tests drive it rather than wait for the timer. */
export async function runMaintenance(deps: MaintenanceDeps, logger: Logger): Promise<void> {
  try {
    const now = Date.now();
    const removed = await deps.tokens.purgeExpired();
    const finished = await deps.jobs.deleteFinished(now - 7 * 24 * 3600_000);
    const pruned = await deps.deliveries.prune(now - deps.eventRetentionMs);
    const counters = await deps.throttle.prune(now - deps.guessQuietMs, now);
    const signIns = await deps.credentials.pruneExpired(now);
    // Not worth a log line: windows come and go every second under load.
    await deps.rateWindows?.prune(now - 120_000);
    const forms = (await deps.consoleRequests?.pruneRequests(now - CONSOLE_REQUEST_RETENTION_MS)) ?? 0;
    if (removed > 0 || finished > 0 || pruned.deliveries > 0 || pruned.events > 0 || counters > 0 || signIns > 0 || forms > 0) {
      logger.info(
        { tokens: removed, jobs: finished, deliveries: pruned.deliveries, events: pruned.events, guess_counters: counters, sign_ins: signIns, console_requests: forms },
        'purged expired tokens, finished jobs, old deliveries, quiet guess counters, expired sign-ins and old console requests',
      );
    }
  } catch (err) {
    logger.warn({ err }, 'maintenance failed');
  }
}
