import type { Repositories } from '../../store/repositories/index.js';
import { storedSettings } from '../reserve/commands.js';
import { reserveAllows } from '../reserve/permissions.js';
import { ACTION } from '../reserve/settings.js';
import { createMeeting, type Meeting } from './meeting.js';
import { newMeetingId, type Caller, type JoinHooks, type MeetingService } from './meeting.service.js';

/** events.md meeting_source for meetings booked through the Open API */
const OPEN_PLATFORM_SOURCE = 4;

/**
 * How reserves and meetings meet: a reserve's number opens a meeting on the first join, the reserve's
 * action_permissions decide who may join, and an expired reserve ends its live meeting.
 */
export function reserveJoinHooks(repos: Repositories): JoinHooks {
  return {
    open: async (meetingNo: string, at: number): Promise<Meeting | undefined> => {
      const r = await repos.reserves.liveByNo(meetingNo, at);
      if (!r) return undefined;
      const settings = storedSettings(r);
      return createMeeting({
        id: newMeetingId(),
        tenantKey: r.tenant_key,
        reserveId: r.id,
        meetingNo: r.meeting_no,
        topic: settings.topic?.trim() || 'Meeting',
        password: r.password,
        source: OPEN_PLATFORM_SOURCE,
        ownerUserId: r.owner_user_id,
        assignedHostUserIds: (settings.assign_host_list ?? []).flatMap((h) => (h.id ? [h.id] : [])),
        createdAt: at,
      });
    },
    mayJoin: async (m: { tenantKey: string; reserveId: string | null }, caller: Caller): Promise<boolean> => {
      if (!m.reserveId) return true;
      const r = await repos.reserves.forTenant(m.tenantKey).find(m.reserveId);
      if (!r) return true;
      const sameTenant = caller.tenantKey === m.tenantKey;
      return reserveAllows(storedSettings(r).action_permissions, ACTION.join, {
        userType: 1,
        tenantKey: caller.tenantKey,
        userId: sameTenant ? caller.userId : null,
      });
    },
  };
}

/** The reserve's live meeting ends when the reserve expires (issue 3). */
export function endMeetingOfReserve(repos: Repositories, meetings: MeetingService) {
  return async (tenantKey: string, reserveId: string): Promise<void> => {
    const id = await repos.meetings.liveByReserve(tenantKey, reserveId);
    if (id) await meetings.endIfLive(tenantKey, id);
  };
}
