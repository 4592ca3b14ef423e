import type { Kysely } from 'kysely';

/**
 * Settings that rooms inherit from the levels above them: scope_config's room_config and the booking
 * rules of reserve_configs (docs/decisions.md "Scope config").
 *
 * One row per (node, section): a section a node has not set has no row, so "inherit" needs no marker,
 * and clearing a section below a level that covers its children is one DELETE over the subtree. A node is
 * a level or a room (their IDs never collide: `omb_…` / `omm_…`); a room's room_status is not here but on
 * the room itself.
 *
 * Access codes are looked up by the code alone (a device that redeems one knows no tenant), so the code
 * is unique across tenants.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scope_configs')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope_id', 'varchar(40)', (c) => c.notNull())
    // e.g. 'digital_signage', 'time_config'
    .addColumn('section', 'varchar(40)', (c) => c.notNull())
    // JSON; users as tenant user_ids, departments as department_ids
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('scope_configs_pk', ['tenant_key', 'scope_id', 'section'])
    .execute();

  await db.schema
    .createTable('scope_access_codes')
    .addColumn('code', 'varchar(16)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope_type', 'integer', (c) => c.notNull())
    .addColumn('scope_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // deleting a scope deletes its codes
  await db.schema.createIndex('scope_access_codes_scope').on('scope_access_codes').columns(['tenant_key', 'scope_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('scope_access_codes').execute();
  await db.schema.dropTable('scope_configs').execute();
}
