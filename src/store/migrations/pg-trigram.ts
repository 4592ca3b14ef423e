import { sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * PostgreSQL: a pg_trgm GIN index (`fastupdate` off: steady latency), so that a substring search need
 * not read every row. pg_trgm lives in one schema per database: `public` unless it is installed elsewhere
 * already. Installing needs a privilege the store's user may lack; a savepoint then keeps the rest of the
 * migration, and searches scan.
 */
export async function trigramIndex(db: Kysely<unknown>, name: string, table: string, column: string): Promise<void> {
  await sql`savepoint trigram`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm schema public`.execute(db);
    const { rows } = await sql<{ schema: string }>`select n.nspname as schema from pg_opclass c join pg_namespace n on n.oid = c.opcnamespace where c.opcname = 'gin_trgm_ops'`.execute(db);
    const schema = rows[0]?.schema;
    if (!schema) throw new Error('pg_trgm installed without gin_trgm_ops');
    const opclass: RawBuilder<unknown> = sql`${sql.id(schema)}.gin_trgm_ops`;
    await sql`create index ${sql.id(name)} on ${sql.table(table)} using gin (${sql.ref(column)} ${opclass}) with (fastupdate = off)`.execute(db);
    await sql`release savepoint trigram`.execute(db);
  } catch {
    await sql`rollback to savepoint trigram`.execute(db);
  }
}
