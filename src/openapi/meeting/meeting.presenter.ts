import { Type } from '@sinclair/typebox';
import type { Meeting, Participant } from '../../domain/meeting/meeting.js';
import { guestIdOf, inMeetingMs, isExternal, participant, roomIdOf } from '../../domain/meeting/meeting.js';
import type { UserIdMapper } from '../../domain/identity/user-ids.js';
import type { MeetingSummary } from '../../store/repositories/meeting.repository.js';

export const MeetingUser = Type.Object({ id: Type.Optional(Type.String()), user_type: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })) });

const MeetingParticipant = Type.Object({
  id: Type.String(),
  first_join_time: Type.String(),
  final_leave_time: Type.String(),
  in_meeting_duration: Type.String(),
  user_type: Type.Integer(),
  is_host: Type.Boolean(),
  is_cohost: Type.Boolean(),
  is_external: Type.Boolean(),
  status: Type.Integer(),
});

export const MeetingAbility = Type.Object({
  use_video: Type.Boolean(),
  use_audio: Type.Boolean(),
  use_share_screen: Type.Boolean(),
  use_follow_screen: Type.Boolean(),
  use_recording: Type.Boolean(),
  use_pstn: Type.Boolean(),
});

export const MeetingObject = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  url: Type.String(),
  meeting_no: Type.String(),
  password: Type.String(),
  create_time: Type.String(),
  start_time: Type.String(),
  end_time: Type.String(),
  host_user: Type.Optional(Type.Object({ id: Type.String(), user_type: Type.Integer() })),
  meeting_connect: Type.Boolean(),
  status: Type.Integer(),
  participant_count: Type.String(),
  participant_count_accumulated: Type.String(),
  participants: Type.Optional(Type.Array(MeetingParticipant)),
  ability: Type.Optional(MeetingAbility),
  note_id: Type.String(),
});

/** openvc keeps no meeting notes or verbatim transcripts: their tokens are empty, and so is `note_id`. */
export const RelatedArtifacts = Type.Object({ note_doc_token: Type.String(), verbatim_doc_token: Type.String() });
export const noArtifacts = () => ({ note_doc_token: '', verbatim_doc_token: '' });

const sec = (ms: number | null): string => (ms === null ? '0' : String(Math.floor(ms / 1000)));

/**
 * A participant's ID in the caller's ID type; a room's is its room_id and a guest's its guest ID whatever
 * the type. Users of other tenants keep their own tenant's IDs (none with user_id: they are left out).
 */
export function participantId(m: Meeting, p: Participant, ids: UserIdMapper): string | undefined {
  if (!p.userId) return roomIdOf(p.key) ?? guestIdOf(p.key) ?? p.key;
  return ids.presentAnyTenant(p.tenantKey ?? m.tenantKey, p.userId);
}

export function meetingUrl(publicUrl: string, meetingNo: string): string {
  return `${publicUrl}/j/${meetingNo}`;
}

export interface PresentOptions {
  withParticipants: boolean;
  withAbility: boolean;
  now: number;
}

export function presentMeeting(m: Meeting, ids: UserIdMapper, publicUrl: string, opts: PresentOptions) {
  const host = m.hostKey ? participant(m, m.hostKey) : undefined;
  const hostId = host ? participantId(m, host, ids) : undefined;
  // Everyone who took part, plus those being called or rung now.
  const shown = m.participants.filter((p) => p.firstJoinAt !== null || p.status === 1 || p.status === 3);
  return {
    id: m.id,
    topic: m.topic,
    url: meetingUrl(publicUrl, m.meetingNo),
    meeting_no: m.meetingNo,
    password: m.password,
    create_time: sec(m.createdAt),
    start_time: sec(m.startedAt),
    end_time: sec(m.endedAt),
    ...(host && hostId !== undefined ? { host_user: { id: hostId, user_type: host.userType } } : {}),
    meeting_connect: false,
    status: m.status,
    participant_count: String(m.peak),
    participant_count_accumulated: String(m.accumulated),
    ...(opts.withParticipants
      ? {
          participants: shown.flatMap((p) => {
            const id = participantId(m, p, ids);
            if (id === undefined) return [];
            return [
              {
                id,
                first_join_time: sec(p.firstJoinAt),
                final_leave_time: sec(p.finalLeaveAt),
                in_meeting_duration: String(Math.floor(inMeetingMs(p, opts.now) / 1000)),
                user_type: p.userType,
                is_host: m.hostKey === p.key,
                is_cohost: p.isCohost,
                is_external: isExternal(m.tenantKey, p),
                status: p.status,
              },
            ];
          }),
        }
      : {}),
    ...(opts.withAbility ? { ability: m.ability } : {}),
    note_id: '',
  };
}

export const MeetingSummaryObject = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  meeting_no: Type.String(),
  password: Type.String(),
  start_time: Type.String(),
  end_time: Type.String(),
  meeting_connect: Type.Boolean(),
  status: Type.Integer(),
  participant_count_accumulated: Type.String(),
  note_id: Type.String(),
});

/** A meeting in meeting.list; openvc keeps no meeting notes, so `note_id` is empty. */
export function presentSummary(m: MeetingSummary) {
  return {
    id: m.id,
    topic: m.topic,
    meeting_no: m.meeting_no,
    password: m.password,
    start_time: sec(m.started_at),
    end_time: sec(m.ended_at),
    meeting_connect: false,
    status: m.status,
    participant_count_accumulated: String(m.accumulated),
    note_id: '',
  };
}

export const MeetingSearchItem = Type.Object({
  id: Type.String(),
  display_info: Type.String(),
  meta_data: Type.Object({ app_link: Type.String(), avatar: Type.String(), description: Type.String() }),
});

/** A meeting in meeting.search: its topic to show, its join page as the link, its number and start as the line below. */
export function presentSearchItem(m: MeetingSummary, publicUrl: string) {
  const started = m.started_at === null ? 'not started' : `started ${new Date(m.started_at).toISOString()}`;
  return {
    id: m.id,
    display_info: m.topic,
    meta_data: { app_link: meetingUrl(publicUrl, m.meeting_no), avatar: '', description: `${m.meeting_no} · ${started}` },
  };
}
