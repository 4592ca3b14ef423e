import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/store/database.js';

/**
 * Tables whose rows change without any request: migrations' bookkeeping, the job queue the timers fill,
 * counters of failed attempts (a refused guess is recorded on purpose), and the cluster's rate-limit windows
 * (on PostgreSQL every call, refused or not, counts against its app's published limit), and the media nodes'
 * registry (each process heartbeats its row every second on PostgreSQL).
 */
const VOLATILE = /^kysely_|^jobs$|throttl|attempt|guess|^rate_windows$|^media_nodes$/;

async function tables(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(store.db);
  return rows.rows.map((r) => r.name).filter((n) => !VOLATILE.test(n)).sort();
}

/** How many rows each table holds (one query), to show that a refused request wrote nothing. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const names = await tables(store);
  const union = names.map((n) => `select '${n}' as t, count(*) as n from "${n}"`).join(' union all ');
  const rows = await sql<{ t: string; n: number | string }>`${sql.raw(union)}`.execute(store.db);
  return Object.fromEntries(rows.rows.map((r) => [r.t, Number(r.n)]));
}

/** A digest of every row of every table: equal digests, unchanged data (updates included). */
export async function contentDigest(store: Store): Promise<string> {
  const hash = createHash('sha256');
  for (const name of await tables(store)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(store.db);
    const lines = rows.rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
    hash.update(`${name}\n${lines.join('\n')}\n`);
  }
  return hash.digest('hex');
}
