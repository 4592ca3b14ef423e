import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { EMPLOYEE_ID_SCOPE, hasScope } from '../../domain/auth/scopes.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { EMAIL_SCOPE, PHONE_SCOPE } from '../contact/user.presenter.js';

const UserInfo = Type.Object({
  name: Type.String(),
  en_name: Type.String(),
  avatar_url: Type.String(),
  avatar_thumb: Type.String(),
  avatar_middle: Type.String(),
  avatar_big: Type.String(),
  open_id: Type.String(),
  union_id: Type.String(),
  email: Type.Optional(Type.String()),
  enterprise_email: Type.Optional(Type.String()),
  user_id: Type.Optional(Type.String()),
  mobile: Type.Optional(Type.String()),
  tenant_key: Type.String(),
  employee_no: Type.Optional(Type.String()),
});

/** The signed-in user's profile; scoped fields appear only with their field scopes. */
export function userInfoRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('auth.userInfo', {
    schema: { response: UserInfo },
    handler: async (req: FastifyRequest) => {
      const p = principalOf(req);
      const dir = ctx.repos.directory.forTenant(p.tenantKey, p.appId);
      const user = p.userId ? await dir.userByUserId(p.userId) : undefined;
      if (!user) throw apiError('invalidUserToken');
      const avatar = `${ctx.publicUrl}/static/avatar.svg`;
      const { user_id: _u, ...triple } = { user_id: user.user_id, open_id: dir.openIdOf(user.user_id), union_id: user.union_id };
      return {
        name: user.name,
        en_name: '',
        avatar_url: avatar,
        avatar_thumb: avatar,
        avatar_middle: avatar,
        avatar_big: avatar,
        ...triple,
        ...(user.email && hasScope(p, EMAIL_SCOPE) ? { email: user.email, enterprise_email: user.email } : {}),
        ...(hasScope(p, EMPLOYEE_ID_SCOPE) ? { user_id: user.user_id } : {}),
        ...(user.mobile && hasScope(p, PHONE_SCOPE) ? { mobile: user.mobile } : {}),
        tenant_key: p.tenantKey,
        ...(user.employee_no ? { employee_no: user.employee_no } : {}),
      };
    },
  });
}
