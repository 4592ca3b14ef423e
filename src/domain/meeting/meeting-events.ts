/**
 * Meeting events in the shapes of spec/events.md. Bodies are stored in the outbox with tenant user_ids
 * (`{"$user": "<user_id>"}` where an ID triple goes), because the triple differs per app (open_id is per
 * app, user_id needs a field scope); `renderEvent` (events/event-envelope.ts) turns a stored body into what one app receives.
 */
import { randomBytes } from 'node:crypto';
import type { Meeting, MeetingEvent, Participant } from './meeting.js';
import { guestIdOf, participant, roomIdOf } from './meeting.js';
import type { NewOutboxEvent } from '../../store/repositories/outbox.repository.js';

/** events.md `user_role` */
const ROLE = { participant: 1, host: 2, cohost: 3 } as const;

/** A user in a stored body: `$tenant` is there for users of another tenant than the event's. */
export type StoredUser = { $user: string; $tenant?: string };

/** Who has no user ID (a room, a guest, an app) is named by its own ID in all three places of the triple. */
type OwnIds = { union_id: string; user_id: string; open_id: string };

export interface UserRefJson {
  id: StoredUser | OwnIds | Record<string, never>;
  user_role: number;
  user_type: number;
}

const sec = (ms: number | null): string => (ms === null ? '0' : String(Math.floor(ms / 1000)));

const ownIds = (id: string): OwnIds => ({ union_id: id, user_id: id, open_id: id });

function storedUser(m: Meeting, p: Participant): StoredUser | undefined {
  if (!p.userId) return undefined;
  const external = p.tenantKey !== null && p.tenantKey !== m.tenantKey;
  return external ? { $user: p.userId, $tenant: p.tenantKey! } : { $user: p.userId };
}

function ref(m: Meeting, p: Participant | undefined, fallbackUserId?: string): UserRefJson {
  if (!p) return { id: fallbackUserId ? { $user: fallbackUserId } : {}, user_role: ROLE.participant, user_type: 1 };
  const role = m.hostKey === p.key ? ROLE.host : p.isCohost ? ROLE.cohost : ROLE.participant;
  // Rooms (omm_…) and guests have no user: their own ID, as the Open API shows them.
  const own = roomIdOf(p.key) ?? guestIdOf(p.key);
  return { id: storedUser(m, p) ?? (own ? ownIds(own) : {}), user_role: role, user_type: p.userType };
}

/** An app that acted through the Open API (a kick-out with a tenant token), named by its app_id. */
const appRef = (appId: string): UserRefJson => ({ id: ownIds(appId), user_role: ROLE.participant, user_type: 1 });

/** What acted: a participant, else the app, else nobody (the server: `id` is empty). */
function operatorRef(m: Meeting, operatorKey: string | null, appId?: string): UserRefJson {
  if (operatorKey) return ref(m, participant(m, operatorKey));
  return appId ? appRef(appId) : ref(m, undefined);
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
    ...kindOf(),
    security_setting: securitySetting(m),
  };
}

/**
 * Every openvc meeting is a plain video meeting: none of events.md's sub-types (1–6: screen casting …
 * webinar) and no webinar, so both are 0 (docs/decisions.md "Meeting kind in events").
 */
function kindOf() {
  return { meeting_sub_type: 0, webinar_setting: { webinar_type: 0 } };
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
  /**
   * `participant_meeting_*`: one event per user of the meeting's tenant it is about, named in `subscriber_ids`
   * (docs/decisions.md); users of other tenants are not the tenant's apps' to be told about.
   */
  const forParticipant = (type: string, at: number, p: Participant, operator: UserRefJson) => {
    const user = storedUser(m, p);
    if (user && !user.$tenant) push(`participant_meeting_${type}`, at, { meeting: meetingJson(m, true, hostKey), operator, subscriber_ids: [user] });
  };
  for (const e of events) {
    switch (e.type) {
      case 'meeting_started':
      case 'meeting_ended': {
        const operator = operatorRef(m, e.operatorKey);
        const body = { meeting: meetingJson(m, true, hostKey), operator };
        if (reserved) push(e.type, e.at, body);
        push(`all_${e.type}`, e.at, body);
        if (e.type === 'meeting_started') {
          const starter = participant(m, e.operatorKey);
          if (starter) forParticipant('started', e.at, starter, operator);
        } else {
          for (const p of m.participants) if (p.firstJoinAt !== null) forParticipant('ended', e.at, p, operator);
        }
        break;
      }
      case 'join_meeting': {
        const operator = operatorRef(m, e.operatorKey);
        if (reserved) push(e.type, e.at, { meeting: meetingJson(m, false, hostKey), operator });
        const joiner = participant(m, e.operatorKey);
        if (joiner) forParticipant('joined', e.at, joiner, operator);
        break;
      }
      case 'share_started':
      case 'share_ended':
      case 'recording_started':
      case 'recording_ended':
        if (reserved) push(e.type, e.at, { meeting: meetingJson(m, false, hostKey), operator: operatorRef(m, e.operatorKey) });
        break;
      case 'leave_meeting':
        if (reserved) {
          const leaver = ref(m, participant(m, e.leaveKey));
          push('leave_meeting', e.at, {
            meeting: meetingJson(m, false, hostKey),
            operator: operatorRef(m, e.operatorKey, e.operatorAppId),
            leave_reason: e.reason,
            leave_user: { ...leaver, user_role: ROLE.participant },
          });
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
      meeting: { id: m.id, topic: m.topic, meeting_no: m.meetingNo, meeting_source: m.source, owner: { id: { $user: m.ownerUserId } }, ...kindOf(), security_setting: securitySetting(m) },
      url,
      duration: String(durationMs),
    },
  };
}

/**
 * `vc.meeting.send_meeting_im_v1`: a participant wrote to the meeting chat. The body follows what the SDK
 * declares for it (node-sdk `EventHandles`): the meeting reduced to its id, source, sub type and security
 * setting, the sender as `operator`, and the message as `content`. As every `vc.meeting.*` event but the
 * tenant-wide pair, only meetings booked through the reserve API produce it (docs/decisions.md "Meeting chat").
 */
export function meetingImEvent(m: Meeting, sender: Participant, content: string, at: number): NewOutboxEvent | undefined {
  if (m.reserveId === null) return undefined;
  const operator = ref(m, sender);
  return {
    eventId: eventId(),
    tenantKey: m.tenantKey,
    eventType: 'vc.meeting.send_meeting_im_v1',
    meetingId: m.id,
    at,
    payload: {
      meeting: { id: m.id, meeting_source: m.source, ...kindOf(), security_setting: securitySetting(m) },
      operator: { id: operator.id, user_type: operator.user_type },
      content,
    },
  };
}
