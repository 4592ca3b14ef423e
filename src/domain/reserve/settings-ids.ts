/**
 * User IDs inside reserve settings cross the API boundary here: check_list entries of user-ID checkers,
 * assigned hosts and a Feishu-user callee arrive in the caller's user_id_type and are stored as tenant
 * user_ids, and are presented back in whatever type the reader asks for.
 */
import type { UserIdMapper } from '../identity/user-ids.js';
import { CHECK_FIELD, USER_TYPE, type ActionPermission, type AssignHost, type Callee, type MeetingSettings } from './settings.js';

/** The settings with every user ID passed through `map`, rebuilt field by field so unknown request keys are dropped. */
function mapUserIds(s: MeetingSettings, map: (id: string) => string, hosts: (list: AssignHost[]) => AssignHost[]): MeetingSettings {
  const out: MeetingSettings = {};
  if (s.topic !== undefined) out.topic = s.topic;
  if (s.action_permissions !== undefined) out.action_permissions = s.action_permissions.map((ap) => mapPermission(ap, map));
  if (s.meeting_initial_type !== undefined) out.meeting_initial_type = s.meeting_initial_type;
  if (s.meeting_connect !== undefined) out.meeting_connect = s.meeting_connect;
  if (s.call_setting !== undefined) out.call_setting = { callee: mapCallee(s.call_setting.callee, map) };
  if (s.auto_record !== undefined) out.auto_record = s.auto_record;
  if (s.assign_host_list !== undefined) out.assign_host_list = hosts(s.assign_host_list);
  return out;
}

function mapPermission(ap: ActionPermission, map: (id: string) => string): ActionPermission {
  return {
    permission: ap.permission,
    permission_checkers: ap.permission_checkers.map((c) => ({
      check_field: c.check_field,
      check_mode: c.check_mode,
      check_list: c.check_field === CHECK_FIELD.userId ? c.check_list.map(map) : [...c.check_list],
    })),
  };
}

function mapCallee(c: Callee, map: (id: string) => string): Callee {
  const out: Callee = { user_type: c.user_type };
  // Only a Feishu user's ID is a user ID; a PSTN callee's id is passed through as given.
  if (c.id !== undefined) out.id = c.user_type === USER_TYPE.lark ? map(c.id) : c.id;
  if (c.pstn_sip_info) {
    out.pstn_sip_info = { main_address: c.pstn_sip_info.main_address };
    if (c.pstn_sip_info.nickname !== undefined) out.pstn_sip_info.nickname = c.pstn_sip_info.nickname;
  }
  return out;
}

/** The user IDs of checkers and callee (hosts are handled apart: unknown ones are not an error). */
function userIdsIn(s: MeetingSettings): string[] {
  const checkers = (s.action_permissions ?? []).flatMap((ap) => ap.permission_checkers);
  const callee = s.call_setting?.callee;
  return [
    ...checkers.flatMap((c) => (c.check_field === CHECK_FIELD.userId ? c.check_list : [])),
    ...(callee?.user_type === USER_TYPE.lark && callee.id !== undefined ? [callee.id] : []),
  ];
}

/**
 * The settings as stored. Checker and callee IDs must all name users of the tenant (the mapper's
 * 99992351/60/63 otherwise, as everywhere); host IDs that name no active user are dropped and
 * reported, the reserve_correction_check_info the API returns (decisions.md).
 */
export async function internalSettings(ids: UserIdMapper, s: MeetingSettings): Promise<{ settings: MeetingSettings; invalidHostIds: string[] }> {
  const wanted = [...new Set(userIdsIn(s))];
  const users = await ids.resolveMany(wanted);
  const resolved = new Map(wanted.map((id, i) => [id, users[i]!.user_id]));

  const invalidHostIds: string[] = [];
  const hostIds: string[] = [];
  for (const h of s.assign_host_list ?? []) {
    if (h.id === undefined) continue;
    const user = await ids.find(h.id);
    if (!user || user.status !== 'active') invalidHostIds.push(h.id);
    else if (!hostIds.includes(user.user_id)) hostIds.push(user.user_id);
  }
  const settings = mapUserIds(s, (id) => resolved.get(id)!, () => hostIds.map((id) => ({ user_type: USER_TYPE.lark, id })));
  return { settings, invalidHostIds };
}

/** The stored settings with tenant user_ids shown as the reader's user_id_type (stored hosts always have both fields). */
export function presentedSettings(ids: UserIdMapper, s: MeetingSettings): MeetingSettings {
  const show = (id: string) => ids.present(id);
  return mapUserIds(s, show, (list) => list.map((h) => ({ user_type: USER_TYPE.lark, id: show(h.id!) })));
}
