import type { Kysely } from 'kysely';
import type { JobRunner } from '../../jobs/runner.js';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import { CONSOLE_ROLLUP_JOB, backfillConsoleRollups } from '../../domain/report/console-rollup.service.js';

/** How long one run of the backfill works before the runner's other jobs get their turn. */
const SLICE_MS = 2000;

/**
 * The dashboard rollups' backfill (migration 0040 schedules it when the store held sessions): a slice of
 * the backlog per run, then the next run is scheduled, so the meeting jobs that share the runner never
 * wait long. Two runs at once (a lease taken over) take different sessions, so running twice is harmless.
 */
export function registerConsoleJobs(jobs: JobRunner, db: Kysely<Database>, repos: Repositories): void {
  jobs.register(CONSOLE_ROLLUP_JOB, async () => {
    if (await backfillConsoleRollups(db, repos, { forMs: SLICE_MS })) await repos.jobs.schedule({ kind: CONSOLE_ROLLUP_JOB, payload: {}, runAt: Date.now() });
  });
}
