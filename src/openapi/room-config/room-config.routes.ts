import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { userIdMapper, type UserIdType } from '../../domain/identity/user-ids.js';
import { createLegacyAccessCode, deleteRoomConfig, queryRoomConfig, setRoomConfig } from '../../domain/room/room-config.service.js';
import { roomConfigView } from '../../domain/room/room-config.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { EmptyData } from '../../http/envelope.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { AccessCodeBody, AccessCodeData, DelBody, QueryData, QueryQuery, SetBody, SetQuery, type SetBodyT } from './room-config.schemas.js';

/** The legacy fixed-level room configs (scope_config.md §5.3), served from scope_config's settings. */
export function roomConfigRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps = ctx.repos;
  /** The caller's tenant and a converter of user IDs in the type they asked for. */
  const caller = (req: FastifyRequest, type: UserIdType | undefined) => {
    const p = principalOf(req);
    return { tenantKey: p.tenantKey, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), type, ctx.publicUrl) };
  };

  r.method('roomConfig.query', {
    schema: { querystring: QueryQuery, response: QueryData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof QueryQuery> }>) => {
      const { tenantKey, ids } = caller(req, req.query.user_id_type);
      const now = Date.now();
      return roomConfigView(await queryRoomConfig(deps, tenantKey, req.query, now), now, (u) => ids.present(u));
    },
  });

  r.method('roomConfig.set', {
    schema: { querystring: SetQuery, body: SetBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof SetQuery>; Body: SetBodyT }>) => {
      const { tenantKey, ids } = caller(req, req.query.user_id_type);
      await setRoomConfig(deps, tenantKey, ids, req.body, Date.now());
      return {};
    },
  });

  for (const id of ['roomConfig.setRoomAccessCode', 'roomConfig.setCheckboardAccessCode']) {
    r.method(id, {
      schema: { body: AccessCodeBody, response: AccessCodeData },
      handler: async (req: FastifyRequest<{ Body: Static<typeof AccessCodeBody> }>) => ({
        access_code: await createLegacyAccessCode(deps, principalOf(req).tenantKey, req.body, Date.now()),
      }),
    });
  }

  r.method('roomConfig.del', {
    schema: { body: DelBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Body: Static<typeof DelBody> }>) => {
      const { tenantKey, ids } = caller(req, undefined);
      await deleteRoomConfig(deps, tenantKey, ids, req.body, Date.now());
      return {};
    },
  });
}
