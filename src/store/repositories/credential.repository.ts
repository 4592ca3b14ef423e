import type { Kysely, Selectable } from 'kysely';
import type { Database, OidcSignInTable, SignInSessionTable } from '../schema.js';

export type SignInSessionRow = Selectable<SignInSessionTable>;

/** What users sign in with: password hashes, sign-in sessions and one-time invitations. */
export class CredentialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async passwordHash(tenantKey: string, userId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('user_passwords').select('password_hash').where('tenant_key', '=', tenantKey).where('user_id', '=', userId).executeTakeFirst();
    return row?.password_hash;
  }

  async setPassword(tenantKey: string, userId: string, passwordHash: string, at: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto('user_passwords')
      .values({ tenant_key: tenantKey, user_id: userId, password_hash: passwordHash, updated_at: at })
      .onConflict((oc) => oc.columns(['tenant_key', 'user_id']).doUpdateSet({ password_hash: passwordHash, updated_at: at }))
      .execute();
  }

  /** Stores a new session; the user's expired sessions go at the same time, so that rows do not pile up. */
  async insertSession(row: SignInSessionRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sign_in_sessions').where('tenant_key', '=', row.tenant_key).where('user_id', '=', row.user_id).where('expires_at', '<=', row.created_at).execute();
      await trx.insertInto('sign_in_sessions').values(row).execute();
    });
  }

  async session(tokenHash: string, now: number): Promise<SignInSessionRow | undefined> {
    return this.db.selectFrom('sign_in_sessions').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sign_in_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async insertInvitation(row: { token_hash: string; tenant_key: string; user_id: string; created_at: number; expires_at: number }): Promise<void> {
    await this.db.insertInto('sign_in_invitations').values({ ...row, used_at: null }).execute();
  }

  /** The invitation if it is unused and unexpired. */
  async invitation(tokenHash: string, now: number): Promise<{ tenant_key: string; user_id: string } | undefined> {
    return this.db
      .selectFrom('sign_in_invitations')
      .select(['tenant_key', 'user_id'])
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /**
   * Uses the invitation and sets the password in one transaction. Only one caller can win: the update is
   * conditional on the invitation being unused and unexpired. False when it was not.
   */
  async acceptInvitation(tokenHash: string, passwordHash: string, now: number): Promise<{ tenant_key: string; user_id: string } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const inv = await trx
        .updateTable('sign_in_invitations')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['tenant_key', 'user_id'])
        .executeTakeFirst();
      if (!inv) return undefined;
      await this.setPassword(inv.tenant_key, inv.user_id, passwordHash, now, trx);
      return inv;
    });
  }

  /** Stores an upstream sign-in in flight; stale ones go at the same time. */
  async insertOidcSignIn(row: OidcSignInTable, now: number): Promise<void> {
    await this.db.deleteFrom('oidc_sign_ins').where('expires_at', '<=', now).execute();
    await this.db.insertInto('oidc_sign_ins').values(row).execute();
  }

  /** Takes (reads and deletes) an unexpired upstream sign-in: each `state` is answered once. */
  async takeOidcSignIn(stateHash: string, now: number): Promise<OidcSignInTable | undefined> {
    const row = await this.db.deleteFrom('oidc_sign_ins').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
    return row && row.expires_at > now ? row : undefined;
  }

  /** Deletes expired sessions, expired or used invitations and abandoned upstream sign-ins; returns how many went. */
  async pruneExpired(now: number): Promise<number> {
    const gone = await Promise.all([
      this.db.deleteFrom('sign_in_sessions').where('expires_at', '<=', now).executeTakeFirst(),
      this.db.deleteFrom('sign_in_invitations').where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)])).executeTakeFirst(),
      this.db.deleteFrom('oidc_sign_ins').where('expires_at', '<=', now).executeTakeFirst(),
    ]);
    return gone.reduce((n, r) => n + Number(r.numDeletedRows), 0);
  }
}
