import { randomBytes, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import { outboxEvents } from './meeting-events.js';
import { MeetingEffects, type AfterCommit, type MeetingChangeHook, type MeetingEndedHook } from './meeting-effects.js';
import { MeetingCommitQueue, type MeetingChange } from './commit-queue.js';
import { rollUpJoins } from '../report/console-rollup.service.js';
import { ApiError, apiError, fieldError } from '../../contract/errors.js';
import {
  createMeeting,
  end,
  join,
  kickOut,
  leave,
  participant,
  roomIdOf,
  roomKey,
  startShare,
  stopShare,
  transferHost,
  useMedia,
  invite,
  call,
  rename,
  requireLive,
  setLocked,
  stopRinging,
  userKey,
  guestKey,
  passwordExempt,
  USER_TYPE,
  type Joiner,
  type Meeting,
  type MeetingEvent,
} from './meeting.js';

export interface MeetingTimings {
  /** a session not heard from for this long leaves (network) */
  heartbeatTimeoutMs: number;
  /** a started meeting with nobody in it ends after this long */
  emptyGraceMs: number;
  /** an invitee who does not answer stops ringing after this long */
  ringTimeoutMs: number;
  /** most participants in a meeting at once */
  participantLimit: number;
}

export interface Caller {
  tenantKey: string;
  userId: string;
  appId: string;
  /** the address the request came from, kept with a session it opens (the participant list's public IP) */
  ip?: string;
  /**
   * A guest (docs/decisions.md "Guests"): `userId` is the guest ID, `tenantKey` the meeting's. `meetingId`
   * is the one meeting their pass admits them to; null while a new guest joins for the first time.
   */
  guest?: { name: string; meetingId: string | null };
}

export interface Device {
  type?: string;
  client_version?: string;
  network_type?: string;
  [k: string]: unknown;
}

/** A reserve action a meeting participant may be refused (reserve.md action_permissions). */
export type ReserveAction = 'join' | 'host' | 'invite';

/** What the reserve side adds to meetings (src/domain/meeting/reserved-meetings.ts). */
export interface ReserveRules {
  /** The meeting to start for a number with no live meeting (a live reserve's), and whom it calls. */
  open(meetingNo: string, at: number): Promise<{ meeting: Meeting; callee?: Omit<Joiner, 'sessionId'> } | undefined>;
  /**
   * Whether the meeting's reserve lets the caller do `action`; asked outside the meeting's transaction. A
   * guest may only join, and only a meeting whose reserve admits guests.
   */
  allows(m: { tenantKey: string; reserveId: string | null }, caller: Caller, action: ReserveAction): Promise<boolean>;
  /** `allows` for joining and for becoming host at once (one read of the reserve). */
  admission(m: { tenantKey: string; reserveId: string | null }, caller: Caller): Promise<{ join: boolean; host: boolean }>;
}

export interface SessionView {
  sessionId: string;
  meeting: Meeting;
}

/** A room joining through a user who operates it (docs/client-api.md): it takes part as user_type 2. */
export interface RoomJoin {
  roomId: string;
  name: string;
  /** Runs in the join's transaction, with the meeting as joined (room bookings take the meeting here). */
  joined(m: Meeting, at: number, trx: Kysely<Database>): Promise<void>;
}

/** Told the meeting changed, after the change committed. */
export type MeetingChangeListener = (tenantKey: string, meetingId: string) => void;

/** Numeric ids of Feishu's shape: 19 digits, never starting with 0. */
export function newMeetingId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
}

/** Instant meetings draw their numbers from 9xxxxxxxx; reserves never do (docs/decisions.md). */
export function newInstantMeetingNo(): string {
  return '9' + String(randomInt(0, 100_000_000)).padStart(8, '0');
}

const newSessionId = (): string => 'ps_' + randomBytes(12).toString('hex');

/** How far a quality sample's minute may lie outside its session (client clocks drift), in seconds. */
export const SAMPLE_CLOCK_SKEW_S = 15 * 60;

/**
 * Every change to a meeting goes through here: load, apply the domain rule, then save the meeting, its
 * outbox events, its participants' sessions and the client notifications in one transaction. A writer
 * that lost a race with another reloads and applies its change again.
 */
export class MeetingService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Repositories,
    private readonly timings: MeetingTimings,
    private readonly clock: { now(): number } = Date,
  ) {
    this.effects = new MeetingEffects(repos, timings);
    this.queue = new MeetingCommitQueue(db, repos, this.effects, {
      eventsCommitted: () => this.committed?.(),
      meetingChanged: (tenantKey, meetingId) => this.changed(tenantKey, meetingId),
    }, clock);
  }

  private committed: (() => void) | undefined;
  private readonly changeListeners: MeetingChangeListener[] = [];
  private readonly effects: MeetingEffects;
  private readonly queue: MeetingCommitQueue;

  /** Called after each commit that wrote meeting events (the dispatcher sends them at once). */
  onEventsCommitted(listener: () => void): void {
    this.committed = listener;
  }

  /**
   * Called after every committed change to a meeting in this process (the media server re-reads who is
   * still in it). Changes made by other processes are not seen here; listeners poll for those.
   */
  onMeetingChanged(listener: MeetingChangeListener): void {
    this.changeListeners.push(listener);
  }

  private changed(tenantKey: string, meetingId: string): void {
    for (const listener of this.changeListeners) listener(tenantKey, meetingId);
  }

  /** Runs `hook` in the transaction of every meeting's end (room bookings release their rooms). */
  onMeetingEnded(hook: MeetingEndedHook): void {
    this.effects.onMeetingEnded(hook);
  }

  /** Runs `hook` in the transaction of every change that produced events, and what it returns after the commit. */
  onChange(hook: MeetingChangeHook): void {
    this.effects.onChange(hook);
  }

  /** Commits a change of an existing meeting (meeting/commit-queue.ts: grouped per meeting, lost races retried). */
  mutate<T>(tenantKey: string, meetingId: string, change: MeetingChange<T>): Promise<T> {
    return this.queue.mutate(tenantKey, meetingId, change);
  }

  /** Saves a meeting that has just started and what its first change caused; returns the work that waits for the commit. */
  private async commitNew(m: Meeting, events: MeetingEvent[], at: number, trx: Kysely<Database>): Promise<AfterCommit[]> {
    await this.repos.meetings.insert(m, trx);
    const after = await this.effects.apply(m, events, at, new Map(), trx);
    await this.repos.outbox.append(outboxEvents(m, events), trx);
    return after;
  }

  /** Starts an instant meeting hosted by the caller, who joins it at once. */
  async startInstant(caller: Caller, topic: string | undefined, device: Device): Promise<SessionView> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const at = this.clock.now();
      const m = createMeeting({ id: newMeetingId(), tenantKey: caller.tenantKey, meetingNo: newInstantMeetingNo(), topic: topic?.trim() || 'Instant meeting', source: 2, ownerUserId: caller.userId, participantLimit: this.timings.participantLimit, createdAt: at });
      const sessionId = newSessionId();
      const events = join(m, this.joiner(caller, sessionId, m), at);
      if (await this.startNew(m, events, at, caller, sessionId, device)) return { sessionId, meeting: m };
    }
    throw apiError('internal', 'could not allocate a meeting number');
  }

  /**
   * Joins a live meeting by number; with `rules`, a reserve's number also opens its meeting, and the
   * reserve's join and host permissions apply. Without them only live meetings can be joined. With
   * `room`, the caller joins the room rather than themself (the permissions are still the caller's).
   */
  async joinByNo(caller: Caller, meetingNo: string, password: string | undefined, device: Device, rules?: ReserveRules, room?: RoomJoin): Promise<SessionView> {
    const refuseJoin = () => apiError('noPermission', caller.guest ? 'the meeting settings do not let guests join' : 'the meeting settings do not let this user join');
    if (caller.guest && !rules) throw refuseJoin();
    const pass = caller.guest?.meetingId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await this.repos.meetings.liveByNo(meetingNo);
      const sessionId = newSessionId();
      if (pass && live?.id !== pass) {
        // A guest's pass is for one meeting: another meeting of any number, even the same one reopened, is closed to it.
        const own = live ? undefined : await this.repos.meetings.find(caller.tenantKey, pass);
        if (own?.meetingNo === meetingNo) throw apiError('meetingStatusUnexpected', 'the meeting this guest was admitted to has ended');
        throw apiError('noPermission', 'a guest access token admits to its own meeting only');
      }
      if (live) {
        const admitted = rules ? await rules.admission(live, caller) : { join: true, host: true };
        if (!admitted.join) throw refuseJoin();
        const mayHost = admitted.host;
        const meeting = await this.mutate(live.tenantKey, live.id, async (m, at, trx) => {
          checkPassword(m, password, caller);
          const joiner = this.joiner(caller, sessionId, m, mayHost, room);
          const events = join(m, joiner, at);
          await this.insertSession(trx, m, caller, sessionId, device, at, joiner.key);
          await room?.joined(m, at, trx);
          return { events, result: m };
        });
        return { sessionId, meeting };
      }
      const at = this.clock.now();
      const opened = rules ? await rules.open(meetingNo, at) : undefined;
      if (!opened) throw apiError('meetingNotExist', `no meeting has number ${meetingNo}`);
      const m = opened.meeting;
      m.participantLimit = this.timings.participantLimit;
      checkPassword(m, password, caller);
      const admitted = await rules!.admission(m, caller);
      if (!admitted.join) throw refuseJoin();
      const joiner = this.joiner(caller, sessionId, m, admitted.host, room);
      const events = join(m, joiner, at);
      if (opened.callee) events.push(...call(m, joiner.key, opened.callee, at));
      // false: someone else started it first; the next round joins theirs.
      if (await this.startNew(m, events, at, caller, sessionId, device, room)) return { sessionId, meeting: m };
    }
    throw apiError('internal', 'could not join the meeting');
  }

  /** Stores a meeting that has just started, with its first session; false when its number is live already. */
  private async startNew(m: Meeting, events: MeetingEvent[], at: number, caller: Caller, sessionId: string, device: Device, room?: RoomJoin): Promise<boolean> {
    try {
      const after: AfterCommit[] = [];
      await this.db.transaction().execute(async (trx) => {
        after.push(...(await this.commitNew(m, events, at, trx)));
        await this.insertSession(trx, m, caller, sessionId, device, at, room && roomKey(room.roomId));
        await room?.joined(m, at, trx);
      });
      this.committed?.();
      for (const work of after) await work();
      this.changed(m.tenantKey, m.id);
      return true;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return false;
    }
  }

  private joiner(caller: Caller, sessionId: string, m: Meeting, mayHost = true, room?: RoomJoin): Joiner {
    if (caller.guest) return { key: guestKey(caller.userId), userId: null, userType: USER_TYPE.guest, tenantKey: null, name: caller.guest.name, sessionId, mayHost: false };
    if (!room) return { key: participantKeyOf(caller, m.tenantKey), userId: caller.userId, userType: 1, tenantKey: caller.tenantKey, sessionId, mayHost };
    // A room session is its operator's only within the room's tenant (openSession), so rooms stay home.
    if (m.tenantKey !== caller.tenantKey) throw apiError('noPermission', 'a room joins meetings of its own tenant only');
    return { key: roomKey(room.roomId), userId: null, userType: USER_TYPE.rooms, tenantKey: caller.tenantKey, name: room.name, sessionId, mayHost };
  }

  /** `key`: the participant the session represents, the caller themself unless they operate a room. */
  private async insertSession(trx: Kysely<Database>, m: Meeting, caller: Caller, sessionId: string, device: Device, at: number, key = participantKeyOf(caller, m.tenantKey)): Promise<void> {
    const row = {
      id: sessionId,
      meeting_id: m.id,
      tenant_key: m.tenantKey,
      participant_key: key,
      user_id: caller.userId,
      app_id: caller.appId || null,
      device: JSON.stringify(device),
      joined_at: at,
      last_seen_at: at,
      left_at: null,
      leave_reason: null,
      public_ip: caller.ip ?? null,
      used_audio: 0,
      used_video: 0,
      used_share: 0,
    };
    await this.repos.sessions.insert(row, trx);
    // The join's device enters the dashboard's mix with the join.
    await rollUpJoins(this.repos, [row], trx);
  }

  /** The caller's session (open or over), their own or a room's they operate; another user's session does not exist for them. */
  async openSession(caller: Caller, sessionId: string) {
    const s = await this.repos.sessions.get(sessionId);
    const operated = s !== undefined && roomIdOf(s.participant_key) !== undefined && s.tenant_key === caller.tenantKey;
    const otherMeeting = caller.guest !== undefined && s?.meeting_id !== caller.guest.meetingId;
    if (!s || otherMeeting || s.user_id !== caller.userId || (s.participant_key !== participantKeyOf(caller, s.tenant_key) && !operated)) {
      throw apiError('dataNotExist', `session ${sessionId} does not exist`);
    }
    return s;
  }

  async leave(caller: Caller, sessionId: string): Promise<void> {
    const s = await this.openSession(caller, sessionId);
    if (s.left_at !== null) throw apiError('participantStatusUnexpected', 'the session has already left the meeting');
    await this.mutate(s.tenant_key, s.meeting_id, (m, at) => ({ events: leave(m, s.participant_key, at), result: undefined }));
  }

  /** The hot path: one update when all is well; the reason is looked up only when it is not. */
  async heartbeat(caller: Caller, sessionId: string): Promise<void> {
    const keys = { own: participantKeyOf(caller, caller.tenantKey), guest: participantKeyOf(caller, '') };
    if (await this.repos.sessions.touch(sessionId, caller, keys, this.clock.now())) return;
    await this.openSession(caller, sessionId);
    throw apiError('participantStatusUnexpected', 'the session is no longer in the meeting');
  }

  async share(caller: Caller, sessionId: string, on: boolean): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, async (m, at, trx) => {
      const events = on ? startShare(m, s.participant_key, at) : stopShare(m, s.participant_key, at);
      if (on) await this.repos.sessions.markUsed(s.id, { share: true }, trx);
      return { events, result: undefined };
    });
  }

  /** The host locks the meeting (only invitees get in) or unlocks it. */
  async lock(caller: Caller, sessionId: string, locked: boolean): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, (m) => ({ events: setLocked(m, s.participant_key, locked), result: undefined }));
  }

  async media(caller: Caller, sessionId: string, media: { audio?: boolean; video?: boolean }): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, async (m, _at, trx) => {
      const events = useMedia(m, s.participant_key, media);
      await this.repos.sessions.markUsed(s.id, media, trx);
      return { events, result: undefined };
    });
  }

  /**
   * Stores the session's samples while it is open: the session is held open meanwhile, so that its end,
   * which rolls its samples up for the dashboard, sees every sample it will ever have.
   */
  async stats(caller: Caller, sessionId: string, samples: { minute: number; [k: string]: unknown }[]): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    // A sample covers a minute of the session; a client's clock may be off by some minutes, not by years.
    const first = Math.floor(s.joined_at / 60_000) * 60 - SAMPLE_CLOCK_SKEW_S;
    const last = Math.floor(this.clock.now() / 1000) + SAMPLE_CLOCK_SKEW_S;
    samples.forEach((sample, i) => {
      if (sample.minute < first || sample.minute > last) {
        throw fieldError(`samples[${i}].minute`, `unix seconds of a minute of this session: from ${first} (its join, less ${SAMPLE_CLOCK_SKEW_S / 60} minutes of clock skew) to ${last}`, sample.minute);
      }
    });
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.repos.sessions.holdOpen(s.id, trx))) throw apiError('participantStatusUnexpected', 'the session has left the meeting');
      await this.repos.sessions.putSamples(
        samples.map((sample) => ({ session_id: s.id, minute: Math.floor(sample.minute / 60) * 60, meeting_id: s.meeting_id, tenant_key: s.tenant_key, sample: JSON.stringify(sample) })),
        trx,
      );
    });
  }

  /** The host, from their session, removes another participant (`targetKey` as the roster names them). */
  async hostKickOut(caller: Caller, sessionId: string, targetKey: string): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, (m, at) => {
      requireHost(m, s.participant_key, 'only the host can remove participants');
      return { events: kickOut(m, s.participant_key, targetKey, at), result: undefined };
    });
  }

  /** The host, from their session, hands the host role to another participant. */
  async hostSetHost(caller: Caller, sessionId: string, targetKey: string): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, (m, at) => {
      requireHost(m, s.participant_key, 'only the current host can hand the host role over');
      return { events: transferHost(m, s.participant_key, targetKey, undefined, at), result: undefined };
    });
  }

  /** The host, from their session, ends the meeting for everyone. */
  async hostEnd(caller: Caller, sessionId: string): Promise<void> {
    const s = await this.liveSession(caller, sessionId);
    await this.mutate(s.tenant_key, s.meeting_id, (m, at) => {
      requireHost(m, s.participant_key, 'only the host can end the meeting');
      return { events: end(m, s.participant_key, at), result: undefined };
    });
  }

  private async liveSession(caller: Caller, sessionId: string) {
    const s = await this.openSession(caller, sessionId);
    if (s.left_at !== null) throw apiError('participantStatusUnexpected', 'the session has left the meeting');
    return s;
  }

  /** Sessions that stopped heartbeating leave the meeting (leave_reason 1, session reason "network"). */
  async dropStaleSessions(limit = 200): Promise<number> {
    const stale = await this.repos.sessions.stale(this.clock.now() - this.timings.heartbeatTimeoutMs, limit);
    for (const s of stale) {
      await this.mutate(s.tenant_key, s.meeting_id, async (m, at, trx) => {
        const p = participant(m, s.participant_key);
        if (!p || p.sessionId !== s.id || m.status !== 2) {
          await this.effects.endSession(s.id, at, 'network', trx);
          return { events: [], result: undefined };
        }
        const events = leave(m, s.participant_key, at);
        await this.effects.endSession(s.id, at, 'network', trx);
        return { events, result: undefined };
      }).catch((e: unknown) => {
        // The meeting went away meanwhile: nothing left to leave.
        if (!(e instanceof ApiError)) throw e;
      });
    }
    return stale.length;
  }

  /** Job: a started meeting that stayed empty for the grace period ends. */
  async endIfEmpty(tenantKey: string, meetingId: string): Promise<void> {
    await this.mutate(tenantKey, meetingId, (m, at) => ({
      events: m.status === 2 && !m.participants.some((p) => p.status === 2) ? end(m, null, at) : [],
      result: undefined,
    })).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.errorName === 'meetingNotExist')) throw e;
    });
  }

  /** Ends a meeting if it is still going (a reserve expired under it). */
  async endIfLive(tenantKey: string, meetingId: string): Promise<void> {
    await this.mutate(tenantKey, meetingId, (m, at) => ({ events: m.status === 3 ? [] : end(m, null, at), result: undefined }));
  }

  /** The invitee declines a ringing invitation. */
  async decline(caller: Caller, tenantKey: string, meetingId: string): Promise<void> {
    await this.mutate(tenantKey, meetingId, (m) => {
      const p = participant(m, participantKeyOf(caller, m.tenantKey));
      if (!p || p.status !== 3) throw apiError('participantStatusUnexpected', 'there is no ringing invitation for the caller in this meeting');
      return { events: stopRinging(m, p.key), result: undefined };
    });
  }

  async ringTimeout(tenantKey: string, meetingId: string, key: string): Promise<void> {
    await this.mutate(tenantKey, meetingId, (m) => ({ events: stopRinging(m, key), result: undefined }));
  }

  // Open API operations ---------------------------------------------------------------------------

  /** An app removes participants (`appId`: who the leave events name as operator). */
  async kickOut(tenantKey: string, meetingId: string, keys: string[], appId?: string): Promise<{ key: string; ok: boolean }[]> {
    return this.mutate(tenantKey, meetingId, (m, at) => {
      const events: MeetingEvent[] = [];
      const results = keys.map((key) => {
        try {
          events.push(...kickOut(m, null, key, at).map((e) => (e.type === 'leave_meeting' && appId ? { ...e, operatorAppId: appId } : e)));
          return { key, ok: true };
        } catch (e) {
          if (!(e instanceof ApiError) || e.errorName === 'meetingStatusUnexpected') throw e;
          return { key, ok: false };
        }
      });
      return { events, result: results };
    });
  }

  /** Renames each target that is in the meeting; the others fail one by one, a meeting not in progress fails all. */
  async changeNames(tenantKey: string, meetingId: string, changes: { key: string; name: string }[]): Promise<boolean[]> {
    return this.mutate(tenantKey, meetingId, (m) => {
      requireLive(m);
      const results = changes.map(({ key, name }) => {
        try {
          rename(m, key, name);
          return true;
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          return false;
        }
      });
      return { events: [], result: results };
    });
  }

  async setHost(tenantKey: string, meetingId: string, operatorKey: string | null, targetKey: string, expectedHostKey: string | undefined): Promise<Meeting> {
    return this.mutate(tenantKey, meetingId, (m, at) => {
      if (operatorKey !== null && m.hostKey !== operatorKey) {
        if (!participant(m, operatorKey) || participant(m, operatorKey)?.status !== 2) throw apiError('operatorNotInMeeting', 'the operator is not in the meeting');
        throw apiError('noPermission', 'only the current host can hand the host role over');
      }
      return { events: transferHost(m, operatorKey, targetKey, expectedHostKey, at), result: m };
    });
  }

  async end(tenantKey: string, meetingId: string, operatorKey: string | null): Promise<void> {
    await this.mutate(tenantKey, meetingId, (m, at) => {
      if (m.status !== 2) throw apiError('meetingStatusUnexpected', 'the meeting is not in progress');
      if (operatorKey !== null) {
        const op = participant(m, operatorKey);
        if (!op || op.status !== 2) throw apiError('operatorNotInMeeting', 'the operator is not in the meeting');
        if (m.hostKey !== operatorKey) throw apiError('noPermission', 'only the host can end the meeting');
      }
      return { events: end(m, operatorKey, at), result: undefined };
    });
  }

  async invite(tenantKey: string, meetingId: string, operatorKey: string, invitees: Omit<Joiner, 'sessionId'>[]): Promise<{ key: string; ok: boolean }[]> {
    return this.mutate(tenantKey, meetingId, (m, at) => {
      const events: MeetingEvent[] = [];
      const results = invitees.map((who) => {
        events.push(...invite(m, operatorKey, who, at));
        return { key: who.key, ok: true };
      });
      return { events, result: results };
    });
  }
}

/** Directory users of the meeting's tenant are `u:<user_id>`; users of other tenants `x:<tenant>:<user_id>`; guests `g:<guest_id>`. */
export function participantKeyOf(caller: { tenantKey: string; userId: string; guest?: unknown }, meetingTenantKey: string): string {
  if (caller.guest) return guestKey(caller.userId);
  return caller.tenantKey === meetingTenantKey ? userKey(caller.userId) : `x:${caller.tenantKey}:${caller.userId}`;
}

function requireHost(m: Meeting, key: string, message: string): void {
  if (m.status !== 2) throw apiError('meetingStatusUnexpected', 'the meeting is not in progress');
  if (m.hostKey !== key) throw apiError('noPermission', message);
}

function checkPassword(m: Meeting, password: string | undefined, caller: Caller): void {
  if (!m.password || password === m.password) return;
  // Whatever they typed (an old link after the password changed): they are not asked.
  if (passwordExempt(m, caller)) return;
  throw password ? apiError('meetingPasswordWrong') : apiError('noPermission', 'the meeting needs a password');
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || /UNIQUE constraint failed/.test(err?.message ?? '');
}
