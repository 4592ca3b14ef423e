import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { userIdMapper } from '../../domain/identity/user-ids.js';
import { roomConfigView } from '../../domain/room/room-config.js';
import type { NodeSections } from '../../domain/room/scope-config.js';
import { createAccessCode, getScopeConfig, setScopeConfig } from '../../domain/room/scope-config.service.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { EmptyData } from '../../http/envelope.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { AccessCodeBody, AccessCodeData, GetData, GetQuery, SetBody, SetQuery, type SetBodyT } from './scope-config.schemas.js';

export function scopeConfigRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps = ctx.repos;
  /** The caller's tenant and a converter of user IDs in the type they asked for. */
  const caller = (req: FastifyRequest<{ Querystring: Static<typeof SetQuery> }>) => {
    const p = principalOf(req);
    return { tenantKey: p.tenantKey, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl) };
  };

  r.method('scopeConfig.create', {
    schema: { querystring: SetQuery, body: SetBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof SetQuery>; Body: SetBodyT }>) => {
      const { tenantKey, ids } = caller(req);
      await setScopeConfig(deps, tenantKey, ids, req.body, Date.now());
      return {};
    },
  });

  r.method('scopeConfig.get', {
    schema: { querystring: GetQuery, response: GetData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof GetQuery> }>) => {
      const { tenantKey, ids } = caller(req);
      const now = Date.now();
      const { current, origins } = await getScopeConfig(deps, tenantKey, req.query.scope_type, req.query.scope_id, now);
      const present = (n: NodeSections) => ({ scope_type: n.scope_type, scope_id: n.scope_id, scope_config: roomConfigView(n.own, now, (u) => ids.present(u)) });
      return { current_config: present(current), origin_configs: origins.map(present) };
    },
  });

  r.method('scopeConfig.accessCode', {
    schema: { body: AccessCodeBody, response: AccessCodeData },
    handler: async (req: FastifyRequest<{ Body: Static<typeof AccessCodeBody> }>) => ({
      access_code: await createAccessCode(deps, principalOf(req).tenantKey, req.body, Date.now()),
    }),
  });
}
