/**
 * Recording rules, as plain data: who may start and stop a meeting's recording, and who may watch the
 * recordings once they are made. No clock, storage or HTTP here.
 */
import { apiError } from '../../contract/errors.js';
import { MEETING_STATUS, PARTICIPANT_STATUS, participant, type Meeting, type MeetingEvent } from '../meeting/meeting.js';

/** recording.md start: a time zone in hours, [-12, 12]. */
export const TIMEZONE_RANGE = { min: -12, max: 12 } as const;

/** A user operator must be in the meeting (122003) and its current host (121005); the meeting must be live (122001). */
function checkOperator(m: Meeting, operatorKey: string, action: string): void {
  if (m.status !== MEETING_STATUS.inProgress) throw apiError('meetingStatusUnexpected', 'meeting status unexpected: the meeting is not in progress');
  const op = participant(m, operatorKey);
  if (!op || op.status !== PARTICIPANT_STATUS.inMeeting) throw apiError('operatorNotInMeeting', 'operator user not in meeting: join the meeting first');
  if (m.hostKey !== operatorKey) throw apiError('noPermission', `no permission: only the current host can ${action} the recording`);
}

/** The host starts recording: a new segment begins (recording_started). Already recording: 122001. */
export function startRecording(m: Meeting, operatorKey: string, at: number, timezone?: number): MeetingEvent[] {
  checkOperator(m, operatorKey, 'start');
  if (m.recording) throw apiError('meetingStatusUnexpected', 'meeting status unexpected: the meeting is already being recorded');
  m.recording = true;
  m.ability.use_recording = true;
  return [{ type: 'recording_started', at, operatorKey, ...(timezone !== undefined ? { timezone } : {}) }];
}

/** The host stops recording: the segment ends and its file is made (recording_ended). Not recording: 122001. */
export function stopRecording(m: Meeting, operatorKey: string, at: number): MeetingEvent[] {
  checkOperator(m, operatorKey, 'stop');
  if (!m.recording) throw apiError('meetingStatusUnexpected', 'meeting status unexpected: the meeting is not being recorded');
  m.recording = false;
  return [{ type: 'recording_ended', at, operatorKey }];
}

/** recording.md recording_permission_object.type */
export const PERMISSION_TYPE = { user: 1, group: 2, tenant: 3, public: 4 } as const;
/** recording.md set_permission action_type */
export const PERMISSION_ACTION = { grant: 0, revoke: 1 } as const;

export type GrantKind = 'user' | 'tenant' | 'public';

export interface Grant {
  kind: GrantKind;
  /** tenant user_id for 'user', '' otherwise */
  userId: string;
}

/** Who asks to watch: nobody signed in, or a user of some tenant. */
export type Viewer = { tenantKey: string; userId: string } | undefined;

export interface WatchedRecording {
  tenantKey: string;
  ownerUserId: string;
  hostUserId: string | null;
  grants: readonly Grant[];
}

/**
 * Whether `viewer` may watch: anyone when the recording is public; otherwise a user of the recording's
 * tenant who owns the meeting, hosted it when the segment started, was granted it, or belongs to a tenant
 * granted it as a whole.
 */
export function mayWatch(r: WatchedRecording, viewer: Viewer): boolean {
  if (r.grants.some((g) => g.kind === 'public')) return true;
  if (!viewer || viewer.tenantKey !== r.tenantKey) return false;
  if (viewer.userId === r.ownerUserId || viewer.userId === r.hostUserId) return true;
  return r.grants.some((g) => g.kind === 'tenant' || (g.kind === 'user' && g.userId === viewer.userId));
}
