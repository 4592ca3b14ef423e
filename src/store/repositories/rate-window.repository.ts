import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The shared counters behind cluster-wide rate limits: every process adds its leases to the same rows. */
export class RateWindowRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds `n` calls to the window's count in one statement and returns the count after it. */
  async add(key: string, windowStart: number, n: number): Promise<number> {
    const row = await this.db
      .insertInto('rate_windows')
      .values({ key, window_start: windowStart, count: n })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`rate_windows.count + ${n}` }))
      .returning('count')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Deletes windows that started before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const r = await this.db.deleteFrom('rate_windows').where('window_start', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
