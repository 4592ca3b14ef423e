import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { UserIdTypeParam, userIdMapper, type UserIdMapper, type UserIdType } from '../../domain/identity/user-ids.js';
import type { Principal } from '../../domain/auth/principal.js';
import { guestKey, roomKey, userKey, USER_TYPE, type Meeting, type UserType } from '../../domain/meeting/meeting.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { decodePageToken } from '../../contract/page-token.js';
import { USER_SUBSCRIBABLE } from '../../contract/events.js';
import { SubscriptionBody, checkSubscribable } from '../../http/subscription.js';
import { PageToken, pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { MeetingObject, RelatedArtifacts, noArtifacts, MeetingSearchItem, MeetingSummaryObject, MeetingUser, meetingUrl, participantId, presentMeeting, presentSearchItem, presentSummary } from './meeting.presenter.js';

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
const MeetingListQuery = Type.Object({
  room_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  start_time: Type.String({ pattern: '^[0-9]{1,12}$' }),
  end_time: Type.String({ pattern: '^[0-9]{1,12}$' }),
  status: Type.Integer({ minimum: 1, maximum: 3, description: '1 calling, 2 in progress, 3 ended' }),
  page_token: PageToken,
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
const SearchQuery = Type.Object({ page_token: PageToken, page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) });
const IdList = Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }));
const SearchBody = Type.Optional(
  Type.Object({
    query: Type.Optional(Type.String({ maxLength: 200 })),
    meeting_filter: Type.Optional(
      Type.Object({
        organizer_ids: IdList,
        participant_ids: IdList,
        open_room_ids: IdList,
        start_time: Type.Optional(Type.Object({ start_time: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })), end_time: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })) })),
      }),
    ),
  }),
);
const ChangeNameBody = Type.Object({
  change_name_users: Type.Array(
    Type.Object({ id: Type.Optional(Type.String()), user_type: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })), in_meeting_name: Type.Optional(Type.String({ maxLength: 64 })) }),
    { minItems: 1, maxItems: 100 },
  ),
});
const InviteBody = Type.Object({ invitees: Type.Array(MeetingUser, { minItems: 1, maxItems: 10 }) });
const KickoutBody = Type.Object({ kickout_users: Type.Array(MeetingUser, { minItems: 1, maxItems: 100 }) });
const SetHostBody = Type.Object({ host_user: MeetingUser, old_host_user: Type.Optional(MeetingUser) });
const UserResult = (field: 'status' | 'result') => Type.Object({ id: Type.String(), user_type: Type.Integer(), [field]: Type.Integer() });

type Req<Q = unknown, B = unknown> = FastifyRequest<{ Params: Static<typeof MeetingParams>; Querystring: Q; Body: B }>;

/** Meetings are kept queryable for 90 days (meeting.md). */
const RETENTION_MS = 90 * 24 * 3600_000;

/** The window (unix seconds, clipped to the retention) and the page asked for by listByNo and list. */
function windowPage(q: { start_time: string; end_time: string; page_size?: number; page_token?: string }) {
  const from = Number(q.start_time) * 1000;
  const to = Number(q.end_time) * 1000;
  if (from >= to) throw apiError('paramError', 'param error: start_time must be before end_time');
  return { from: Math.max(from, Date.now() - RETENTION_MS), to, size: q.page_size ?? 20, after: decodePageToken(q.page_token, { t: 'integer', id: 'string' }) };
}

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
    schema: { params: MeetingParams, querystring: GetQuery, response: Type.Object({ meeting: MeetingObject, related_artifacts: RelatedArtifacts }) },
    handler: async (req: Req<Static<typeof GetQuery>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      const meeting = await ctx.repos.meetings.current(p.tenantKey, req.params.meeting_id);
      const now = Date.now();
      if (!meeting || now - meeting.createdAt > RETENTION_MS) throw apiError('dataNotExist', `meeting ${req.params.meeting_id} does not exist`);
      if (!canRead(p, meeting)) throw apiError('noPermission', 'the meeting does not belong to the caller');
      return {
        meeting: presentMeeting(meeting, ids, ctx.publicUrl, {
          withParticipants: req.query.with_participants === true,
          withAbility: req.query.with_meeting_ability === true && p.kind === 'tenant',
          now,
        }),
        related_artifacts: noArtifacts(),
      };
    },
  });

  r.method('meeting.listByNo', {
    schema: {
      querystring: ListQuery,
      response: Type.Object({
        has_more: Type.Boolean(),
        page_token: Type.Optional(Type.String()),
        meeting_briefs: Type.Array(Type.Object({ id: Type.String(), topic: Type.String(), url: Type.String(), meeting_no: Type.String(), password: Type.String(), meeting_connect: Type.Boolean(), note_id: Type.String() })),
      }),
    },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>) => {
      const p = principalOf(req);
      const q = req.query;
      const { from, to, size, after } = windowPage(q);
      const rows = await ctx.repos.meetings.listByNo(p.tenantKey, q.meeting_no, from, to, after, size + 1);
      const page = pageOf(rows, size, (last) => ({ t: last.created_at, id: last.id }));
      return {
        has_more: page.has_more,
        page_token: page.page_token,
        meeting_briefs: page.items.map((m) => ({ id: m.id, topic: m.topic, url: meetingUrl(ctx.publicUrl, m.meeting_no), meeting_no: m.meeting_no, password: m.password, meeting_connect: false, note_id: '' })),
      };
    },
  });

  r.method('meeting.list', {
    schema: {
      querystring: MeetingListQuery,
      response: Type.Object({ has_more: Type.Boolean(), page_token: Type.String(), meetings: Type.Array(MeetingSummaryObject) }),
    },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof MeetingListQuery> }>) => {
      const p = principalOf(req);
      const q = req.query;
      const { from, to, size, after } = windowPage(q);
      const filter = { from, to, status: q.status, ...(q.room_id ? { roomKeys: [roomKey(q.room_id)] } : {}) };
      const page = pageOf(await ctx.repos.meetings.summaries(p.tenantKey, filter, after, size + 1), size, (last) => ({ t: last.created_at, id: last.id }));
      return { has_more: page.has_more, page_token: page.page_token, meetings: page.items.map(presentSummary) };
    },
  });

  r.method('meeting.search', {
    schema: {
      querystring: SearchQuery,
      body: SearchBody,
      response: Type.Object({ total: Type.Integer(), has_more: Type.Boolean(), items: Type.Array(MeetingSearchItem), page_token: Type.String(), notice: Type.String() }),
    },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof SearchQuery>; Body: Static<typeof SearchBody> }>) => {
      const { p, ids } = mapper(req, undefined);
      const f = req.body?.meeting_filter;
      const now = Date.now();
      const from = f?.start_time?.start_time ? Number(f.start_time.start_time) * 1000 : 0;
      const to = f?.start_time?.end_time ? Number(f.start_time.end_time) * 1000 : now;
      if (from > to) throw apiError('paramError', 'param error: start_time.start_time must not be after start_time.end_time');
      // People are named by open_id (the method takes no user_id_type); an ID that names nobody matches nothing.
      const userIds = async (list: string[]) => (await Promise.all(list.map((id) => ids.find(id)))).flatMap((u) => (u ? [u.user_id] : []));
      const filter = {
        from: Math.max(from, now - RETENTION_MS),
        to,
        ...(req.body?.query?.trim() ? { text: req.body.query.trim() } : {}),
        ...(f?.organizer_ids?.length ? { ownerUserIds: await userIds(f.organizer_ids) } : {}),
        ...(f?.participant_ids?.length ? { participantKeys: (await userIds(f.participant_ids)).map(userKey) } : {}),
        ...(f?.open_room_ids?.length ? { roomKeys: f.open_room_ids.map(roomKey) } : {}),
        ...(p.kind === 'user' ? { visibleTo: p.userId ?? '' } : {}),
      };
      const size = req.query.page_size ?? 20;
      const after = decodePageToken(req.query.page_token, { t: 'integer', id: 'string' });
      const [rows, total] = await Promise.all([ctx.repos.meetings.summaries(p.tenantKey, filter, after, size + 1), ctx.repos.meetings.countMatching(p.tenantKey, filter)]);
      const page = pageOf(rows, size, (last) => ({ t: last.created_at, id: last.id }));
      return { total, has_more: page.has_more, items: page.items.map((m) => presentSearchItem(m, ctx.publicUrl)), page_token: page.page_token, notice: '' };
    },
  });

  r.method('meeting.changeName', {
    schema: { params: MeetingParams, querystring: IdTypeQuery, body: ChangeNameBody, response: Type.Object({ results: Type.Array(UserResult('result')) }) },
    handler: async (req: Req<Static<typeof IdTypeQuery>, Static<typeof ChangeNameBody>>) => {
      const { p, ids } = mapper(req, req.query.user_id_type);
      const users = req.body.change_name_users;
      for (const u of users) {
        if (!u.in_meeting_name?.trim()) throw apiError('paramError', `param error: in_meeting_name of ${u.id ?? '(no id)'} is empty`);
      }
      const keys = await Promise.all(users.map((u) => targetKey(ids, u)));
      const done = await ctx.meetings.changeNames(p.tenantKey, req.params.meeting_id, keys.map((key, i) => ({ key, name: users[i]!.in_meeting_name!.trim() })));
      return { results: users.map((u, i) => ({ id: u.id ?? '', user_type: u.user_type ?? 1, result: done[i] ? 1 : 2 })) };
    },
  });

  for (const id of ['meeting.subscription', 'meeting.unsubscription']) {
    r.method(id, {
      schema: { body: SubscriptionBody, response: Type.Object({}) },
      handler: async (req: FastifyRequest<{ Body: Static<typeof SubscriptionBody> }>) => checkSubscribable(USER_SUBSCRIBABLE.meeting, req.body?.event_type),
    });
  }

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
      const results = await ctx.meetings.kickOut(p.tenantKey, req.params.meeting_id, keys, p.appId);
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
