import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, TokenTable } from '../schema.js';

export type TokenRow = Selectable<TokenTable>;
export type NewToken = Insertable<TokenTable>;

export class TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: NewToken): Promise<void> {
    await this.db.insertInto('tokens').values(row).execute();
  }

  async findByHash(hash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  /** The app's newest unrevoked tenant token that is still valid at `validAt`. */
  async newestTenantToken(appId: string, validAt: number): Promise<TokenRow | undefined> {
    return this.db
      .selectFrom('tokens')
      .selectAll()
      .where('app_id', '=', appId)
      .where('kind', '=', 'tenant')
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', validAt)
      .orderBy('expires_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Marks a single-use token (code, refresh token) used. Only one caller can win: the update is
   * conditional on the token still being unrevoked.
   */
  async consume(hash: string, at: number): Promise<boolean> {
    const res = await this.db
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Brings a token's expiry forward (never back). */
  async expireBy(hash: string, at: number): Promise<void> {
    await this.db.updateTable('tokens').set({ expires_at: at }).where('token_hash', '=', hash).where('expires_at', '>', at).execute();
  }

  async deleteExpired(before: number): Promise<number> {
    const res = await this.db.deleteFrom('tokens').where('expires_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
