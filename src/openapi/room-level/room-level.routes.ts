import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { createLevel, deleteLevel, getLevel, listLevels, mgetLevels, patchLevel, searchLevels } from '../../domain/room/room-level.service.js';
import { levelView } from '../../domain/room/views.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { EmptyData } from '../../http/envelope.js';
import { decodePageToken } from '../../contract/page-token.js';
import { pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { DelBody, ItemsData, LevelBody, LevelData, LevelIdParams, ListData, ListQuery, MgetBody, SearchData, SearchQuery, type LevelBodyT } from './room-level.schemas.js';

type Params = Static<typeof LevelIdParams>;

export function roomLevelRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const deps = ctx.repos;
  const tenantOf = (req: FastifyRequest) => principalOf(req).tenantKey;

  r.method('roomLevel.list', {
    schema: { querystring: ListQuery, response: ListData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>) => {
      const size = req.query.page_size ?? 10;
      const after = decodePageToken(req.query.page_token, { n: 'string', i: 'string' });
      const tenantKey = tenantOf(req);
      const q = req.query;
      // Answered from memory while the tenant's rooms and levels are unchanged (src/store/read-cache.ts).
      const rows = await deps.reads.get(tenantKey, 'rooms', `level.list\u0000${q.room_level_id ?? ''}\u0000${size}\u0000${q.page_token ?? ''}`, () =>
        listLevels(deps, tenantKey, q.room_level_id, after, size + 1, Date.now()),
      );
      const page = pageOf(rows, size, (l) => ({ n: l.name_key, i: l.room_level_id }));
      return { ...page, items: page.items.map(levelView) };
    },
  });

  r.method('roomLevel.get', {
    schema: { params: LevelIdParams, response: LevelData },
    handler: async (req: FastifyRequest<{ Params: Params }>) => ({ room_level: levelView(await getLevel(deps, tenantOf(req), req.params.room_level_id, Date.now())) }),
  });

  r.method('roomLevel.mget', {
    schema: { body: MgetBody, response: ItemsData },
    handler: async (req: FastifyRequest<{ Body: Static<typeof MgetBody> }>) => ({
      items: (await mgetLevels(deps, tenantOf(req), req.body.level_ids, Date.now())).map(levelView),
    }),
  });

  r.method('roomLevel.create', {
    schema: { body: LevelBody, response: LevelData },
    handler: async (req: FastifyRequest<{ Body: LevelBodyT }>) => ({ room_level: levelView(await createLevel(deps, tenantOf(req), req.body, Date.now())) }),
  });

  r.method('roomLevel.patch', {
    schema: { params: LevelIdParams, body: LevelBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Params: Params; Body: LevelBodyT }>) => {
      await patchLevel(deps, tenantOf(req), req.params.room_level_id, req.body, Date.now());
      return {};
    },
  });

  r.method('roomLevel.del', {
    schema: { body: DelBody, response: EmptyData },
    handler: async (req: FastifyRequest<{ Body: Static<typeof DelBody> }>) => {
      await deleteLevel(deps, tenantOf(req), req.body.room_level_id, req.body.delete_child ?? false, Date.now());
      return {};
    },
  });

  r.method('roomLevel.search', {
    schema: { querystring: SearchQuery, response: SearchData },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof SearchQuery> }>) => ({ level_ids: await searchLevels(deps, tenantOf(req), req.query.custom_level_ids) }),
  });
}
