import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Versions of the areas that reads answer from in-process caches (src/store/read-cache.ts): one row per
 * (tenant, area), bumped by triggers in the transaction of every write to the area's tables, so no writer
 * can forget it and a write is visible to every process's next version read the moment it commits.
 *  - `directory`: tenants, departments, users, user_departments;
 *  - `rooms`: tenants (the root level is named after the tenant), room_levels, rooms.
 * PostgreSQL bumps once per statement (transition tables: a bulk insert of 100,000 rooms is one upsert per
 * tenant it touched); SQLite has only row triggers, and bumps once per row.
 */
const AREAS: Record<string, string[]> = {
  tenants: ['directory', 'rooms'],
  departments: ['directory'],
  users: ['directory'],
  user_departments: ['directory'],
  room_levels: ['rooms'],
  rooms: ['rooms'],
};
const EVENTS = [
  ['insert', 'INSERT', 'NEW'],
  ['update', 'UPDATE', 'NEW'],
  ['delete', 'DELETE', 'OLD'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cache_versions')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('area', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cache_versions_pk', ['tenant_key', 'area'])
    .execute();
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (isPostgres) {
    await sql`
      create function openvc_bump_cache_versions() returns trigger language plpgsql as $$
      begin
        insert into cache_versions (tenant_key, area, version)
          select distinct c.tenant_key, a, 1 from changed c, unnest(TG_ARGV) a
          on conflict (tenant_key, area) do update set version = cache_versions.version + 1;
        return null;
      end $$`.execute(db);
  }
  for (const [table, areas] of Object.entries(AREAS)) {
    for (const [event, EVENT, row] of EVENTS) {
      const name = sql.raw(`${table}_cache_version_${event}`);
      if (isPostgres) {
        const args = sql.raw(areas.map((a) => `'${a}'`).join(', '));
        await sql`create trigger ${name} after ${sql.raw(EVENT)} on ${sql.table(table)} referencing ${sql.raw(row === 'NEW' ? 'new' : 'old')} table as changed for each statement execute function openvc_bump_cache_versions(${args})`.execute(db);
      } else {
        const bumps = areas.map((a) => `insert into cache_versions (tenant_key, area, version) values (${row}.tenant_key, '${a}', 1) on conflict (tenant_key, area) do update set version = version + 1;`).join(' ');
        await sql`create trigger ${name} after ${sql.raw(EVENT)} on ${sql.table(table)} begin ${sql.raw(bumps)} end`.execute(db);
      }
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of Object.keys(AREAS)) {
    for (const [event] of EVENTS) {
      const name = sql.raw(`${table}_cache_version_${event}`);
      await (isPostgres ? sql`drop trigger ${name} on ${sql.table(table)}` : sql`drop trigger ${name}`).execute(db);
    }
  }
  if (isPostgres) await sql`drop function openvc_bump_cache_versions()`.execute(db);
  await db.schema.dropTable('cache_versions').execute();
}
