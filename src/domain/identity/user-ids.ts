import { Type } from '@sinclair/typebox';
import { ApiError, apiError } from '../../contract/errors.js';
import { EMPLOYEE_ID_SCOPE, checkScopes } from '../auth/scopes.js';
import type { Principal } from '../auth/principal.js';
import type { TenantDirectory, UserRow } from '../../store/repositories/directory.repository.js';

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];

/** The `user_id_type` query parameter (common.md §8). */
export const UserIdTypeParam = Type.Optional(
  Type.Unsafe<UserIdType>({ type: 'string', enum: [...USER_ID_TYPES], default: 'open_id', description: 'type of every user ID in the request and response' }),
);

const notExist = { open_id: 'openIdsNotExist', union_id: 'unionIdsNotExist', user_id: 'userIdsNotExist' } as const;

/**
 * The one place where user IDs cross the API boundary: IDs of the requested type are resolved to
 * tenant users, and tenant users are presented as IDs of that type.
 */
export class UserIdMapper {
  constructor(
    readonly directory: TenantDirectory,
    readonly type: UserIdType,
  ) {}

  present(userId: string): string {
    switch (this.type) {
      case 'open_id':
        return this.directory.openIdOf(userId);
      case 'union_id':
        return this.directory.unionIdOf(userId);
      case 'user_id':
        return userId;
    }
  }

  /**
   * A user of any tenant: users of the mapper's tenant as `present` shows them; users of other tenants
   * (guests in a meeting) keep their own tenant's IDs, and have no user_id here (it is tenant-local).
   */
  presentAnyTenant(tenantKey: string, userId: string): string | undefined {
    if (tenantKey === this.directory.tenantKey) return this.present(userId);
    if (this.type === 'user_id') return undefined;
    return this.type === 'union_id' ? this.directory.unionIdOf(userId, tenantKey) : this.directory.openIdOf(userId, tenantKey);
  }

  /** The ID triple events and some responses carry. */
  triple(userId: string): { open_id: string; union_id: string; user_id: string } {
    return { open_id: this.directory.openIdOf(userId), union_id: this.directory.unionIdOf(userId), user_id: userId };
  }

  /** Resolves every ID or fails naming all that do not exist (99992351/60/63) or belong to another app (99992361). */
  async resolveMany(ids: readonly string[]): Promise<UserRow[]> {
    const found: UserRow[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const userId = await this.internalId(id);
      const user = userId === undefined ? undefined : await this.directory.userByUserId(userId);
      if (user) found.push(user);
      else missing.push(id);
    }
    if (missing.length > 0) throw this.notExist(missing);
    return found;
  }

  async resolve(id: string): Promise<UserRow> {
    return this.resolveWith(id, (userId) => this.directory.userByUserId(userId));
  }

  /** Resolves one ID and loads what the caller needs for that user in the same step (one query for user_id). */
  async resolveWith<T>(id: string, load: (userId: string) => Promise<T | undefined>): Promise<T> {
    const userId = await this.internalId(id);
    const loaded = userId === undefined ? undefined : await load(userId);
    if (loaded === undefined) throw this.notExist([id]);
    return loaded;
  }

  /** The user an ID names, or undefined where `resolve` would fail (unknown, or an open_id of another app). */
  async find(id: string): Promise<UserRow | undefined> {
    try {
      const userId = await this.internalId(id);
      return userId === undefined ? undefined : await this.directory.userByUserId(userId);
    } catch (e) {
      if (e instanceof ApiError && e.errorName === 'openIdCrossApp') return undefined;
      throw e;
    }
  }

  private notExist(ids: string[]) {
    const label = this.type === 'open_id' ? 'open ids' : this.type === 'union_id' ? 'union ids' : 'ids';
    return apiError(notExist[this.type], `these ${label} not existed: [${ids.join(' ')}]`);
  }

  /** The tenant user_id an external ID names, if any; existence of a plain user_id is left to the loader. */
  private async internalId(id: string): Promise<string | undefined> {
    switch (this.type) {
      case 'user_id':
        return id;
      case 'union_id':
        return (await this.directory.userByUnionId(id))?.user_id;
      case 'open_id': {
        const { userId, crossApp } = await this.directory.userIdByOpenId(id);
        if (crossApp) throw apiError('openIdCrossApp', `open_id cross app: ${id} belongs to another app`);
        return userId;
      }
    }
  }
}

/**
 * A mapper for the caller; `user_id` needs the field scope contact:user.employee_id:readonly
 * (99991672 with a field_scope_required violation, auth.md §6).
 */
export function userIdMapper(
  principal: Principal,
  directory: TenantDirectory,
  type: UserIdType | undefined,
  publicUrl: string,
): UserIdMapper {
  const t = type ?? 'open_id';
  if (t === 'user_id') checkScopes(principal, [EMPLOYEE_ID_SCOPE], publicUrl, 'field_scope_required');
  return new UserIdMapper(directory, t);
}
