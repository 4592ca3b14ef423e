import { Type, type Static } from '@sinclair/typebox';
import { PageSize } from '../../http/pagination.js';
import { Id, TreePageToken } from '../room/room.schemas.js';

/** Request and response shapes of the room-level API, named as the SDK names them (room_level.md). */

export const RoomLevel = Type.Object({
  room_level_id: Type.String(),
  name: Type.String(),
  parent_id: Type.String({ description: '"" for the tenant root' }),
  path: Type.Array(Type.String(), { description: 'the ancestors, tenant root first' }),
  has_child: Type.Boolean({ description: 'whether the level has child levels (rooms do not count)' }),
  custom_group_id: Type.Optional(Type.String()),
});

export const LevelIdParams = Type.Object({ room_level_id: Id });
export const ListQuery = Type.Object({
  room_level_id: Type.Optional(Type.String({ maxLength: 100, description: 'the parent level; empty: the tenant root' })),
  page_size: PageSize(10, 100),
  page_token: TreePageToken,
});
export const MgetBody = Type.Object({ level_ids: Type.Array(Id) });
export const LevelBody = Type.Object({
  name: Type.String(),
  parent_id: Type.String({ maxLength: 100, description: '"0" = the tenant root' }),
  custom_group_id: Type.Optional(Type.String({ description: 'tenant-defined, unique per tenant; "" for none' })),
});
export const DelBody = Type.Object({
  room_level_id: Id,
  delete_child: Type.Optional(Type.Boolean({ description: 'also delete every level and room below it' })),
});
export const SearchQuery = Type.Object({ custom_level_ids: Type.String({ maxLength: 8192, description: 'comma-separated custom level IDs' }) });

export const LevelData = Type.Object({ room_level: RoomLevel });
export const ListData = Type.Object({ items: Type.Array(RoomLevel), has_more: Type.Boolean(), page_token: Type.Optional(Type.String()) });
export const ItemsData = Type.Object({ items: Type.Array(RoomLevel) });
export const SearchData = Type.Object({ level_ids: Type.Array(Type.String()) });

export type LevelBodyT = Static<typeof LevelBody>;
