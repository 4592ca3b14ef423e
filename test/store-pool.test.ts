import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStore } from '../src/store/database.js';
import { PG_URL, TestStore } from './helpers/server.js';

/** The pool size a PostgreSQL deployment sets (`databasePoolSize`) bounds the connections one process opens. */
describe.skipIf(!PG_URL)('PostgreSQL pool size', () => {
  it('runs at most poolSize statements at once', async () => {
    const t = new TestStore();
    await t.prepare();
    const store = openStore({ databaseUrl: t.databaseUrl, dataDir: t.dir, poolSize: 2 });
    try {
      const started = performance.now();
      // Six 200 ms statements on two connections take three rounds; on ten they would take one.
      await Promise.all(Array.from({ length: 6 }, () => sql`select pg_sleep(0.2)`.execute(store.db)));
      expect(performance.now() - started).toBeGreaterThanOrEqual(580);
    } finally {
      await store.close();
      await t.dispose();
    }
  });
});
