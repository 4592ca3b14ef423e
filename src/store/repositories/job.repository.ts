import type { Kysely, Selectable } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database, JobTable } from '../schema.js';

export type JobRow = Selectable<JobTable>;

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt: number;
  /** At most one pending job per key: scheduling again moves it to the new time and payload. */
  dedupeKey?: string;
}

/**
 * The jobs table. Every method takes the executor to run on, so that a state change and the job it
 * schedules commit in one transaction.
 */
export class JobRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async schedule(job: NewJob, db: Kysely<Database> = this.db, now = Date.now()): Promise<void> {
    const row = {
      id: randomBytes(12).toString('hex'),
      kind: job.kind,
      dedupe_key: job.dedupeKey ?? null,
      payload: JSON.stringify(job.payload ?? {}),
      run_at: job.runAt,
      status: 'pending',
      attempts: 0,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    if (!job.dedupeKey) {
      await db.insertInto('jobs').values(row).execute();
      return;
    }
    await db
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) =>
        oc.column('dedupe_key').doUpdateSet({ payload: row.payload, run_at: row.run_at, status: 'pending', attempts: 0, locked_until: null, last_error: null, updated_at: now }),
      )
      .execute();
  }

  /** Drops a pending job by key (its reason went away). */
  async cancel(dedupeKey: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('jobs').where('dedupe_key', '=', dedupeKey).where('status', '=', 'pending').execute();
  }

  /** Due jobs: pending ones whose time came, and running ones whose lease ran out. */
  async due(now: number, limit: number, kinds: string[]): Promise<JobRow[]> {
    if (kinds.length === 0) return [];
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('run_at')
      .limit(limit)
      .execute();
  }

  /** Takes a due job for this process; false when another process took it first. */
  async claim(job: JobRow, now: number, leaseMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ status: 'running', locked_until: now + leaseMs, attempts: job.attempts + 1, updated_at: now })
      .where('id', '=', job.id)
      .where('status', '=', job.status)
      .where('attempts', '=', job.attempts)
      .where('run_at', '=', job.run_at)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Extends the lease of a job this process holds; false when it no longer holds it. */
  async renew(job: JobRow, attempts: number, lockedUntil: number): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ locked_until: lockedUntil })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempts)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Gives a claimed job back, due at once and without counting the attempt (its process is stopping). */
  async release(job: JobRow, attempts: number, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'pending', run_at: now, attempts: attempts - 1, locked_until: null, updated_at: now })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempts)
      .execute();
  }

  /** Finishes a claimed job unless it was rescheduled meanwhile (then the new schedule stands). */
  async finish(job: JobRow, attempts: number, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', locked_until: null, updated_at: now })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempts)
      .execute();
  }

  /** Records a failed attempt (retried at `retryAt`, or failed for good); false when the job was no longer this attempt's. */
  async fail(job: JobRow, attempts: number, error: string, retryAt: number | undefined, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ status: retryAt === undefined ? 'failed' : 'pending', run_at: retryAt ?? job.run_at, locked_until: null, last_error: error.slice(0, 2000), updated_at: now })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('attempts', '=', attempts)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async byKey(dedupeKey: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  }

  async deleteFinished(before: number): Promise<number> {
    const res = await this.db.deleteFrom('jobs').where('status', '=', 'done').where('updated_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
