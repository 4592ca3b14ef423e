import { Type, type Static } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';
import { PageSize } from '../../http/pagination.js';

/**
 * Request and response shapes of the room API, named as the SDK names them (room.md). Schemas check
 * types only; limits and value rules are the domain's (121003 rather than 99992402).
 */

/** IDs in paths and bodies: room.md gives 1–100 characters. */
export const Id = Type.String({ minLength: 1, maxLength: 100 });

/**
 * Page tokens of the room tree carry a keyset position with names and level paths in it, so they run
 * longer than the common token.
 */
export const TreePageToken = Type.Optional(Type.String({ maxLength: 8192, description: 'opaque token from the previous page' }));

export const RoomStatusIn = Type.Object({
  status: Type.Boolean({ description: 'true = enabled; false = disabled from disable_start_time (default now)' }),
  schedule_status: Type.Optional(Type.Boolean({ description: 'output only; ignored' })),
  disable_start_time: Type.Optional(Type.String({ description: 'unix seconds' })),
  disable_end_time: Type.Optional(Type.String({ description: 'unix seconds; "0" = disabled for good' })),
  disable_reason: Type.Optional(Type.String()),
  contact_ids: Type.Optional(Type.Array(Type.String(), { description: 'user IDs of user_id_type' })),
  disable_notice: Type.Optional(Type.Boolean()),
  resume_notice: Type.Optional(Type.Boolean()),
});

export const RoomStatusOut = Type.Object({
  status: Type.Boolean({ description: 'enabled now' }),
  schedule_status: Type.Boolean({ description: 'the state the room is heading for' }),
  disable_start_time: Type.Optional(Type.String()),
  disable_end_time: Type.Optional(Type.String()),
  disable_reason: Type.Optional(Type.String()),
  contact_ids: Type.Optional(Type.Array(Type.String())),
  disable_notice: Type.Optional(Type.Boolean()),
  resume_notice: Type.Optional(Type.Boolean()),
});

const Device = Type.Object({ name: Type.String() });

export const Room = Type.Object({
  room_id: Type.String(),
  name: Type.String(),
  capacity: Type.Integer(),
  description: Type.Optional(Type.String()),
  display_id: Type.String(),
  custom_room_id: Type.Optional(Type.String()),
  room_level_id: Type.String(),
  path: Type.Array(Type.String(), { description: 'the levels above the room, tenant root first, its own level last' }),
  room_status: RoomStatusOut,
  device: Type.Array(Device),
});

const fields = {
  name: Type.String(),
  capacity: Type.Integer(),
  description: Type.Optional(Type.String()),
  custom_room_id: Type.Optional(Type.String({ description: 'tenant-defined, unique per tenant; "" for none' })),
  room_level_id: Type.String({ description: '"0" = the tenant root' }),
  room_status: Type.Optional(RoomStatusIn),
  device: Type.Optional(Type.Array(Device)),
};

export const CreateBody = Type.Object(fields);
export const PatchBody = Type.Partial(Type.Object(fields));

export const RoomIdParams = Type.Object({ room_id: Id });
export const UserIdQuery = Type.Object({ user_id_type: UserIdTypeParam });
export const ListQuery = Type.Object({
  page_size: PageSize(10, 100),
  page_token: TreePageToken,
  room_level_id: Type.Optional(Type.String({ maxLength: 100, description: 'the level whose own rooms are listed; empty: every room of the tenant' })),
  user_id_type: UserIdTypeParam,
});
export const MgetBody = Type.Object({ room_ids: Type.Array(Id) });
export const SearchBody = Type.Object({
  custom_room_ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { description: 'when not empty, the other fields are not used' })),
  keyword: Type.Optional(Type.String({ maxLength: 255 })),
  room_level_id: Type.Optional(Type.String({ maxLength: 100, description: 'search this level and every level below it' })),
  search_level_name: Type.Optional(Type.Boolean({ description: 'the keyword also matches the names of the levels above a room' })),
  page_size: PageSize(10, 100),
  page_token: TreePageToken,
});

const Paged = { has_more: Type.Boolean(), page_token: Type.Optional(Type.String()) };
export const RoomData = Type.Object({ room: Room });
export const ListData = Type.Object({ rooms: Type.Array(Room), ...Paged });
export const ItemsData = Type.Object({ items: Type.Array(Room) });

export type CreateBodyT = Static<typeof CreateBody>;
export type PatchBodyT = Static<typeof PatchBody>;
export type SearchBodyT = Static<typeof SearchBody>;
