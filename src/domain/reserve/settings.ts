/**
 * reserve_meeting_setting (reserve.md) and the rules a reserve's settings must satisfy. Stored settings
 * carry tenant user_ids wherever the API carries user IDs; see settings-ids.ts for the conversion.
 */
import { apiError } from '../../contract/errors.js';

export interface PermissionChecker {
  /** CHECK_FIELD */
  check_field: number;
  /** CHECK_MODE */
  check_mode: number;
  check_list: string[];
}

export interface ActionPermission {
  /** ACTION */
  permission: number;
  permission_checkers: PermissionChecker[];
}

export interface Callee {
  id?: string;
  user_type: number;
  pstn_sip_info?: { nickname?: string; main_address: string };
}

export interface AssignHost {
  user_type?: number;
  id?: string;
}

/** The settings without `password`, which lives apart (get does not echo it inside meeting_settings). */
export interface MeetingSettings {
  topic?: string;
  action_permissions?: ActionPermission[];
  meeting_initial_type?: number;
  meeting_connect?: boolean;
  call_setting?: { callee: Callee };
  auto_record?: boolean;
  assign_host_list?: AssignHost[];
}

export interface MeetingSettingsInput extends MeetingSettings {
  password?: string;
}

export const MEETING_TYPE = { multiParty: 1, oneOnOne: 2 } as const;
export const ACTION = { becomeHost: 1, invite: 2, join: 3 } as const;
export const CHECK_FIELD = { userId: 1, userType: 2, tenant: 3 } as const;
export const CHECK_MODE = { inList: 1, notInList: 2 } as const;
/** The user types a reserve can name: 1 Feishu user, 2 rooms, 6 PSTN, 7 SIP (checker lists hold them as strings). */
export const USER_TYPE = { lark: 1, rooms: 2, pstn: 6, sip: 7 } as const;
/** meeting.md user_type 5 (neo单品游客用户): openvc's guests; user-type checkers may name them too (docs/decisions.md "Guests"). */
export const GUEST_USER_TYPE = 5;
export const MAX_ASSIGNED_HOSTS = 10;

const CHECKER_USER_TYPES = [...Object.values(USER_TYPE), GUEST_USER_TYPE].sort((a, b) => a - b).map(String);
/** `[国际冠字]-[区号][号码]`, e.g. +86-02187654321 */
const PHONE = /^\+\d{1,4}-\d{5,20}$/;

const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);
const oneOf = (values: readonly number[], v: number) => values.includes(v);

export const meetingTypeOf = (s: MeetingSettings): number => s.meeting_initial_type ?? MEETING_TYPE.multiParty;

/**
 * Checks what a reserve may hold. Enum values out of range are 121003 (the schema only checks types),
 * an unsupported callee type 121002, auto-record on a 1v1 call 123002, more than ten hosts 123003, a
 * host that is not a Feishu user 123004. Host IDs that name nobody are not an error (settings-ids.ts).
 */
export function checkSettings(s: MeetingSettings): void {
  const type = meetingTypeOf(s);
  if (!oneOf(Object.values(MEETING_TYPE), type)) throw paramError('meeting_settings.meeting_initial_type must be 1 (multi-party) or 2 (1v1 call)');
  (s.action_permissions ?? []).forEach((ap, i) => {
    const at = `meeting_settings.action_permissions[${i}]`;
    if (!oneOf(Object.values(ACTION), ap.permission)) throw paramError(`${at}.permission must be 1, 2 or 3`);
    ap.permission_checkers.forEach((c, j) => {
      const cat = `${at}.permission_checkers[${j}]`;
      if (!oneOf(Object.values(CHECK_FIELD), c.check_field)) throw paramError(`${cat}.check_field must be 1, 2 or 3`);
      if (!oneOf(Object.values(CHECK_MODE), c.check_mode)) throw paramError(`${cat}.check_mode must be 1 or 2`);
      if (c.check_field === CHECK_FIELD.userType && !c.check_list.every((t) => CHECKER_USER_TYPES.includes(t))) {
        throw paramError(`${cat}.check_list must hold user types ${CHECKER_USER_TYPES.join(', ')}`);
      }
    });
  });
  if (type === MEETING_TYPE.oneOnOne) {
    if (s.auto_record) throw apiError('recordParamError', 'record param error: a 1v1 call cannot be auto-recorded');
    if (!s.call_setting) throw paramError('meeting_settings.call_setting is required for a 1v1 call');
  }
  if (s.call_setting) checkCallee(s.call_setting.callee);
  const hosts = s.assign_host_list ?? [];
  if (hosts.length > MAX_ASSIGNED_HOSTS) throw apiError('assignHostExceedLimit', `assign host exceed max limit ${MAX_ASSIGNED_HOSTS}: ${hosts.length} given`);
  const notLark = hosts.findIndex((h) => h.user_type !== undefined && h.user_type !== USER_TYPE.lark);
  if (notLark >= 0) throw apiError('assignHostError', `assign host error: assign_host_list[${notLark}].user_type must be 1 (Feishu user)`);
}

/** A 1v1 call rings a Feishu user (by ID) or a phone number; other callee types are not supported. */
function checkCallee(c: Callee): void {
  if (c.user_type === USER_TYPE.lark) {
    if (!c.id) throw paramError('meeting_settings.call_setting.callee.id is required for a Feishu user');
  } else if (c.user_type === USER_TYPE.pstn) {
    const address = c.pstn_sip_info?.main_address;
    if (address === undefined) throw paramError('meeting_settings.call_setting.callee.pstn_sip_info.main_address is required for a PSTN callee');
    if (!PHONE.test(address)) throw paramError('meeting_settings.call_setting.callee.pstn_sip_info.main_address must look like +86-02187654321');
  } else {
    throw apiError('notSupport', `not support: callee user_type ${c.user_type}; only 1 (Feishu user) and 6 (PSTN) can be called`);
  }
}

/**
 * Update semantics (reserve.md): a field sent replaces the stored one (empty values empty it), a field
 * not sent is kept, and meeting_connect never changes once the reserve exists.
 */
export function mergeSettings(current: MeetingSettings, patch: MeetingSettings): MeetingSettings {
  const merged: MeetingSettings = { ...current, ...patch };
  if (current.meeting_connect === undefined) delete merged.meeting_connect;
  else merged.meeting_connect = current.meeting_connect;
  return merged;
}
