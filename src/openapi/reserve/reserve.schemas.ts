import { Type, type Static } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';

/**
 * Request and response shapes of the reserve API, named as the SDK names them (reserve.md). Schemas
 * check types only: enum values and limits are the domain's (121003 / 123xxx rather than 99992402).
 */

const PermissionChecker = Type.Object({
  check_field: Type.Integer({ description: '1 user ID, 2 user type, 3 tenant ID' }),
  check_mode: Type.Integer({ description: '1 in check_list ⇒ allowed, 2 not in check_list ⇒ allowed' }),
  check_list: Type.Array(Type.String()),
});

const ActionPermission = Type.Object({
  permission: Type.Integer({ description: '1 can become host, 2 can invite, 3 can join' }),
  permission_checkers: Type.Array(PermissionChecker),
});

const CallSetting = Type.Object({
  callee: Type.Object({
    id: Type.Optional(Type.String()),
    user_type: Type.Integer({ description: '1 Feishu user, 6 PSTN' }),
    pstn_sip_info: Type.Optional(Type.Object({ nickname: Type.Optional(Type.String()), main_address: Type.String({ description: 'e.g. +86-02187654321' }) })),
  }),
});

const AssignHost = Type.Object({ user_type: Type.Optional(Type.Integer()), id: Type.Optional(Type.String()) });

const settingsFields = {
  topic: Type.Optional(Type.String()),
  action_permissions: Type.Optional(Type.Array(ActionPermission)),
  meeting_initial_type: Type.Optional(Type.Integer({ description: '1 multi-party, 2 1v1 call' })),
  meeting_connect: Type.Optional(Type.Boolean()),
  call_setting: Type.Optional(CallSetting),
  auto_record: Type.Optional(Type.Boolean()),
  assign_host_list: Type.Optional(Type.Array(AssignHost)),
};

const SettingsInput = Type.Object({
  ...settingsFields,
  password: Type.Optional(Type.String({ description: '"" none, 4–9 digits; omitted: a random 6-digit one' })),
});

export const UserIdQuery = Type.Object({ user_id_type: UserIdTypeParam });
export const ActiveMeetingQuery = Type.Object({ with_participants: Type.Optional(Type.Boolean()), user_id_type: UserIdTypeParam });
export const ReserveIdParams = Type.Object({ reserve_id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ApplyBody = Type.Object({
  end_time: Type.Optional(Type.String({ description: 'unix seconds; at most 30 days ahead; required for multi-party meetings' })),
  owner_id: Type.Optional(Type.String({ description: 'required with a tenant_access_token, ignored with a user_access_token' })),
  meeting_settings: SettingsInput,
});

export const UpdateBody = Type.Object({
  end_time: Type.Optional(Type.String()),
  meeting_settings: Type.Optional(SettingsInput),
});

const CorrectionCheckInfo = Type.Object({ invalid_host_id_list: Type.Array(Type.String()) });

const common = {
  id: Type.String(),
  meeting_no: Type.String(),
  password: Type.String(),
  url: Type.String(),
};

/** Each method returns its own set of reserve fields (reserve.md). */
export const ApplyData = Type.Object({
  reserve: Type.Object({ ...common, app_link: Type.String(), live_link: Type.String(), end_time: Type.String() }),
  reserve_correction_check_info: CorrectionCheckInfo,
});

export const UpdateData = Type.Object({
  reserve: Type.Object({ ...common, live_link: Type.String(), end_time: Type.String(), expire_status: Type.Integer() }),
  reserve_correction_check_info: CorrectionCheckInfo,
});

export const GetData = Type.Object({
  reserve: Type.Object({
    ...common,
    app_link: Type.String(),
    live_link: Type.String(),
    end_time: Type.String(),
    expire_status: Type.Integer({ description: '1 not expired, 2 expired' }),
    reserve_user_id: Type.String(),
    meeting_settings: Type.Object({
      topic: Type.String(),
      action_permissions: Type.Array(ActionPermission),
      meeting_initial_type: Type.Integer(),
      meeting_connect: Type.Boolean(),
      call_setting: Type.Optional(CallSetting),
      auto_record: Type.Boolean(),
      assign_host_list: Type.Array(AssignHost),
    }),
  }),
});

export type ApplyBodyT = Static<typeof ApplyBody>;
export type UpdateBodyT = Static<typeof UpdateBody>;
