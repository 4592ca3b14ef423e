import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Installation-wide values created once and shared by every server process on the store. */
export class SettingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the stored value, storing `create()` first if there is none (first writer wins). */
  async getOrCreate(key: string, create: () => string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value: create() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  }
}
