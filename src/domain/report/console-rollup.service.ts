/**
 * Keeps the admin dashboard's daily rollups (console-rollup.ts says what counts): a session's join adds
 * to the mix and its end adds its samples to quality, each in the transaction of that change; sessions
 * older than the rollups are added by the backfill job (migration 0040).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import { sampleQuality, sessionMix } from './console-rollup.js';

export const CONSOLE_ROLLUP_JOB = 'console.rollup_backfill';

type RollupRepos = Pick<Repositories, 'sessions' | 'consoleRollups'>;

/** In the join's transaction: the new sessions' devices enter the mix. */
export async function rollUpJoins(repos: RollupRepos, sessions: readonly { tenant_key: string; joined_at: number; device: string }[], trx: Kysely<Database>): Promise<void> {
  await repos.consoleRollups.addMix(sessionMix(sessions), trx);
}

/** In the transaction that ended them: the sessions' samples, final now (no sample is taken after a session ends), enter quality. */
export async function rollUpEnded(repos: RollupRepos, sessionIds: readonly string[], trx: Kysely<Database>): Promise<void> {
  if (sessionIds.length === 0) return;
  await repos.consoleRollups.addQuality(sampleQuality(await repos.sessions.samplesOf(sessionIds, trx)), trx);
}

export interface BackfillOptions {
  /** sessions per transaction (each holds SQLite's write lock while it runs) */
  batch?: number;
  /** stop after this many ms with work left (true is returned): the job runner's other jobs get their turn */
  forMs?: number;
  clock?: { now(): number };
}

/**
 * Rolls up sessions of the backlog, a batch per transaction: the batch leaves the backlog in the
 * transaction that adds it, so a crash loses nothing and repeats nothing. True when some are left.
 */
export async function backfillConsoleRollups(db: Kysely<Database>, repos: RollupRepos, o: BackfillOptions = {}): Promise<boolean> {
  const clock = o.clock ?? Date;
  const until = clock.now() + (o.forMs ?? Infinity);
  for (;;) {
    const taken = await db.transaction().execute(async (trx) => {
      const batch = await repos.consoleRollups.takeBacklog(o.batch ?? 100, trx);
      await rollUpJoins(repos, await repos.sessions.joins(batch.map((b) => b.sessionId), trx), trx);
      await rollUpEnded(
        repos,
        batch.filter((b) => b.quality).map((b) => b.sessionId),
        trx,
      );
      return batch.length;
    });
    if (taken === 0) return false;
    if (clock.now() >= until) return true;
  }
}

/**
 * Rolls up every session of a tenant again, in the caller's transaction, after `consoleRollups.clear`:
 * joins into the mix, ended sessions' samples into quality (open ones count when they end). Returns how
 * many sessions it read.
 */
export async function rebuildConsoleRollups(repos: RollupRepos, tenantKey: string, trx: Kysely<Database>, batch = 1000): Promise<number> {
  let read = 0;
  for (let after: string | undefined; ; ) {
    const page = await repos.sessions.tenantPage(tenantKey, after, batch, trx);
    const last = page.at(-1);
    if (!last) return read;
    await rollUpJoins(repos, await repos.sessions.joins(page.map((p) => p.id), trx), trx);
    await rollUpEnded(
      repos,
      page.filter((p) => p.ended).map((p) => p.id),
      trx,
    );
    read += page.length;
    after = last.id;
  }
}
