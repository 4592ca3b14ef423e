import type { FastifyInstance, FastifyRequest, RouteGenericInterface } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { MethodSpec, TokenKind } from '../contract/methods.js';
import type { AppContext } from '../http/context.js';
import { principalOf } from '../http/auth.js';
import { Envelope, ok } from '../http/envelope.js';
import { decodePageToken } from '../contract/page-token.js';
import { pageOf, PageSize, PageToken } from '../http/pagination.js';
import { userIdMapper, UserIdTypeParam } from '../domain/identity/user-ids.js';
import { queryRange } from '../domain/booking/rules.js';
import type { BookingFilter } from '../store/repositories/booking.repository.js';
import { BookingObject, BookingStatusSchema, CheckInMethodSchema, Seconds, presentBooking } from './booking.presenter.js';

/**
 * Room bookings (docs/room-bookings.md): openvc's extension, not a Feishu API. Same envelope, tokens,
 * scopes and error registry as the Open API. Bookings are read and made with the reserve scopes; approving,
 * the approval flag and the room sensor are room administration (`vc:room`, tenant token).
 */
const BASE = '/openvc/v1/room_bookings';
const READ = ['vc:reserve', 'vc:reserve:readonly'];
const WRITE = ['vc:reserve'];
const BOTH: TokenKind[] = ['tenant', 'user'];

const spec = (id: string, method: MethodSpec['method'], path: string, summary: string, tokens: TokenKind[], scopes: string[]): MethodSpec => ({
  id: `roomBooking.${id}`,
  resource: 'room_booking',
  method,
  path: BASE + path,
  summary,
  tokens,
  scopes,
  fieldScopes: [],
  rateLimit: {}, // openvc's own API: no published limit to copy
  spec: 'docs/room-bookings.md',
});

const UserIdQuery = Type.Object({ user_id_type: UserIdTypeParam });
const BookingParams = Type.Object({ booking_id: Type.String({ minLength: 1, maxLength: 64 }) });
const LevelParams = Type.Object({ room_level_id: Type.String({ minLength: 1, maxLength: 100 }) });
const RoomParams = Type.Object({ room_id: Type.String({ minLength: 1, maxLength: 100 }) });
const BookBody = Type.Object(
  {
    room_id: Type.String({ minLength: 1, maxLength: 100 }),
    start_time: Seconds('start'),
    end_time: Seconds('end'),
    topic: Type.Optional(Type.String({ maxLength: 255 })),
    organizer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'whom the room is booked for (user_id_type); required with a tenant_access_token, ignored with a user_access_token' })),
    meeting_no: Type.Optional(Type.String({ pattern: '^[0-9]{9}$', description: 'the meeting the booking is for (a reserve number)' })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({
  room_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  organizer_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'in user_id_type' })),
  status: Type.Optional(BookingStatusSchema),
  start_time: Type.Optional(Seconds('bookings ending after this')),
  end_time: Type.Optional(Seconds('bookings starting before this')),
  page_size: PageSize(20, 100),
  page_token: PageToken,
  user_id_type: UserIdTypeParam,
});
const RejectBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
const CheckInBody = Type.Object({ method: CheckInMethodSchema }, { additionalProperties: false });
const LevelBody = Type.Object({ needs_approval: Type.Boolean() }, { additionalProperties: false });
const One = Type.Object({ booking: BookingObject });
const LevelSetting = Type.Object({
  room_level_id: Type.String(),
  needs_approval: Type.Boolean({ description: "the level's own flag" }),
  effective_needs_approval: Type.Boolean({ description: 'bookings of rooms at this level wait for approval: its flag or one above it' }),
});

type Query = Static<typeof UserIdQuery>;
type WithBooking = { Params: Static<typeof BookingParams>; Querystring: Query };

export function bookingApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const bookings = ctx.bookings;
  const route = <R extends RouteGenericInterface>(s: MethodSpec, schema: { params?: TSchema; querystring?: TSchema; body?: TSchema; data: TSchema }, handler: (req: FastifyRequest<R>) => Promise<unknown>) => {
    const { data, ...parts } = schema;
    const security = s.tokens.map((t) => ({ [t === 'tenant' ? 'tenantAccessToken' : 'userAccessToken']: [] }));
    app.route({ method: s.method, url: s.path, config: { api: s }, schema: { ...parts, response: { 200: Envelope(data) }, summary: s.summary, tags: ['room_bookings'], operationId: s.id, security }, handler: async (req) => ok(await handler(req as never)) });
  };
  /** The caller and a converter of user IDs in the type they asked for. */
  const caller = (req: FastifyRequest<{ Querystring: { user_id_type?: Query['user_id_type'] } }>) => {
    const p = principalOf(req);
    return { p, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl) };
  };

  route<{ Querystring: Query; Body: Static<typeof BookBody> }>(spec('book', 'POST', '', 'Book a room for a time span', BOTH, WRITE), { querystring: UserIdQuery, body: BookBody, data: One }, async (req) => {
    const { p, ids } = caller(req);
    return { booking: presentBooking(await bookings.book(p, ids, req.body), ids) };
  });

  route<{ Querystring: Static<typeof ListQuery> }>(
    spec('list', 'GET', '', "The tenant's bookings in start order, by room, organizer, status and time range", BOTH, READ),
    { querystring: ListQuery, data: Type.Object({ items: Type.Array(BookingObject), has_more: Type.Boolean(), page_token: Type.Optional(Type.String()) }) },
    async (req) => {
      const { p, ids } = caller(req);
      const q = req.query;
      const filter: BookingFilter = { range: queryRange(q.start_time, q.end_time) };
      if (q.room_id !== undefined) filter.roomId = q.room_id;
      if (q.organizer_id !== undefined) filter.organizerUserId = (await ids.resolve(q.organizer_id)).user_id;
      if (q.status !== undefined) filter.status = q.status;
      const size = q.page_size ?? 20;
      const cursor = decodePageToken(q.page_token, { s: 'integer', i: 'string' });
      const rows = await bookings.page(p, filter, cursor, size + 1);
      const page = pageOf(rows, size, (b) => ({ s: b.start_time, i: b.id }));
      return { ...page, items: page.items.map((b) => presentBooking(b, ids)) };
    },
  );

  route<WithBooking>(spec('get', 'GET', '/:booking_id', 'One booking', BOTH, READ), { params: BookingParams, querystring: UserIdQuery, data: One }, async (req) => {
    const { p, ids } = caller(req);
    return { booking: presentBooking(await bookings.get(p, req.params.booking_id), ids) };
  });

  route<WithBooking>(spec('cancel', 'POST', '/:booking_id/cancel', 'Cancel a booking, or release its room by hand once it has begun', BOTH, WRITE), { params: BookingParams, querystring: UserIdQuery, data: One }, async (req) => {
    const { p, ids } = caller(req);
    return { booking: presentBooking(await bookings.cancel(p, req.params.booking_id), ids) };
  });

  route<WithBooking>(spec('approve', 'POST', '/:booking_id/approve', 'Approve a pending booking', ['tenant'], ['vc:room']), { params: BookingParams, querystring: UserIdQuery, data: One }, async (req) => {
    const { p, ids } = caller(req);
    return { booking: presentBooking(await bookings.decide(p, req.params.booking_id, true), ids) };
  });

  route<WithBooking & { Body?: Static<typeof RejectBody> }>(
    spec('reject', 'POST', '/:booking_id/reject', 'Reject a pending booking', ['tenant'], ['vc:room']),
    { params: BookingParams, querystring: UserIdQuery, body: Type.Optional(RejectBody), data: One },
    async (req) => {
      const { p, ids } = caller(req);
      return { booking: presentBooking(await bookings.decide(p, req.params.booking_id, false, req.body?.reason), ids) };
    },
  );

  route<WithBooking & { Body: Static<typeof CheckInBody> }>(
    spec('checkIn', 'POST', '/:booking_id/check_in', 'Check a booking in from a room device (tenant token) or by its organizer', BOTH, WRITE),
    { params: BookingParams, querystring: UserIdQuery, body: CheckInBody, data: One },
    async (req) => {
      const { p, ids } = caller(req);
      return { booking: presentBooking(await bookings.checkIn(p, req.params.booking_id, req.body.method), ids) };
    },
  );

  route<{ Params: Static<typeof RoomParams>; Querystring: Query }>(
    spec('roomVacant', 'POST', '/rooms/:room_id/vacant', "A room sensor's signal that the room is empty: the booking in progress releases it", ['tenant'], ['vc:room']),
    { params: RoomParams, querystring: UserIdQuery, data: Type.Object({ released: Type.Boolean(), booking: Type.Optional(BookingObject) }) },
    async (req) => {
      const { p, ids } = caller(req);
      const released = await bookings.roomVacant(p, req.params.room_id);
      return released ? { released: true, booking: presentBooking(released, ids) } : { released: false };
    },
  );

  route<{ Params: Static<typeof LevelParams> }>(
    spec('getLevelSetting', 'GET', '/level_settings/:room_level_id', "A room level's approval flag", ['tenant'], ['vc:room', 'vc:room:readonly']),
    { params: LevelParams, data: LevelSetting },
    async (req) => bookings.levelApproval(principalOf(req), req.params.room_level_id),
  );

  route<{ Params: Static<typeof LevelParams>; Body: Static<typeof LevelBody> }>(
    spec('setLevelSetting', 'PUT', '/level_settings/:room_level_id', 'Make bookings of the rooms at and below a level wait for approval, or not', ['tenant'], ['vc:room']),
    { params: LevelParams, body: LevelBody, data: LevelSetting },
    async (req) => {
      const p = principalOf(req);
      await bookings.setLevelApproval(p, req.params.room_level_id, req.body.needs_approval);
      return bookings.levelApproval(p, req.params.room_level_id);
    },
  );
}
