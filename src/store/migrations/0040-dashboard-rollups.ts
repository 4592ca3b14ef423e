import { randomBytes } from 'node:crypto';
import { SqliteAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

/**
 * The admin dashboard's daily rollups (docs/decisions.md "Dashboard rollups"; what counts:
 * src/domain/report/console-rollup.ts):
 * - `console_mix_days`: per tenant, day, device fact (`type`, `network_type`) and its value, the
 *   participant sessions that joined; written in the join's transaction;
 * - `console_quality_days`: per tenant and day, the quality samples and their loss, jitter and bitrate
 *   counted in log-spaced buckets (JSON: the first bucket with a count, then the counts); written in
 *   the transaction that ends each session.
 * Days are unix seconds of their 00:00 (UTC+8), as in `report_days`.
 *
 * Sessions already in the store are listed in `console_rollup_backlog` (with whether they had ended,
 * so that their samples count too) and a `console.rollup_backfill` job rolls them up in small
 * transactions once a server runs; a session open now has its samples counted when it ends, like any.
 *
 * Dialect note: on SQLite the rollup tables are WITHOUT ROWID, so a range read is one b-tree scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const isSqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const clustered = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) => (isSqlite ? t.modifyEnd(sql`without rowid`) : t);

  await clustered(
    db.schema
      .createTable('console_mix_days')
      .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('field', 'varchar(16)', (c) => c.notNull())
      .addColumn('kind', 'varchar(64)', (c) => c.notNull())
      .addColumn('sessions', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('console_mix_days_pk', ['tenant_key', 'day', 'field', 'kind']),
  ).execute();

  await clustered(
    db.schema
      .createTable('console_quality_days')
      .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('day', 'bigint', (c) => c.notNull())
      .addColumn('samples', 'bigint', (c) => c.notNull())
      .addColumn('loss', 'text', (c) => c.notNull())
      .addColumn('jitter', 'text', (c) => c.notNull())
      .addColumn('bitrate', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('console_quality_days_pk', ['tenant_key', 'day']),
  ).execute();

  await db.schema
    .createTable('console_rollup_backlog')
    .addColumn('session_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('quality', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into console_rollup_backlog (session_id, quality) select id, case when left_at is null then 0 else 1 end from participant_sessions`.execute(db);
  const now = Date.now();
  await sql`insert into jobs (id, kind, dedupe_key, payload, run_at, status, attempts, locked_until, last_error, created_at, updated_at)
    select ${randomBytes(12).toString('hex')}, 'console.rollup_backfill', null, '{}', ${now}, 'pending', 0, null, null, ${now}, ${now}
    where exists (select 1 from console_rollup_backlog)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from jobs where kind = 'console.rollup_backfill'`.execute(db);
  await db.schema.dropTable('console_rollup_backlog').execute();
  await db.schema.dropTable('console_quality_days').execute();
  await db.schema.dropTable('console_mix_days').execute();
}
