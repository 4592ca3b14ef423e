/**
 * The life of one meeting, as plain data and rules: who is in it, who hosts it, what it has used, and
 * the facts (domain events) each change produces. No clock, storage or HTTP here: callers pass the time
 * and persist the result, events included, in one transaction.
 */
import { apiError } from '../../contract/errors.js';

/** meeting.md `meeting_user.user_type` */
export type UserType = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const USER_TYPE = { lark: 1, rooms: 2, guest: 5, pstn: 6, sip: 7 } as const;

/** meeting.md `meeting.status` */
export const MEETING_STATUS = { calling: 1, inProgress: 2, ended: 3 } as const;
export type MeetingStatus = (typeof MEETING_STATUS)[keyof typeof MEETING_STATUS];

/** meeting.md `meeting_participant.status` */
export const PARTICIPANT_STATUS = { calling: 1, inMeeting: 2, ringing: 3, left: 4 } as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUS)[keyof typeof PARTICIPANT_STATUS];

/** events.md `leave_reason` */
export const LEAVE_REASON = { left: 1, meetingEnded: 2, kickedOut: 3 } as const;
export type LeaveReason = (typeof LEAVE_REASON)[keyof typeof LEAVE_REASON];

export interface Participant {
  /**
   * Stable within the meeting: `u:<user_id>` for directory users, `x:<tenant>:<user_id>` for other tenants'
   * users, `p:<number>` for phone callees, `r:<room_id>` for rooms, `g:<guest_id>` for guests.
   */
  key: string;
  userId: string | null;
  userType: UserType;
  /** The participant's tenant; differs from the meeting's for external participants. */
  tenantKey: string | null;
  /** Display name for participants outside the directory (PSTN nickname). */
  name: string | null;
  status: ParticipantStatus;
  firstJoinAt: number | null;
  finalLeaveAt: number | null;
  /** Time in the meeting over all stints before the current one (ms). */
  inMeetingMs: number;
  /** Start of the current stint, while in the meeting. */
  joinedAt: number | null;
  isCohost: boolean;
  /** The participant session (client connection) currently representing this participant. */
  sessionId: string | null;
  /** Join order, for host handover. */
  seq: number;
  /** False when the meeting's reserve does not let this participant hold the host role. */
  mayHost: boolean;
}

export interface Ability {
  use_video: boolean;
  use_audio: boolean;
  use_share_screen: boolean;
  use_follow_screen: boolean;
  use_recording: boolean;
  use_pstn: boolean;
}

export interface Meeting {
  id: string;
  tenantKey: string;
  reserveId: string | null;
  meetingNo: string;
  topic: string;
  password: string;
  /** events.md meeting_source: 2 instant, 4 open platform (API reserve) */
  source: number;
  ownerUserId: string;
  /** Users the reserve designated as hosts (tenant user_ids). */
  assignedHostUserIds: string[];
  status: MeetingStatus;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  hostKey: string | null;
  locked: boolean;
  participantLimit: number;
  /** Highest number in the meeting at once. */
  peak: number;
  /** Distinct participants who ever joined. */
  accumulated: number;
  ability: Ability;
  /** Who is sharing their screen, if anyone. */
  sharingKey: string | null;
  participants: Participant[];
  /** Next join order number. */
  nextSeq: number;
  /** Whether the meeting records now (a recording segment is open: src/recording/). */
  recording: boolean;
  /** The reserve asked to record automatically from the start. */
  autoRecord: boolean;
}

export type MeetingEvent =
  | { type: 'meeting_started'; at: number; operatorKey: string }
  | { type: 'meeting_ended'; at: number; operatorKey: string | null }
  | { type: 'join_meeting'; at: number; operatorKey: string }
  | { type: 'leave_meeting'; at: number; operatorKey: string | null; leaveKey: string; reason: LeaveReason; /** the app that acted through the Open API */ operatorAppId?: string }
  | { type: 'share_started'; at: number; operatorKey: string }
  | { type: 'recording_started'; at: number; operatorKey: string | null; /** the start request's `timezone` */ timezone?: number }
  | { type: 'recording_ended'; at: number; operatorKey: string | null }
  | { type: 'share_ended'; at: number; operatorKey: string }
  | { type: 'host_changed'; at: number; hostKey: string | null }
  | { type: 'ringing'; at: number; operatorKey: string; inviteeKey: string }
  | { type: 'session_replaced'; at: number; sessionId: string };

export interface Joiner {
  key: string;
  userId: string | null;
  userType: UserType;
  tenantKey: string | null;
  name?: string | null;
  sessionId: string;
  /** the reserve's "can become host" permission; true when absent */
  mayHost?: boolean;
}

export const noAbility = (): Ability => ({
  use_video: false,
  use_audio: false,
  use_share_screen: false,
  use_follow_screen: false,
  use_recording: false,
  use_pstn: false,
});

export const userKey = (userId: string): string => `u:${userId}`;

export const ROOM_KEY_PREFIX = 'r:';
export const roomKey = (roomId: string): string => ROOM_KEY_PREFIX + roomId;
/** The room a participant key names, if it names one. */
export const roomIdOf = (key: string): string | undefined => (key.startsWith(ROOM_KEY_PREFIX) ? key.slice(ROOM_KEY_PREFIX.length) : undefined);

export const GUEST_KEY_PREFIX = 'g:';
export const guestKey = (guestId: string): string => GUEST_KEY_PREFIX + guestId;
/** The guest a participant key names, if it names one. */
export const guestIdOf = (key: string): string | undefined => (key.startsWith(GUEST_KEY_PREFIX) ? key.slice(GUEST_KEY_PREFIX.length) : undefined);

/** From outside the meeting's tenant: a user of another tenant, or a guest (who belongs to no tenant). */
export function isExternal(meetingTenantKey: string, p: Pick<Participant, 'tenantKey' | 'userType'>): boolean {
  return p.userType === USER_TYPE.guest || (p.tenantKey !== null && p.tenantKey !== meetingTenantKey);
}

export function participant(m: Meeting, key: string): Participant | undefined {
  return m.participants.find((p) => p.key === key);
}

export function inMeeting(m: Meeting): Participant[] {
  return m.participants.filter((p) => p.status === PARTICIPANT_STATUS.inMeeting);
}

/** Accumulated in-meeting time up to `at`, counting the current stint. */
export function inMeetingMs(p: Pick<Participant, 'inMeetingMs' | 'joinedAt'>, at: number): number {
  return p.inMeetingMs + (p.joinedAt !== null ? Math.max(0, at - p.joinedAt) : 0);
}

function isDesignatedHost(m: Meeting, p: Participant): boolean {
  return p.userId !== null && (p.userId === m.ownerUserId || m.assignedHostUserIds.includes(p.userId));
}

function setHost(m: Meeting, key: string | null, at: number, events: MeetingEvent[]): void {
  if (m.hostKey === key) return;
  m.hostKey = key;
  const p = key ? participant(m, key) : undefined;
  if (p) p.isCohost = false;
  events.push({ type: 'host_changed', at, hostKey: key });
}

/** The next host when the host leaves: a co-host first, then a designated host, then the earliest joiner. */
function successor(m: Meeting): Participant | undefined {
  const present = inMeeting(m)
    .filter((p) => p.mayHost)
    .sort((a, b) => a.seq - b.seq);
  return present.find((p) => p.isCohost) ?? present.find((p) => isDesignatedHost(m, p)) ?? present[0];
}

/** Someone new to the meeting, in `status`, who has never joined yet. */
function newParticipant(who: Omit<Joiner, 'sessionId'>, status: ParticipantStatus): Participant {
  return {
    key: who.key,
    userId: who.userId,
    userType: who.userType,
    tenantKey: who.tenantKey,
    name: who.name ?? null,
    status,
    firstJoinAt: null,
    finalLeaveAt: null,
    inMeetingMs: 0,
    joinedAt: null,
    isCohost: false,
    sessionId: null,
    seq: 0,
    mayHost: who.mayHost ?? true,
  };
}

/**
 * Someone joins (or re-joins). The first join starts the meeting. The owner or a designated host takes
 * the host role on joining; otherwise the first joiner hosts. A join from a new session of someone
 * already in the meeting replaces their old session (no second join event).
 */
export function join(m: Meeting, who: Joiner, at: number): MeetingEvent[] {
  if (m.status === MEETING_STATUS.ended) throw apiError('meetingStatusUnexpected', 'the meeting has ended');
  const events: MeetingEvent[] = [];
  let p = participant(m, who.key);
  if (p && p.status === PARTICIPANT_STATUS.inMeeting) {
    if (p.sessionId && p.sessionId !== who.sessionId) events.push({ type: 'session_replaced', at, sessionId: p.sessionId });
    p.sessionId = who.sessionId;
    return events;
  }
  const present = inMeeting(m).length;
  if (m.locked && !(p && p.status === PARTICIPANT_STATUS.ringing) && m.hostKey !== who.key) {
    throw apiError('meetingLocked', 'the meeting is locked');
  }
  if (present >= m.participantLimit) throw apiError('participantLimit', `the meeting has reached its limit of ${m.participantLimit} participants`);

  const starting = m.status === MEETING_STATUS.calling;
  if (starting) {
    m.status = MEETING_STATUS.inProgress;
    m.startedAt = at;
    events.push({ type: 'meeting_started', at, operatorKey: who.key });
  }
  if (!p) {
    p = newParticipant(who, PARTICIPANT_STATUS.inMeeting);
    m.participants.push(p);
  }
  p.mayHost = who.mayHost ?? true;
  if (p.firstJoinAt === null) {
    p.firstJoinAt = at;
    m.accumulated++;
  }
  p.status = PARTICIPANT_STATUS.inMeeting;
  p.joinedAt = at;
  p.finalLeaveAt = null;
  p.sessionId = who.sessionId;
  p.seq = m.nextSeq++;
  if (who.userType === USER_TYPE.pstn) m.ability.use_pstn = true;
  m.peak = Math.max(m.peak, present + 1);
  events.push({ type: 'join_meeting', at, operatorKey: p.key });

  const host = m.hostKey ? participant(m, m.hostKey) : undefined;
  const hostPresent = host?.status === PARTICIPANT_STATUS.inMeeting;
  if (p.mayHost && (!hostPresent || (isDesignatedHost(m, p) && host && !isDesignatedHost(m, host)))) setHost(m, p.key, at, events);
  // auto_record: the meeting records from its first moment, started by the system rather than a person.
  if (starting && m.autoRecord) {
    m.recording = true;
    m.ability.use_recording = true;
    events.push({ type: 'recording_started', at, operatorKey: null });
  }
  return events;
}

function depart(m: Meeting, p: Participant, at: number, reason: LeaveReason, operatorKey: string | null, events: MeetingEvent[]): void {
  if (m.sharingKey === p.key) {
    m.sharingKey = null;
    events.push({ type: 'share_ended', at, operatorKey: p.key });
  }
  p.inMeetingMs = inMeetingMs(p, at);
  p.joinedAt = null;
  p.status = PARTICIPANT_STATUS.left;
  p.finalLeaveAt = at;
  p.sessionId = null;
  p.isCohost = false;
  events.push({ type: 'leave_meeting', at, operatorKey, leaveKey: p.key, reason });
}

function present(m: Meeting, key: string, error: 'operatorNotInMeeting' | 'targetNotInMeeting'): Participant {
  const p = participant(m, key);
  if (!p || p.status !== PARTICIPANT_STATUS.inMeeting) {
    throw apiError(error, error === 'operatorNotInMeeting' ? 'the operator is not in the meeting' : 'the target user is not in the meeting');
  }
  return p;
}

export function requireLive(m: Meeting): void {
  if (m.status !== MEETING_STATUS.inProgress) throw apiError('meetingStatusUnexpected', 'the meeting is not in progress');
}

/** A participant leaves (reason 1), or their session is dropped (network). The host role passes on. */
export function leave(m: Meeting, key: string, at: number, reason: LeaveReason = LEAVE_REASON.left): MeetingEvent[] {
  requireLive(m);
  const p = present(m, key, 'operatorNotInMeeting');
  const events: MeetingEvent[] = [];
  depart(m, p, at, reason, p.key, events);
  if (m.hostKey === p.key) setHost(m, successor(m)?.key ?? null, at, events);
  return events;
}

/** Removes a participant (leave_reason 3). `operatorKey` null means the app itself (tenant token). */
export function kickOut(m: Meeting, operatorKey: string | null, targetKey: string, at: number): MeetingEvent[] {
  requireLive(m);
  if (operatorKey !== null) {
    present(m, operatorKey, 'operatorNotInMeeting');
    if (operatorKey === targetKey) throw apiError('cannotOperateSelf', 'the operator cannot kick out themself');
  }
  const target = present(m, targetKey, 'targetNotInMeeting');
  const events: MeetingEvent[] = [];
  depart(m, target, at, LEAVE_REASON.kickedOut, operatorKey, events);
  if (m.hostKey === target.key) setHost(m, successor(m)?.key ?? null, at, events);
  return events;
}

/**
 * Hands the host role over, compare-and-set on the expected current host (121006 when it moved).
 * The target must be someone in the meeting (122004 not found, 122009 present but not in the meeting).
 */
export function transferHost(m: Meeting, operatorKey: string | null, targetKey: string, expectedHostKey: string | undefined, at: number): MeetingEvent[] {
  requireLive(m);
  if (operatorKey !== null) {
    present(m, operatorKey, 'operatorNotInMeeting');
    if (operatorKey === targetKey) throw apiError('cannotOperateSelf', 'the operator is already the host');
  }
  if (expectedHostKey !== undefined && expectedHostKey !== m.hostKey) throw apiError('dataConflict', 'old_host_user is not the current host');
  const target = participant(m, targetKey);
  if (!target) throw apiError('targetNotInMeeting', 'the target user is not in the meeting');
  if (target.status !== PARTICIPANT_STATUS.inMeeting) throw apiError('participantStatusUnexpected', 'the target user is not in the meeting now');
  if (!target.mayHost) throw apiError('noPermission', 'the meeting settings do not let the target user become host');
  const events: MeetingEvent[] = [];
  setHost(m, target.key, at, events);
  return events;
}

/** Gives someone in the meeting another in-meeting name (meeting.changeName); nobody else is told by event. */
export function rename(m: Meeting, targetKey: string, name: string): void {
  requireLive(m);
  present(m, targetKey, 'targetNotInMeeting').name = name;
}

/** Ends the meeting: everyone still in it leaves with reason 2, then meeting_ended. */
export function end(m: Meeting, operatorKey: string | null, at: number): MeetingEvent[] {
  if (m.status === MEETING_STATUS.ended) throw apiError('meetingStatusUnexpected', 'the meeting has already ended');
  const events: MeetingEvent[] = [];
  if (m.recording) {
    m.recording = false;
    events.push({ type: 'recording_ended', at, operatorKey });
  }
  for (const p of inMeeting(m).sort((a, b) => a.seq - b.seq)) depart(m, p, at, LEAVE_REASON.meetingEnded, operatorKey, events);
  for (const p of m.participants) if (p.status === PARTICIPANT_STATUS.ringing || p.status === PARTICIPANT_STATUS.calling) p.status = PARTICIPANT_STATUS.left;
  const wasStarted = m.status === MEETING_STATUS.inProgress;
  m.status = MEETING_STATUS.ended;
  m.endedAt = at;
  if (wasStarted) events.push({ type: 'meeting_ended', at, operatorKey });
  return events;
}

/** Invites someone: they ring until they accept (join), decline or time out. */
export function invite(m: Meeting, operatorKey: string, invitee: Omit<Joiner, 'sessionId'>, at: number): MeetingEvent[] {
  requireLive(m);
  present(m, operatorKey, 'operatorNotInMeeting');
  if (operatorKey === invitee.key) throw apiError('cannotOperateSelf', 'the operator cannot invite themself');
  if (m.locked) throw apiError('meetingLocked', 'the meeting is locked');
  if (inMeeting(m).length >= m.participantLimit) throw apiError('participantLimit', `the meeting has reached its limit of ${m.participantLimit} participants`);
  const existing = participant(m, invitee.key);
  if (existing?.status === PARTICIPANT_STATUS.inMeeting || existing?.status === PARTICIPANT_STATUS.ringing) {
    throw apiError('calleeBusy', 'the invitee is already in the meeting or being called');
  }
  if (existing) existing.status = PARTICIPANT_STATUS.ringing;
  else m.participants.push(newParticipant({ ...invitee, mayHost: true }, PARTICIPANT_STATUS.ringing));
  return [{ type: 'ringing', at, operatorKey, inviteeKey: invitee.key }];
}

/**
 * A 1v1 call's callee (reserve `call_setting`): a phone shows as a calling participant (status 1,
 * user_type 6) until it joins; a Feishu user rings on their clients like an invitee.
 */
export function call(m: Meeting, operatorKey: string, callee: Omit<Joiner, 'sessionId'>, at: number): MeetingEvent[] {
  requireLive(m);
  if (participant(m, callee.key)) return [];
  const ringing = callee.userType === USER_TYPE.lark;
  m.participants.push(newParticipant(callee, ringing ? PARTICIPANT_STATUS.ringing : PARTICIPANT_STATUS.calling));
  return ringing ? [{ type: 'ringing', at, operatorKey, inviteeKey: callee.key }] : [];
}

/** A ringing invitee declines or the call times out: they stop ringing (and drop out if they never joined). */
export function stopRinging(m: Meeting, key: string): MeetingEvent[] {
  const p = participant(m, key);
  if (!p || p.status !== PARTICIPANT_STATUS.ringing) return [];
  if (p.firstJoinAt === null) m.participants = m.participants.filter((x) => x !== p);
  else p.status = PARTICIPANT_STATUS.left;
  return [];
}

export function startShare(m: Meeting, key: string, at: number): MeetingEvent[] {
  requireLive(m);
  present(m, key, 'operatorNotInMeeting');
  const events: MeetingEvent[] = [];
  if (m.sharingKey === key) return events;
  if (m.sharingKey) events.push({ type: 'share_ended', at, operatorKey: m.sharingKey });
  m.sharingKey = key;
  m.ability.use_share_screen = true;
  events.push({ type: 'share_started', at, operatorKey: key });
  return events;
}

export function stopShare(m: Meeting, key: string, at: number): MeetingEvent[] {
  requireLive(m);
  present(m, key, 'operatorNotInMeeting');
  if (m.sharingKey !== key) return [];
  m.sharingKey = null;
  return [{ type: 'share_ended', at, operatorKey: key }];
}

/**
 * Who joins without the meeting's password (docs/decisions.md "Meeting passwords"): the reserve's owner,
 * the hosts it designated, and whoever the meeting invited (ringing) or holds now (a second device) — all
 * of the meeting's tenant. Everyone else, guests included, gives the password.
 */
export function passwordExempt(m: Meeting, who: { tenantKey: string; userId: string; guest?: unknown }): boolean {
  if (who.guest || who.tenantKey !== m.tenantKey) return false;
  if (who.userId === m.ownerUserId || m.assignedHostUserIds.includes(who.userId)) return true;
  const p = participant(m, userKey(who.userId));
  return p !== undefined && (p.status === PARTICIPANT_STATUS.ringing || p.status === PARTICIPANT_STATUS.inMeeting);
}

/** Only the host locks or unlocks a meeting; a locked meeting admits only those invited (122008). */
export function setLocked(m: Meeting, key: string, locked: boolean): MeetingEvent[] {
  requireLive(m);
  present(m, key, 'operatorNotInMeeting');
  if (m.hostKey !== key) throw apiError('noPermission', 'only the host can lock or unlock the meeting');
  m.locked = locked;
  return [];
}

/** Records what media a participant turned on, for the meeting's ability flags. */
export function useMedia(m: Meeting, key: string, media: { audio?: boolean; video?: boolean }): MeetingEvent[] {
  requireLive(m);
  present(m, key, 'operatorNotInMeeting');
  if (media.audio) m.ability.use_audio = true;
  if (media.video) m.ability.use_video = true;
  return [];
}

export interface NewMeeting {
  id: string;
  tenantKey: string;
  reserveId?: string | null;
  meetingNo: string;
  topic: string;
  password?: string;
  source: number;
  ownerUserId: string;
  assignedHostUserIds?: string[];
  participantLimit?: number;
  autoRecord?: boolean;
  createdAt: number;
}

/** Feishu's standard meeting size. */
export const DEFAULT_PARTICIPANT_LIMIT = 500;

/** A meeting that exists but has not started: it starts when its first participant joins. */
export function createMeeting(n: NewMeeting): Meeting {
  return {
    id: n.id,
    tenantKey: n.tenantKey,
    reserveId: n.reserveId ?? null,
    meetingNo: n.meetingNo,
    topic: n.topic,
    password: n.password ?? '',
    source: n.source,
    ownerUserId: n.ownerUserId,
    assignedHostUserIds: n.assignedHostUserIds ?? [],
    status: MEETING_STATUS.calling,
    createdAt: n.createdAt,
    startedAt: null,
    endedAt: null,
    hostKey: null,
    locked: false,
    participantLimit: n.participantLimit ?? DEFAULT_PARTICIPANT_LIMIT,
    peak: 0,
    accumulated: 0,
    ability: noAbility(),
    sharingKey: null,
    participants: [],
    nextSeq: 1,
    recording: false,
    autoRecord: n.autoRecord ?? false,
  };
}
