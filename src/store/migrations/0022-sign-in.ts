import type { Kysely } from 'kysely';

/**
 * Sign-in (issue 14): users' password hashes, browser sign-in sessions, one-time invitation links and
 * upstream OpenID Connect sign-ins in flight (their PKCE verifier and nonce, until the callback).
 * Sessions and invitations are kept by the SHA-256 of their token, so that a read of the store signs no
 * one in. Independent of the migrations landing around it: it creates its own tables and touches no other.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_passwords')
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_passwords_pk', ['tenant_key', 'user_id'])
    .execute();

  await db.schema
    .createTable('sign_in_sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_sessions_user').on('sign_in_sessions').columns(['tenant_key', 'user_id']).execute();

  await db.schema
    .createTable('sign_in_invitations')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('oidc_sign_ins')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('next', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'varchar(128)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('oidc_sign_ins').execute();
  await db.schema.dropTable('sign_in_invitations').execute();
  await db.schema.dropTable('sign_in_sessions').execute();
  await db.schema.dropTable('user_passwords').execute();
}
