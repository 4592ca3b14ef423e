import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialect, startTestServer, type TestServer } from './helpers/server.js';
import type { NewClientEvent } from '../src/store/repositories/session.repository.js';

// A participant's page reads its feed (a session's or a user's client events) by `seq > cursor`. PostgreSQL
// hands out seq at insert, not at commit: if a later row of a feed could commit while an earlier one is
// still open, a reader in between would move its cursor past the earlier row and never see it (a ring
// from one of two meetings calling the same person at once). Writers of one feed take turns, so what a
// reader sees of a feed is always a prefix of what the feed will hold. SQLite has one writer at a time (and
// one connection, so this interleaving cannot be staged there): the test runs on PostgreSQL.

describe.skipIf(dialect !== 'postgres')('client event feeds on PostgreSQL never show a row before an earlier one', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  const ring = (n: number): NewClientEvent => ({ tenantKey: 'acme', userId: 'bob', type: 'ringing', payload: { n }, at: Date.now() });
  const seqs = async () => (await s.runtime.repos.sessions.eventsForUser('acme', 'bob', 0, 100)).map((r) => Number(r.seq));

  it('a second writer of a feed cannot commit before the first one ends; readers see a prefix', async () => {
    const db = s.runtime.store.db;
    const sessions = s.runtime.repos.sessions;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((r) => (inserted = r));
    const first = db.transaction().execute(async (trx) => {
      await sessions.notify([ring(1)], trx);
      inserted();
      await held;
    });
    await firstInserted;
    let secondDone = false;
    const second = db
      .transaction()
      .execute(async (trx) => {
        await sessions.notify([ring(2)], trx);
      })
      .then(() => (secondDone = true));
    // Until the second writer has either committed or is waiting for its turn.
    const waiting = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted and classid = ${0x6f766366}`.execute(db)).rows[0]!.n) > 0;
    for (let i = 0; i < 200 && !secondDone && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 25));
    const seenMeanwhile = await seqs();
    release();
    await first;
    await second;
    const all = await seqs();
    expect(all).toHaveLength(2);
    expect(all.slice(0, seenMeanwhile.length)).toEqual(seenMeanwhile);
  });
});
