/**
 * Meeting events in the shapes of spec/events.md. Bodies are stored in the outbox with tenant user_ids
 * (`{"$user": "<user_id>"}` where an ID triple goes), because the triple differs per app (open_id is per
 * app, user_id needs a field scope); `renderEvent` (events/event-envelope.ts) turns a stored body into what one app receives.
 */
import { randomBytes } from 'node:crypto';
import type { Meeting, MeetingEvent, Participant } from './meeting.js';
import { participant } from './meeting.js';
import type { NewOutboxEvent } from '../../store/repositories/outbox.repository.js';

/** events.md `user_role` */
const ROLE = { participant: 1, host: 2, cohost: 3 } as const;

/** A user in a stored body: `$tenant` is there for users of another tenant than the event's. */
export type StoredUser = { $user: string; $tenant?: string };

export interface UserRefJson {
  id: StoredUser | Record<string, never>;
  user_role: number;
  user_type: number;
}

const sec = (ms: number | null): string => (ms === null ? '0' : String(Math.floor(ms / 1000)));

function ref(m: Meeting, p: Participant | undefined, fallbackUserId?: string): UserRefJson {
  if (!p) return { id: fallbackUserId ? { $user: fallbackUserId } : {}, user_role: ROLE.participant, user_type: 1 };
  const role = m.hostKey === p.key ? ROLE.host : p.isCohost ? ROLE.cohost : ROLE.participant;
  const external = p.tenantKey !== null && p.tenantKey !== m.tenantKey;
  const id: StoredUser | Record<string, never> = p.userId ? (external ? { $user: p.userId, $tenant: p.tenantKey! } : { $user: p.userId }) : {};
  return { id, user_role: role, user_type: p.userType };
}

function meetingJson(m: Meeting, withCalendar: boolean, hostKey: string | null) {
  const host = hostKey ? participant(m, hostKey) : undefined;
  const owner = m.participants.find((p) => p.userId === m.ownerUserId);
  return {
    id: m.id,
    topic: m.topic,
    meeting_no: m.meetingNo,
    meeting_source: m.source,
    start_time: sec(m.startedAt),
    end_time: sec(m.endedAt),
    host_user: host ? ref(m, host) : { id: {}, user_role: ROLE.host, user_type: 1 },
    owner: owner ? { ...ref(m, owner), user_role: ROLE.host } : { id: { $user: m.ownerUserId }, user_role: ROLE.host, user_type: 1 },
    ...(withCalendar ? { calendar_event_id: '' } : {}),
    security_setting: securitySetting(m),
  };
}

function securitySetting(m: Meeting) {
  return {
    security_level: m.locked ? 4 : 1,
    group_ids: [],
    user_ids: [],
    room_ids: [],
    has_set_security_contacts_and_group: false,
  };
}

const eventId = (): string => randomBytes(16).toString('hex');

/**
 * The outbox rows for what just happened to a meeting. Meetings booked through the reserve API produce
 * the `vc.meeting.*` events; every meeting produces `all_meeting_started/ended` (events.md summary).
 */
export function outboxEvents(m: Meeting, events: MeetingEvent[]): NewOutboxEvent[] {
  const reserved = m.reserveId !== null;
  const out: NewOutboxEvent[] = [];
  const push = (type: string, at: number, body: object) =>
    out.push({ eventId: eventId(), tenantKey: m.tenantKey, eventType: `vc.meeting.${type}_v1`, meetingId: m.id, at, payload: body });
  // Payloads show the host as it is once the change is done (after an end: the last host).
  const hostKey = m.hostKey;
  for (const e of events) {
    switch (e.type) {
      case 'meeting_started':
      case 'meeting_ended': {
        const body = { meeting: meetingJson(m, true, hostKey), operator: ref(m, e.operatorKey ? participant(m, e.operatorKey) : undefined) };
        if (reserved) push(e.type, e.at, body);
        push(`all_${e.type}`, e.at, body);
        break;
      }
      case 'join_meeting':
      case 'share_started':
      case 'share_ended':
      case 'recording_started':
      case 'recording_ended':
        if (reserved) push(e.type, e.at, { meeting: meetingJson(m, false, hostKey), operator: ref(m, e.operatorKey ? participant(m, e.operatorKey) : undefined) });
        break;
      case 'leave_meeting':
        if (reserved) {
          const leaver = ref(m, participant(m, e.leaveKey));
          // operatorKey is null when the app or the server acted: no user to name.
          const operator = e.operatorKey ? ref(m, participant(m, e.operatorKey)) : ref(m, undefined);
          push('leave_meeting', e.at, { meeting: meetingJson(m, false, hostKey), operator, leave_reason: e.reason, leave_user: { ...leaver, user_role: ROLE.participant } });
        }
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * `vc.meeting.recording_ready_v1` (events.md): the reduced meeting (the owner as an ID only, no times or
 * host), the player URL and the length in milliseconds as a string. Only meetings booked through the
 * reserve API produce it, as every `vc.meeting.*` event but the tenant-wide pair.
 */
export function recordingReadyEvent(m: Meeting, url: string, durationMs: number, at: number): NewOutboxEvent | undefined {
  if (m.reserveId === null) return undefined;
  return {
    eventId: eventId(),
    tenantKey: m.tenantKey,
    eventType: 'vc.meeting.recording_ready_v1',
    meetingId: m.id,
    at,
    payload: {
      meeting: { id: m.id, topic: m.topic, meeting_no: m.meetingNo, meeting_source: m.source, owner: { id: { $user: m.ownerUserId } }, security_setting: securitySetting(m) },
      url,
      duration: String(durationMs),
    },
  };
}
