import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import type { NewClientEvent } from '../../store/repositories/session.repository.js';
import { meetingUsage, rollup } from '../report/usage.js';
import { rollUpEnded } from '../report/console-rollup.service.js';
import { LEAVE_REASON, participant, type LeaveReason, type Meeting, type MeetingEvent, type UserType } from './meeting.js';

export const MEETING_JOB = { endIfEmpty: 'meeting.end_if_empty', ringTimeout: 'meeting.ring_timeout' } as const;

/** Work another feature does in the transaction that ends a meeting. */
export type MeetingEndedHook = (m: Meeting, at: number, trx: Kysely<Database>) => Promise<void>;

/** Work to do once a change's transaction has committed (never when it rolled back or lost a race). */
export type AfterCommit = () => Promise<void>;

/**
 * Work another feature does in the transaction of every change that produced events (recordings open and
 * close their segments here); what it returns runs after the commit.
 */
export type MeetingChangeHook = (m: Meeting, events: MeetingEvent[], at: number, trx: Kysely<Database>) => Promise<AfterCommit | undefined>;

const SESSION_REASON: Record<LeaveReason, string> = { 1: 'left', 2: 'meeting_ended', 3: 'kicked' };

/**
 * What a meeting's changes cause besides the meeting row and its events: sessions ended, notes to
 * sessions, durable jobs, report and dashboard rollups and the hooks other features (recordings, room bookings) hang on
 * a meeting. All of it runs inside the change's transaction.
 */
export class MeetingEffects {
  constructor(
    private readonly repos: Pick<Repositories, 'reports' | 'sessions' | 'jobs' | 'consoleRollups'>,
    private readonly timings: { ringTimeoutMs: number; emptyGraceMs: number },
  ) {}

  private readonly endedHooks: MeetingEndedHook[] = [];
  private readonly changeHooks: MeetingChangeHook[] = [];

  /** Runs `hook` in the transaction of every meeting's end (room bookings release their rooms). */
  onMeetingEnded(hook: MeetingEndedHook): void {
    this.endedHooks.push(hook);
  }

  /** Runs `hook` in the transaction of every change that produced events, and what it returns after the commit. */
  onChange(hook: MeetingChangeHook): void {
    this.changeHooks.push(hook);
  }

  /** Ends a session, if it is still open, and rolls its samples up for the dashboard (console-rollup.service.ts). */
  async endSession(sessionId: string, at: number, reason: string, trx: Kysely<Database>): Promise<void> {
    if (await this.repos.sessions.end(sessionId, at, reason, trx)) await rollUpEnded(this.repos, [sessionId], trx);
  }

  /**
   * What one change's events cause besides the meeting itself, in its transaction: sessions ended, notes
   * to sessions, jobs, report rollups, hooks. `sessionsBefore`: each participant's session before the change.
   */
  async apply(m: Meeting, events: MeetingEvent[], at: number, sessionsBefore: ReadonlyMap<string, string | null>, trx: Kysely<Database>): Promise<AfterCommit[]> {
    if (events.length === 0) return [];
    // A meeting enters the report rollups with its end, in the same transaction (docs/decisions.md "Reports").
    const usage = events.some((e) => e.type === 'meeting_ended') ? meetingUsage(m) : undefined;
    if (usage) await this.repos.reports.add(rollup([usage]), trx);
    const notes: NewClientEvent[] = [];
    const ended: string[] = [];
    const open = events.some((e) => e.type === 'host_changed' || e.type === 'meeting_ended') ? await this.repos.sessions.openInMeeting(m.id, trx) : [];
    for (const e of events) {
      switch (e.type) {
        case 'leave_meeting': {
          const sessionId = sessionsBefore.get(e.leaveKey) ?? null;
          if (sessionId) {
            if (await this.repos.sessions.end(sessionId, at, SESSION_REASON[e.reason], trx)) ended.push(sessionId);
            if (e.reason === LEAVE_REASON.kickedOut) notes.push({ tenantKey: m.tenantKey, sessionId, type: 'kicked_out', payload: { meeting_id: m.id }, at });
          }
          break;
        }
        case 'host_changed':
          for (const s of open) notes.push({ tenantKey: m.tenantKey, sessionId: s.id, type: 'host_changed', payload: { meeting_id: m.id, host: hostView(m) }, at });
          break;
        case 'meeting_ended':
          for (const s of open) notes.push({ tenantKey: m.tenantKey, sessionId: s.id, type: 'meeting_ended', payload: { meeting_id: m.id }, at });
          break;
        case 'session_replaced':
          if (await this.repos.sessions.end(e.sessionId, at, 'replaced', trx)) ended.push(e.sessionId);
          notes.push({ tenantKey: m.tenantKey, sessionId: e.sessionId, type: 'replaced', payload: { meeting_id: m.id }, at });
          break;
        case 'ringing': {
          const p = participant(m, e.inviteeKey);
          if (p?.userId) {
            notes.push({ tenantKey: p.tenantKey ?? m.tenantKey, userId: p.userId, type: 'ringing', payload: { meeting_id: m.id, meeting_no: m.meetingNo, topic: m.topic, inviter: participant(m, e.operatorKey)?.userId ?? null }, at });
            await this.repos.jobs.schedule({ kind: MEETING_JOB.ringTimeout, payload: { tenantKey: m.tenantKey, meetingId: m.id, key: p.key }, runAt: at + this.timings.ringTimeoutMs, dedupeKey: `${MEETING_JOB.ringTimeout}:${m.id}:${p.key}` }, trx);
          }
          break;
        }
        default:
          break;
      }
    }
    await rollUpEnded(this.repos, ended, trx);
    const marks = await this.repos.sessions.notify(notes, trx);
    if (events.some((e) => e.type === 'meeting_ended')) for (const hook of this.endedHooks) await hook(m, at, trx);
    const nobodyLeft = m.status === 2 && !m.participants.some((p) => p.status === 2);
    if (nobodyLeft && events.some((e) => e.type === 'leave_meeting')) {
      await this.repos.jobs.schedule({ kind: MEETING_JOB.endIfEmpty, payload: { tenantKey: m.tenantKey, meetingId: m.id }, runAt: at + this.timings.emptyGraceMs, dedupeKey: `${MEETING_JOB.endIfEmpty}:${m.id}` }, trx);
    }
    const after: AfterCommit[] = [];
    // Long-polls of this process wake at once; other processes hear the commit's notification.
    if (marks.length > 0) after.push(async () => this.repos.sessions.published(marks));
    for (const hook of this.changeHooks) {
      const work = await hook(m, events, at, trx);
      if (work) after.push(work);
    }
    return after;
  }
}

function hostView(m: Meeting) {
  const host = m.hostKey ? participant(m, m.hostKey) : undefined;
  return host ? { user_id: host.userId, user_type: host.userType as UserType } : null;
}
