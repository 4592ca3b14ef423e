import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { UserIdTypeParam, userIdMapper, type UserIdMapper, type UserIdType } from '../../domain/identity/user-ids.js';
import type { Principal } from '../../domain/auth/principal.js';
import { guestKey, roomKey, userKey, USER_TYPE, type Meeting, type UserType } from '../../domain/meeting/meeting.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { decodePageToken } from '../../contract/page-token.js';
import { PageToken, pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { MeetingObject, MeetingUser, meetingUrl, participantId, presentMeeting } from './meeting.presenter.js';

const MeetingParams = Type.Object({ meeting_id: Type.String({ minLength: 1, maxLength: 32 }) });
const IdTypeQuery = Type.Object({ user_id_type: UserIdTypeParam });
const GetQuery = Type.Object({
  with_participants: Type.Optional(Type.Boolean()),
  with_meeting_ability: Type.Optional(Type.Boolean()),
  user_id_type: UserIdTypeParam,
  query_mode: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
});
const ListQuery = Type.Object({
  meeting_no: Type.String({ pattern: '^[0-9]{9}$' }),
  start_time: Type.String({ pattern: '^[0-9]{1,12}$' }),
  end_time: Type.String({ pattern: '^[0-9]{1,12}$' }),
  page_token: PageToken,
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});
const InviteBody = Type.Object({ invitees: Type.Array(MeetingUser, { minItems: 1, maxItems: 10 }) });
const KickoutBody = Type.Object({ kickout_users: Type.Array(MeetingUser, { minItems: 1, maxItems: 100 }) });
const SetHostBody = Type.Object({ host_user: MeetingUser, old_host_user: Type.Optional(MeetingUser) });
const UserResult = (field: 'status' | 'result') => Type.Object({ id: Type.String(), user_type: Type.Integer(), [field]: Type.Integer() });

type Req<Q = unknown, B = unknown> = FastifyRequest<{ Params: Static<typeof MeetingParams>; Querystring: Q; Body: B }>;

/** Meetings are kept queryable for 90 days (meeting.md). */
const RETENTION_MS = 90 * 24 * 3600_000;

/**
 * Who may read a meeting: any app of its tenant with a tenant token; with a user token its owner or
 * anyone who took part (docs/decisions.md).
 */
function canRead(p: Principal, m: Meeting): boolean {
  if (p.kind === 'tenant') return true;
  return m.ownerUserId === p.userId || m.participants.some((x) => x.key === userKey(p.userId ?? ''));
}

/**
 * The participant key a request names: a guest (user_type 5) by the guest ID the meeting shows. An ID
 * that names no user of the tenant gets a key no participant has (`?:<id>`), so the meeting rules answer
 * for it as for anyone absent from the meeting.
 */
async function targetKey(ids: UserIdMapper, u: Static<typeof MeetingUser>): Promise<string> {
  if (u.user_type === USER_TYPE.guest) return u.id ? guestKey(u.id) : '?:';
  // A room is named by its room_id whatever the user_id_type, as meeting.get shows it.
  if (u.user_type === USER_TYPE.rooms) return u.id ? roomKey(u.id) : '?:';
  const user = u.id ? await ids.find(u.id) : undefined;
  return user ? userKey(user.user_id) : `?:${u.id ?? ''}`;
}

export function meetingRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const mapper = (req: FastifyRequest, type: UserIdType | undefined) => {
    const p = principalOf(req);
    return { p, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), type, ctx.publicUrl) };
  };

  r.method('meeting.get', {
    schema: { params: MeetingParams, querystring: GetQuery, response: Type.Object({ meeting: MeetingObject }) },
    handler: async (req: Req<Static<typeof GetQuery>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      const meeting = await ctx.repos.meetings.find(p.tenantKey, req.params.meeting_id);
      const now = Date.now();
      if (!meeting || now - meeting.createdAt > RETENTION_MS) throw apiError('dataNotExist', `meeting ${req.params.meeting_id} does not exist`);
      if (!canRead(p, meeting)) throw apiError('noPermission', 'the meeting does not belong to the caller');
      return {
        meeting: presentMeeting(meeting, ids, ctx.publicUrl, {
          withParticipants: req.query.with_participants === true,
          withAbility: req.query.with_meeting_ability === true && p.kind === 'tenant',
          now,
        }),
      };
    },
  });

  r.method('meeting.listByNo', {
    schema: {
      querystring: ListQuery,
      response: Type.Object({
        has_more: Type.Boolean(),
        page_token: Type.Optional(Type.String()),
        meeting_briefs: Type.Array(Type.Object({ id: Type.String(), topic: Type.String(), url: Type.String(), meeting_no: Type.String(), password: Type.String(), meeting_connect: Type.Boolean() })),
      }),
    },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>) => {
      const p = principalOf(req);
      const q = req.query;
      const from = Number(q.start_time) * 1000;
      const to = Number(q.end_time) * 1000;
      if (from >= to) throw apiError('paramError', 'param error: start_time must be before end_time');
      const size = q.page_size ?? 20;
      const after = decodePageToken(q.page_token, { t: 'integer', id: 'string' });
      const rows = await ctx.repos.meetings.listByNo(p.tenantKey, q.meeting_no, Math.max(from, Date.now() - RETENTION_MS), to, after, size + 1);
      const page = pageOf(rows, size, (last) => ({ t: last.created_at, id: last.id }));
      return {
        has_more: page.has_more,
        ...(page.page_token ? { page_token: page.page_token } : {}),
        meeting_briefs: page.items.map((m) => ({ id: m.id, topic: m.topic, url: meetingUrl(ctx.publicUrl, m.meeting_no), meeting_no: m.meeting_no, password: m.password, meeting_connect: false })),
      };
    },
  });

  r.method('meeting.invite', {
    schema: { params: MeetingParams, querystring: IdTypeQuery, body: InviteBody, response: Type.Object({ invite_results: Type.Array(UserResult('status')) }) },
    handler: async (req: Req<Static<typeof IdTypeQuery>, Static<typeof InviteBody>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      const meeting = await ctx.repos.meetings.find(p.tenantKey, req.params.meeting_id);
      if (!meeting) throw apiError('meetingNotExist', `meeting ${req.params.meeting_id} does not exist`);
      if (!(await ctx.reserveRules.allows(meeting, { tenantKey: p.tenantKey, userId: p.userId ?? '', appId: p.appId }, 'invite'))) {
        throw apiError('noPermission', 'the meeting settings do not let this user invite');
      }
      const invitees = [];
      for (const u of req.body.invitees) {
        if (u.user_type !== undefined && u.user_type !== 1) throw apiError('notSupport', `not support: only Feishu users (user_type 1) can be invited, not user_type ${u.user_type}`);
        const user = u.id ? await ids.find(u.id) : undefined;
        if (!user) throw apiError('paramError', `param error: invitee ${u.id ?? '(no id)'} is not a user of this tenant`);
        invitees.push({ key: userKey(user.user_id), userId: user.user_id, userType: 1 as UserType, tenantKey: p.tenantKey });
      }
      await ctx.meetings.invite(p.tenantKey, req.params.meeting_id, userKey(p.userId ?? ''), invitees);
      return { invite_results: req.body.invitees.map((u) => ({ id: u.id ?? '', user_type: u.user_type ?? 1, status: 1 })) };
    },
  });

  r.method('meeting.kickout', {
    schema: { params: MeetingParams, querystring: IdTypeQuery, body: KickoutBody, response: Type.Object({ kickout_results: Type.Array(UserResult('result')) }) },
    handler: async (req: Req<Static<typeof IdTypeQuery>, Static<typeof KickoutBody>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      const keys = await Promise.all(req.body.kickout_users.map((u) => targetKey(ids, u)));
      const results = await ctx.meetings.kickOut(p.tenantKey, req.params.meeting_id, keys);
      return {
        kickout_results: req.body.kickout_users.map((u, i) => ({ id: u.id ?? '', user_type: u.user_type ?? 1, result: results[i]?.ok ? 1 : 2 })),
      };
    },
  });

  r.method('meeting.setHost', {
    schema: { params: MeetingParams, querystring: IdTypeQuery, body: SetHostBody, response: Type.Object({ host_user: Type.Object({ id: Type.String(), user_type: Type.Integer() }) }) },
    handler: async (req: Req<Static<typeof IdTypeQuery>, Static<typeof SetHostBody>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      if (!req.body.host_user.id) throw apiError('paramError', 'param error: host_user.id is required');
      const target = await targetKey(ids, req.body.host_user);
      const expected = req.body.old_host_user?.id ? await targetKey(ids, req.body.old_host_user) : undefined;
      const m = await ctx.meetings.setHost(p.tenantKey, req.params.meeting_id, p.kind === 'user' ? userKey(p.userId ?? '') : null, target, expected);
      const host = m.participants.find((x) => x.key === m.hostKey)!;
      return { host_user: { id: participantId(m, host, ids) ?? '', user_type: host.userType } };
    },
  });

  r.method('meeting.end', {
    schema: { params: MeetingParams, response: Type.Object({}) },
    handler: async (req: Req) => {
      const p = principalOf(req);
      await ctx.meetings.end(p.tenantKey, req.params.meeting_id, p.kind === 'user' ? userKey(p.userId ?? '') : null);
      return {};
    },
  });
}
