import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { userIdMapper } from '../../domain/identity/user-ids.js';
import { ADMIN, APPROVAL, DISABLE_INFORM, FORM, RESERVE_SCOPE, TIME, sectionView, type ReserveSection } from '../../domain/room/reserve-config.js';
import { peopleNames } from '../../domain/room/reserve-config.service.js';
import { patchReserveConfig, readReserveConfig, readReserveSection } from '../../domain/room/reserve-config.service.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { EmptyData } from '../../http/envelope.js';
import type { RouteRegistrar } from '../../http/routes.js';
import {
  AdminConfig,
  ConfigIdParams,
  DisableInform,
  FormConfig,
  PatchBody,
  ReserveScopeData,
  ReserveScopeQuery,
  ScopeTypeInt,
  SectionQuery,
  UserIdQuery,
  type PatchBodyT,
} from './reserve-config.schemas.js';

type Params = Static<typeof ConfigIdParams>;

/** The sub-resources: one section each, read with GET and replaced with PATCH under the section's own name. */
const SUB_RESOURCES: { resource: string; section: ReserveSection; schema: TSchema }[] = [
  { resource: 'reserveConfigForm', section: FORM, schema: FormConfig },
  { resource: 'reserveConfigAdmin', section: ADMIN, schema: AdminConfig },
  { resource: 'reserveConfigDisableInform', section: DISABLE_INFORM, schema: DisableInform },
];

export function reserveConfigRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps = ctx.repos;
  /** The caller's tenant, a converter of user IDs in the type they asked for, and a presenter of sections. */
  const caller = (req: FastifyRequest<{ Querystring: Static<typeof UserIdQuery> }>) => {
    const p = principalOf(req);
    const ids = userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl);
    /** Sections in the API's shape, with the names of the people they hold. */
    const views = async (sections: Record<string, unknown>) => {
      const names = await peopleNames(ids.directory, await ids.directory.tenantName(), sections);
      return Object.fromEntries(Object.entries(sections).map(([section, value]) => [section, sectionView(p.tenantKey, section, value, (u) => ids.present(u), names)]));
    };
    return { tenantKey: p.tenantKey, ids, views };
  };

  r.method('reserveConfig.reserveScope', {
    schema: { querystring: ReserveScopeQuery, response: ReserveScopeData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ReserveScopeQuery> }>) => {
      const { tenantKey, views } = caller(req);
      const applied = await readReserveConfig(deps, tenantKey, req.query.scope_type, req.query.scope_id, [APPROVAL, TIME, RESERVE_SCOPE], Date.now());
      const v = await views({ [APPROVAL]: applied[APPROVAL], [TIME]: applied[TIME], [RESERVE_SCOPE]: applied[RESERVE_SCOPE] });
      // The request names the approval section approval_config, the response approve_config (scope_config.md §5.2).
      return { approve_config: v[APPROVAL], time_config: v[TIME], reserve_scope_config: v[RESERVE_SCOPE] };
    },
  });

  r.method('reserveConfig.patch', {
    schema: { params: ConfigIdParams, querystring: UserIdQuery, body: PatchBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Params: Params; Querystring: Static<typeof UserIdQuery>; Body: PatchBodyT }>) => {
      const { tenantKey, ids } = caller(req);
      const { scope_type, ...sections } = req.body;
      await patchReserveConfig(deps, tenantKey, ids, scope_type, req.params.reserve_config_id, sections, Date.now());
      return {};
    },
  });

  for (const { resource, section, schema } of SUB_RESOURCES) {
    r.method(`${resource}.get`, {
      schema: { params: ConfigIdParams, querystring: SectionQuery, response: Type.Object({ [section]: schema }) },
      handler: async (req: FastifyRequest<{ Params: Params; Querystring: Static<typeof SectionQuery> }>) => {
        const { tenantKey, views } = caller(req);
        return views({ [section]: await readReserveSection(deps, tenantKey, req.query.scope_type, req.params.reserve_config_id, section, Date.now()) });
      },
    });

    r.method(`${resource}.patch`, {
      schema: { params: ConfigIdParams, querystring: UserIdQuery, body: Type.Object({ scope_type: ScopeTypeInt, [section]: schema }), response: EmptyData },
      handler: async (req: FastifyRequest<{ Params: Params; Querystring: Static<typeof UserIdQuery>; Body: { scope_type: number } & Record<string, unknown> }>) => {
        const { tenantKey, ids } = caller(req);
        await patchReserveConfig(deps, tenantKey, ids, req.body.scope_type, req.params.reserve_config_id, { [section]: req.body[section] }, Date.now());
        return {};
      },
    });
  }
}
