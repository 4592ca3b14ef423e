import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest, openStore } from '../src/store/database.js';

// The checkpointer is SQLite's; PostgreSQL runs take the same path through it only when no URL is set.
describe.skipIf(Boolean(process.env.OPENVC_TEST_DATABASE_URL))('WAL checkpointer (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the write-ahead log from growing while commits no longer checkpoint it themselves', async () => {
    const errors: Error[] = [];
    const store = openStore({ dataDir: dir, backgroundCheckpoint: true }, (e) => errors.push(e));
    await migrateToLatest(store);
    await sql`create table filler (id integer primary key, body text)`.execute(store.db);
    const wal = join(dir, 'openvc.db-wal');
    // About 20 MB of pages in 4 KB rows, far past the default 1,000-page checkpoint; paced so that the
    // worker gets its turns. Were nothing checkpointing, the log would hold all of it.
    for (let round = 0; round < 25; round++) {
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 200; i++) await sql`insert into filler (body) values (${'x'.repeat(4000)})`.execute(trx);
      });
      await new Promise((r) => setTimeout(r, 60));
    }
    // A commit restarts the log from its beginning once the worker has copied all of it into the
    // database file. Each restart rewrites the log's header with the next checkpoint sequence number
    // (bytes 12-15), so the log is seen restarting after the filling, whatever size it reached meanwhile
    // (on a busy machine the worker gets fewer turns); with nothing checkpointing it would never restart.
    const restarts = () => readFileSync(wal).readUInt32BE(12);
    const afterFilling = restarts();
    let last = 0;
    await expect
      .poll(
        async () => {
          await sql`insert into filler (body) values ('last')`.execute(store.db);
          last++;
          return restarts();
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBeGreaterThan(afterFilling);
    // Restarted, the log is written from its start again: it stays within what it held at its largest.
    const size = statSync(wal).size;
    for (let i = 0; i < 20; i++, last++) await sql`insert into filler (body) values ('after')`.execute(store.db);
    expect(statSync(wal).size).toBeLessThanOrEqual(size);
    const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(store.db);
    expect(Number(rows.rows[0]!.n)).toBe(5000 + last);
    await store.close();
    expect(errors).toEqual([]);
  });
});
