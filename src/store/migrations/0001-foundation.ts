import type { Kysely } from 'kysely';

/** Tenants, directory, apps, identities and tokens. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('departments')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('open_department_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('parent_department_id', 'varchar(64)')
    .addPrimaryKeyConstraint('departments_pk', ['tenant_key', 'department_id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('union_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)')
    .addColumn('mobile', 'varchar(32)')
    .addColumn('employee_no', 'varchar(64)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['tenant_key', 'user_id'])
    .execute();
  await db.schema.createIndex('users_email').on('users').columns(['tenant_key', 'email']).execute();
  await db.schema.createIndex('users_mobile').on('users').columns(['tenant_key', 'mobile']).execute();

  await db.schema
    .createTable('user_departments')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_departments_pk', ['tenant_key', 'user_id', 'department_id'])
    .execute();

  await db.schema
    .createTable('apps')
    .addColumn('app_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('app_secret', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('apps_tenant').on('apps').column('tenant_key').execute();

  await db.schema
    .createTable('app_event_settings')
    .addColumn('app_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('request_url', 'text')
    .addColumn('verification_token', 'varchar(255)')
    .addColumn('encrypt_key', 'varchar(255)')
    .addColumn('event_types', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('open_ids')
    .addColumn('open_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addUniqueConstraint('open_ids_app_user', ['app_id', 'tenant_key', 'user_id'])
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('flavor', 'varchar(8)', (c) => c.notNull())
    .addColumn('app_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('scopes', 'text')
    .addColumn('granted_at', 'bigint')
    .addColumn('meta', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('tokens_app_kind').on('tokens').columns(['app_id', 'kind', 'expires_at']).execute();
  await db.schema.createIndex('tokens_expiry').on('tokens').column('expires_at').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['settings', 'tokens', 'open_ids', 'app_event_settings', 'apps', 'user_departments', 'users', 'departments', 'tenants']) {
    await db.schema.dropTable(t).execute();
  }
}
