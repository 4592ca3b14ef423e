import { Type, type Static } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';
import { Id } from '../room/room.schemas.js';

/**
 * Request and response shapes of reserve_configs, named as the SDK names them (scope_config.md §5.2).
 * Responses have the request's shapes, every default filled in. Schemas check types only; ranges are the
 * domain's (121003, 126011 …).
 */

const User = Type.Object({ user_id: Type.String({ description: 'of user_id_type' }), user_name: Type.Optional(Type.String({ description: 'ignored' })) });
const Dept = Type.Object({ department_id: Type.String({ description: 'open_department_id; "0": the whole tenant' }), department_name: Type.Optional(Type.String({ description: 'ignored' })) });
const Cover = Type.Optional(Type.Boolean({ description: 'on a level: clear this section from every level and room below, so they inherit it' }));

export const ApprovalConfig = Type.Object({
  approval_switch: Type.Optional(Type.Integer({ description: '0 off, 1 on' })),
  approval_condition: Type.Optional(Type.Integer({ description: '0 every booking, 1 bookings longer than meeting_duration' })),
  meeting_duration: Type.Optional(Type.Number({ description: 'hours, 0.1–99' })),
  approvers: Type.Optional(Type.Array(User)),
});

export const TimeConfig = Type.Object({
  if_cover_child_scope: Cover,
  time_switch: Type.Integer({ description: '0 off, 1 on' }),
  days_in_advance: Type.Optional(Type.Integer({ description: '1–730, default 365' })),
  opening_hour: Type.Optional(Type.String({ description: 'seconds of the day (UTC) the furthest day opens, default "28800"' })),
  start_time: Type.Optional(Type.String({ description: 'seconds of the day (UTC), default "0"' })),
  end_time: Type.Optional(Type.String({ description: 'seconds of the day (UTC), default "86400"' })),
  max_duration: Type.Optional(Type.Integer({ description: 'hours, 1–99, default 2' })),
});

export const ReserveScopeConfig = Type.Object({
  if_cover_child_scope: Cover,
  allow_all_users: Type.Optional(Type.Integer({ description: 'required: 1 everyone, 0 allow_users and allow_depts' })),
  allow_users: Type.Optional(Type.Array(User)),
  allow_depts: Type.Optional(Type.Array(Dept)),
});

const CustomItem = Type.Object({
  custom_type: Type.Integer(),
  key: Type.String(),
  need_fill: Type.Boolean(),
  title: Type.String(),
  placeholder: Type.Optional(Type.String()),
  options: Type.Optional(Type.Array(Type.Object({ text: Type.String(), key: Type.String(), is_other: Type.Optional(Type.Boolean()) }))),
  conditions: Type.Optional(Type.Array(Type.Object({ custom_key: Type.Optional(Type.String()), option_keys: Type.Optional(Type.Array(Type.String())) }))),
});

export const FormConfig = Type.Object({
  if_cover_child_scope: Cover,
  reserve_form: Type.Boolean(),
  notified_users: Type.Optional(Type.Array(User)),
  notified_time: Type.Optional(Type.Integer({ description: 'notify at the latest this many time units before the start' })),
  time_unit: Type.Optional(Type.Integer({ description: '1 minute, 2 hour, 3 day (default)' })),
  custom_list: Type.Optional(Type.Array(CustomItem)),
});

export const AdminConfig = Type.Object({ depts: Type.Optional(Type.Array(Dept)), users: Type.Optional(Type.Array(User)) });

export const DisableInform = Type.Object({
  if_cover_child_scope: Cover,
  if_inform: Type.Boolean(),
  informed_users: Type.Optional(Type.Array(User)),
  informed_depts: Type.Optional(Type.Array(Dept)),
});

const ScopeId = Type.String({ minLength: 1, maxLength: 100, description: 'a room level ID ("0": the tenant root) or a room ID' });
/** reserve_scope and patch take scope_type as a string, the sub-resources as an integer (as the SDK types them). */
const ScopeTypeText = Type.String({ maxLength: 10, description: '"1" room level, "2" room' });
export const ScopeTypeInt = Type.Integer({ description: '1 room level, 2 room' });

export const ConfigIdParams = Type.Object({ reserve_config_id: Id });
export const UserIdQuery = Type.Object({ user_id_type: UserIdTypeParam });
export const ReserveScopeQuery = Type.Object({ scope_id: ScopeId, scope_type: ScopeTypeText, user_id_type: UserIdTypeParam });
export const SectionQuery = Type.Object({ scope_type: ScopeTypeInt, user_id_type: UserIdTypeParam });
export const PatchBody = Type.Object({
  scope_type: ScopeTypeText,
  approval_config: Type.Optional(ApprovalConfig),
  time_config: Type.Optional(TimeConfig),
  reserve_scope_config: Type.Optional(ReserveScopeConfig),
});
export const ReserveScopeData = Type.Object({ approve_config: ApprovalConfig, time_config: TimeConfig, reserve_scope_config: ReserveScopeConfig });

export type PatchBodyT = Static<typeof PatchBody>;
