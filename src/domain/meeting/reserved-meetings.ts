import type { Repositories } from '../../store/repositories/index.js';
import { storedSettings } from '../reserve/reserve.service.js';
import { admitsGuests, reserveAllows } from '../reserve/permissions.js';
import { ACTION, MEETING_TYPE } from '../reserve/settings.js';
import { createMeeting, userKey, USER_TYPE, type Joiner } from './meeting.js';
import { newMeetingId, type Caller, type MeetingService, type ReserveAction, type ReserveRules } from './meeting.service.js';

const ACTIONS: Record<ReserveAction, (typeof ACTION)[keyof typeof ACTION]> = { join: ACTION.join, host: ACTION.becomeHost, invite: ACTION.invite };

/** events.md meeting_source for meetings booked through the Open API */
const OPEN_PLATFORM_SOURCE = 4;

/**
 * How reserves and meetings meet: a reserve's number opens a meeting on the first join, the reserve's
 * action_permissions decide who may join, and an expired reserve ends its live meeting.
 */
export function reserveRules(repos: Repositories): ReserveRules {
  return {
    open: async (meetingNo, at) => {
      const r = await repos.reserves.liveByNo(meetingNo, at);
      if (!r) return undefined;
      const settings = storedSettings(r);
      const meeting = createMeeting({
        id: newMeetingId(),
        tenantKey: r.tenant_key,
        reserveId: r.id,
        meetingNo: r.meeting_no,
        topic: settings.topic?.trim() || 'Meeting',
        password: r.password,
        source: OPEN_PLATFORM_SOURCE,
        ownerUserId: r.owner_user_id,
        assignedHostUserIds: (settings.assign_host_list ?? []).flatMap((h) => (h.id ? [h.id] : [])),
        autoRecord: settings.auto_record === true,
        createdAt: at,
      });
      const c = settings.meeting_initial_type === MEETING_TYPE.oneOnOne ? settings.call_setting?.callee : undefined;
      let callee: Omit<Joiner, 'sessionId'> | undefined;
      if (c?.user_type === USER_TYPE.pstn && c.pstn_sip_info?.main_address) {
        const address = c.pstn_sip_info.main_address;
        callee = { key: `p:${address}`, userId: null, userType: USER_TYPE.pstn, tenantKey: null, name: c.pstn_sip_info.nickname ?? address };
      } else if (c?.user_type === USER_TYPE.lark && c.id) {
        callee = { key: userKey(c.id), userId: c.id, userType: USER_TYPE.lark, tenantKey: r.tenant_key };
      }
      return { meeting, ...(callee ? { callee } : {}) };
    },
    allows: async (m, caller, action) => (await permits(repos, m, caller, [action]))[0]!,
    admission: async (m, caller) => {
      const [join, host] = await permits(repos, m, caller, ['join', 'host']);
      return { join: join!, host: host! };
    },
  };
}

/** Whether the meeting's reserve lets the caller do each of `actions`, from one read of the reserve. */
async function permits(repos: Repositories, m: { tenantKey: string; reserveId: string | null }, caller: Caller, actions: ReserveAction[]): Promise<boolean[]> {
  if (caller.guest) {
    const admitted = actions.includes('join') && (await guestsAllowed(repos, m));
    return actions.map((a) => a === 'join' && admitted);
  }
  if (!m.reserveId) return actions.map(() => true);
  const r = await repos.reserves.forTenant(m.tenantKey).find(m.reserveId);
  if (!r) return actions.map(() => true);
  const sameTenant = caller.tenantKey === m.tenantKey;
  const permissions = storedSettings(r).action_permissions;
  const who = { userType: 1, tenantKey: caller.tenantKey, userId: sameTenant ? caller.userId : null };
  return actions.map((a) => reserveAllows(permissions, ACTIONS[a], who));
}

/** Guests join only meetings of a reserve whose "can join" permission names them (docs/decisions.md "Guests"); never instant meetings. */
async function guestsAllowed(repos: Repositories, m: { tenantKey: string; reserveId: string | null }): Promise<boolean> {
  const r = m.reserveId ? await repos.reserves.forTenant(m.tenantKey).find(m.reserveId) : undefined;
  return r !== undefined && admitsGuests(storedSettings(r).action_permissions);
}

/**
 * What the meeting page needs to know of a number before anyone signs in: nothing when no live meeting
 * or reserve holds it; else whether a guest could join now (its live meeting's reserve, or the live
 * reserve that holds it, admits guests) and whether joining asks for a password.
 */
export async function numberFacts(repos: Repositories, meetingNo: string, at: number): Promise<{ guests: boolean; password: boolean } | undefined> {
  const live = await repos.meetings.liveByNo(meetingNo);
  if (live) {
    const m = await repos.meetings.find(live.tenantKey, live.id);
    return { guests: await guestsAllowed(repos, live), password: (m?.password ?? '') !== '' };
  }
  const r = await repos.reserves.liveByNo(meetingNo, at);
  return r && { guests: admitsGuests(storedSettings(r).action_permissions), password: r.password !== '' };
}

/** The reserve's live meeting ends when the reserve expires (issue 3). */
export function endMeetingOfReserve(repos: Repositories, meetings: MeetingService) {
  return async (tenantKey: string, reserveId: string): Promise<void> => {
    const id = await repos.meetings.liveByReserve(tenantKey, reserveId);
    if (id) await meetings.endIfLive(tenantKey, id);
  };
}
