import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { userIdMapper, type UserIdMapper } from '../../domain/identity/user-ids.js';
import { createRoom, deleteRoom, getRoom, listRooms, mgetRooms, patchRoom, searchRooms } from '../../domain/room/room.service.js';
import { roomView } from '../../domain/room/views.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { EmptyData } from '../../http/envelope.js';
import { decodePageToken } from '../../contract/page-token.js';
import { pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';
import type { RoomCursor, RoomRecord } from '../../store/repositories/room.repository.js';
import { CreateBody, ItemsData, ListData, ListQuery, MgetBody, PatchBody, RoomData, RoomIdParams, SearchBody, UserIdQuery, type CreateBodyT, type PatchBodyT, type SearchBodyT } from './room.schemas.js';

type Query = Static<typeof UserIdQuery>;
type Params = Static<typeof RoomIdParams>;

/** The position after a room in the rooms index, as page tokens carry it. */
const cursorOf = (r: RoomRecord): RoomCursor => ({ p: r.level_path, n: r.name_key, i: r.room_id });
const decodeCursor = (token: string | undefined) => decodePageToken(token, { p: 'string', n: 'string', i: 'string' });

export function roomRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps = ctx.repos;
  /** The caller's tenant and a converter of user IDs in the type they asked for. */
  const caller = (req: FastifyRequest<{ Querystring: Query }>) => {
    const p = principalOf(req);
    return { tenantKey: p.tenantKey, ids: userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl) };
  };
  const present = (ids: UserIdMapper, now: number) => (room: RoomRecord) => roomView(room, now, (u) => ids.present(u));

  r.method('room.list', {
    schema: { querystring: ListQuery, response: ListData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>) => {
      const { tenantKey, ids } = caller(req);
      const now = Date.now();
      const size = req.query.page_size ?? 10;
      const q = req.query;
      // Answered from memory while the tenant's rooms and levels are unchanged (src/store/read-cache.ts).
      const rows = await deps.reads.get(tenantKey, 'rooms', `room.list\u0000${q.room_level_id ?? ''}\u0000${size}\u0000${q.page_token ?? ''}`, () =>
        listRooms(deps, tenantKey, q.room_level_id, decodeCursor(q.page_token), size + 1, now),
      );
      const { items, ...page } = pageOf(rows, size, cursorOf);
      return { rooms: items.map(present(ids, now)), ...page };
    },
  });

  r.method('room.get', {
    schema: { params: RoomIdParams, querystring: UserIdQuery, response: RoomData },
    handler: async (req: FastifyRequest<{ Params: Params; Querystring: Query }>) => {
      const { tenantKey, ids } = caller(req);
      const room = await deps.reads.get(tenantKey, 'rooms', `room.get\u0000${req.params.room_id}`, () => getRoom(deps, tenantKey, req.params.room_id));
      return { room: present(ids, Date.now())(room) };
    },
  });

  r.method('room.mget', {
    schema: { querystring: UserIdQuery, body: MgetBody, response: ItemsData },
    handler: async (req: FastifyRequest<{ Querystring: Query; Body: Static<typeof MgetBody> }>) => {
      const { tenantKey, ids } = caller(req);
      return { items: (await mgetRooms(deps, tenantKey, req.body.room_ids)).map(present(ids, Date.now())) };
    },
  });

  r.method('room.create', {
    schema: { querystring: UserIdQuery, body: CreateBody, response: RoomData },
    handler: async (req: FastifyRequest<{ Querystring: Query; Body: CreateBodyT }>) => {
      const { tenantKey, ids } = caller(req);
      const now = Date.now();
      return { room: present(ids, now)(await createRoom(deps, tenantKey, ids, req.body, now)) };
    },
  });

  r.method('room.patch', {
    schema: { params: RoomIdParams, querystring: UserIdQuery, body: PatchBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Params: Params; Querystring: Query; Body?: PatchBodyT }>) => {
      const { tenantKey, ids } = caller(req);
      await patchRoom(deps, tenantKey, ids, req.params.room_id, req.body ?? {}, Date.now());
      return {};
    },
  });

  r.method('room.delete', {
    schema: { params: RoomIdParams, response: EmptyData },
    handler: async (req: FastifyRequest<{ Params: Params }>) => {
      await deleteRoom(deps, principalOf(req).tenantKey, req.params.room_id, Date.now());
      return {};
    },
  });

  r.method('room.search', {
    schema: { querystring: UserIdQuery, body: SearchBody, response: ListData },
    handler: async (req: FastifyRequest<{ Querystring: Query; Body?: SearchBodyT }>) => {
      const { tenantKey, ids } = caller(req);
      const now = Date.now();
      const body = req.body ?? {};
      const size = body.page_size ?? 10;
      // The documented first request sends page_token "0": the first page, like an empty one.
      const after = body.page_token === '0' ? undefined : decodeCursor(body.page_token);
      const { rooms, paged } = await searchRooms(deps, tenantKey, body, after, size + 1, now);
      const { items, ...page } = paged ? pageOf(rooms, size, cursorOf) : { items: rooms, has_more: false, page_token: '' };
      return { rooms: items.map(present(ids, now)), ...page };
    },
  });
}
