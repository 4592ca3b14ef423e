import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';
import { RoomStatusIn, RoomStatusOut } from '../room/room.schemas.js';

/**
 * Request and response shapes of scope_config, named as the SDK names them (scope_config.md §2). Schemas
 * check types only; ranges are the domain's (121003 rather than 99992402).
 */

/** A section sent as `null` is cleared: the node inherits it again. */
const Clearable = <T extends TSchema>(t: T, description: string) => Type.Optional(Type.Union([t, Type.Null()], { description }));

const Material = Type.Object({
  id: Type.Optional(Type.String({ description: 'leave out to add a material; the server assigns one' })),
  name: Type.Optional(Type.String()),
  material_type: Type.Optional(Type.Integer({ description: '1 image, 2 video, 3 GIF' })),
  url: Type.Optional(Type.String()),
  duration: Type.Optional(Type.Integer({ description: 'seconds, 1–43200' })),
  cover: Type.Optional(Type.String()),
  md5: Type.Optional(Type.String()),
  vid: Type.Optional(Type.String()),
  size: Type.Optional(Type.String({ description: 'bytes, as a string' })),
});

const signageFields = {
  if_cover_child_scope: Type.Optional(Type.Boolean({ description: 'on a level: clear this signage from every level and room below, so they inherit it' })),
  enable: Type.Optional(Type.Boolean()),
  mute: Type.Optional(Type.Boolean()),
  start_display: Type.Optional(Type.Integer({ description: 'minutes after a meeting ends, 1–720' })),
  stop_display: Type.Optional(Type.Integer({ description: 'minutes before a meeting starts, 1–720' })),
};
const SignageIn = Type.Object({ ...signageFields, materials: Type.Optional(Type.Array(Material)) });
const SignageOut = Type.Object({ ...signageFields, materials: Type.Optional(Type.Array(Type.Object({ ...Material.properties, id: Type.String() }))) });

export const RoomConfigIn = Type.Object({
  room_background: Clearable(Type.String(), 'Feishu Rooms background URL; "" or null: inherit'),
  display_background: Clearable(Type.String(), 'check-in board background URL; "" or null: inherit'),
  digital_signage: Clearable(SignageIn, 'null or an object setting nothing: inherit'),
  room_box_digital_signage: Clearable(SignageIn, 'null or an object setting nothing: inherit'),
  room_status: Clearable(RoomStatusIn, 'on a room: the room’s own status (as room patch sets it); on a level, null: inherit'),
});

export const RoomConfigOut = Type.Object({
  room_background: Type.Optional(Type.String()),
  display_background: Type.Optional(Type.String()),
  digital_signage: Type.Optional(SignageOut),
  room_box_digital_signage: Type.Optional(SignageOut),
  room_status: Type.Optional(RoomStatusOut),
});

const ScopeType = Type.Integer({ description: '1 room level, 2 room' });
const ScopeId = Type.String({ minLength: 1, maxLength: 100, description: 'a room level ID ("0": the tenant root) or a room ID' });

export const SetBody = Type.Object({ scope_type: ScopeType, scope_id: ScopeId, scope_config: Type.Optional(RoomConfigIn) });
export const SetQuery = Type.Object({ user_id_type: UserIdTypeParam });
export const GetQuery = Type.Object({ scope_type: ScopeType, scope_id: ScopeId, user_id_type: UserIdTypeParam });
export const AccessCodeBody = Type.Object({ scope_type: ScopeType, scope_id: ScopeId, valid_day: Type.Integer({ description: 'days the code stays valid: 1, 7 or 30' }) });

const ScopeConfig = Type.Object({ scope_type: Type.Integer(), scope_id: Type.String(), scope_config: RoomConfigOut });
export const GetData = Type.Object({
  current_config: ScopeConfig,
  origin_configs: Type.Array(ScopeConfig, { description: 'each node’s own settings: the node first, then each level above it up to the tenant root' }),
});
export const AccessCodeData = Type.Object({ access_code: Type.String() });

export type SetBodyT = Static<typeof SetBody>;
