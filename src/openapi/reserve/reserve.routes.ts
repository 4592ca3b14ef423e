import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { userIdMapper } from '../../domain/identity/user-ids.js';
import { applyReserve, deleteReserve, findOwnedReserve, updateReserve, type ReserveDeps } from '../../domain/reserve/reserve.service.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { presentApplied, presentReserve, presentUpdated } from './reserve.presenter.js';
import { MeetingObject, presentMeeting } from '../meeting/meeting.presenter.js';
import { ActiveMeetingQuery, ApplyBody, ApplyData, GetData, ReserveIdParams, UpdateBody, UpdateData, UserIdQuery, type ApplyBodyT, type UpdateBodyT } from './reserve.schemas.js';

type Query = Static<typeof UserIdQuery>;
type Params = Static<typeof ReserveIdParams>;
type ApplyReq = FastifyRequest<{ Querystring: Query; Body: ApplyBodyT }>;
type UpdateReq = FastifyRequest<{ Params: Params; Querystring: Query; Body?: UpdateBodyT }>;
type ReadReq = FastifyRequest<{ Params: Params; Querystring: Query }>;
type ActiveReq = FastifyRequest<{ Params: Params; Querystring: Static<typeof ActiveMeetingQuery> }>;

export function reserveRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps: ReserveDeps = { reserves: ctx.repos.reserves, jobs: ctx.repos.jobs };
  /** The caller and a converter of user IDs in the type they asked for. */
  const caller = (req: FastifyRequest<{ Querystring: Query }>) => {
    const p = principalOf(req);
    return { p, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl) };
  };

  r.method('reserve.apply', {
    schema: { querystring: UserIdQuery, body: ApplyBody, response: ApplyData },
    handler: async (req: ApplyReq) => {
      const { p, ids } = caller(req);
      const { reserve, invalidHostIds } = await applyReserve(deps, p, ids, req.body, Date.now());
      return { reserve: presentApplied(ctx.publicUrl, reserve), reserve_correction_check_info: { invalid_host_id_list: invalidHostIds } };
    },
  });

  r.method('reserve.update', {
    schema: { params: ReserveIdParams, querystring: UserIdQuery, body: UpdateBody, response: UpdateData },
    handler: async (req: UpdateReq) => {
      const { p, ids } = caller(req);
      const now = Date.now();
      const { reserve, invalidHostIds } = await updateReserve(deps, p, ids, req.params.reserve_id, req.body ?? {}, now);
      return { reserve: presentUpdated(ctx.publicUrl, reserve, now), reserve_correction_check_info: { invalid_host_id_list: invalidHostIds } };
    },
  });

  r.method('reserve.delete', {
    schema: { params: ReserveIdParams },
    handler: async (req: FastifyRequest<{ Params: Params }>) => {
      await deleteReserve(deps, principalOf(req), req.params.reserve_id);
      return {};
    },
  });

  r.method('reserve.get', {
    schema: { params: ReserveIdParams, querystring: UserIdQuery, response: GetData },
    handler: async (req: ReadReq) => {
      const { p, ids } = caller(req);
      const reserve = await findOwnedReserve(deps, p, req.params.reserve_id);
      return { reserve: presentReserve(ctx.publicUrl, reserve, ids, Date.now()) };
    },
  });

  r.method('reserve.getActiveMeeting', {
    schema: { params: ReserveIdParams, querystring: ActiveMeetingQuery, response: Type.Object({ meeting: MeetingObject }) },
    handler: async (req: ActiveReq) => {
      const { p, ids } = caller(req);
      const reserve = await findOwnedReserve(deps, p, req.params.reserve_id);
      const meetingId = await ctx.repos.meetings.liveByReserve(p.tenantKey, reserve.id);
      const meeting = meetingId ? await ctx.repos.meetings.current(p.tenantKey, meetingId) : undefined;
      // No meeting in progress for the reserve (reserve.md: likely 121004).
      if (!meeting) throw apiError('dataNotExist', 'data not exist: the reserve has no active meeting');
      const withAbility = p.kind === 'tenant';
      return { meeting: presentMeeting(meeting, ids, ctx.publicUrl, { withParticipants: req.query.with_participants === true, withAbility, now: Date.now() }) };
    },
  });
}
