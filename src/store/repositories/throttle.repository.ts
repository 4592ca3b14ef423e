import { sql, type Kysely } from 'kysely';
import type { Database, GuessCounterTable } from '../schema.js';

export type GuessCounter = GuessCounterTable;

/** Counters of failed credential guesses, one row per key; every process of the store counts in the same rows. */
export class ThrottleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async read(keys: string[]): Promise<GuessCounter[]> {
    return this.db.selectFrom('guess_counters').selectAll().where('key', 'in', keys).execute();
  }

  /**
   * Adds one failure to each key in one statement and returns the counts after it. A row quiet for
   * `quietMs` and not locked starts again at 1. Keys are upserted in the order given; callers keep one
   * order (pair, source, target) so that concurrent upserts on PostgreSQL cannot deadlock.
   */
  async addFailure(keys: string[], now: number, quietMs: number): Promise<GuessCounter[]> {
    return this.db
      .insertInto('guess_counters')
      .values(keys.map((key) => ({ key, failures: 1, locked_until: 0, updated_at: now })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when guess_counters.updated_at < ${now - quietMs} and guess_counters.locked_until < ${now} then 1 else guess_counters.failures + 1 end`,
          updated_at: now,
        }),
      )
      .returningAll()
      .execute();
  }

  /** Extends a key's lock to `until` (never shortens one another process set). */
  async lock(key: string, until: number): Promise<void> {
    await this.db.updateTable('guess_counters').set({ locked_until: until }).where('key', '=', key).where('locked_until', '<', until).execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('guess_counters').where('key', '=', key).execute();
  }

  /** Deletes counters quiet since `quietSince` whose lock has run out; returns how many. */
  async prune(quietSince: number, now: number): Promise<number> {
    const r = await this.db.deleteFrom('guess_counters').where('updated_at', '<', quietSince).where('locked_until', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
