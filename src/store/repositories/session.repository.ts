import type { Kysely, Selectable } from 'kysely';
import type { ClientEventTable, Database, ParticipantSessionTable } from '../schema.js';
import { ROOM_KEY_PREFIX } from '../../domain/meeting/meeting.js';

export type SessionRow = Selectable<ParticipantSessionTable>;
export type ClientEventRow = Selectable<ClientEventTable>;

export interface NewClientEvent {
  tenantKey: string;
  /** for a user's devices (ringing) */
  userId?: string | null;
  /** for one participant session (kicked out, host changed, meeting ended) */
  sessionId?: string | null;
  type: string;
  payload: unknown;
  at: number;
}

/** Participant sessions (client connections), their quality samples and the client notification feed. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ParticipantSessionTable, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('participant_sessions').values(row).execute();
  }

  async get(id: string, db: Kysely<Database> = this.db): Promise<SessionRow | undefined> {
    return db.selectFrom('participant_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Heartbeat: one indexed update of the caller's own open session, no read. The session is the caller's
   * as a member of the meeting's tenant (`own` key or a room the caller operates, same tenant) or as a
   * guest (`guest` key). False when there is no such open session.
   */
  async touch(id: string, caller: { tenantKey: string; userId: string }, keys: { own: string; guest: string }, at: number): Promise<boolean> {
    const res = await this.db
      .updateTable('participant_sessions')
      .set({ last_seen_at: at })
      .where('id', '=', id)
      .where('user_id', '=', caller.userId)
      .where('left_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb.or([eb('participant_key', '=', keys.own), eb('participant_key', 'like', `${ROOM_KEY_PREFIX}%`)]), eb('tenant_key', '=', caller.tenantKey)]),
          eb('participant_key', '=', keys.guest),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async end(id: string, at: number, reason: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('participant_sessions').set({ left_at: at, leave_reason: reason }).where('id', '=', id).where('left_at', 'is', null).execute();
  }

  /** Records that the session turned media on (the participant list's audio, video and share columns). */
  async markUsed(id: string, used: { audio?: boolean; video?: boolean; share?: boolean }, db: Kysely<Database> = this.db): Promise<void> {
    const set = { ...(used.audio ? { used_audio: 1 } : {}), ...(used.video ? { used_video: 1 } : {}), ...(used.share ? { used_share: 1 } : {}) };
    if (Object.keys(set).length === 0) return;
    await db.updateTable('participant_sessions').set(set).where('id', '=', id).execute();
  }

  /** Open sessions not heard from since `before`. */
  async stale(before: number, limit: number): Promise<SessionRow[]> {
    return this.db.selectFrom('participant_sessions').selectAll().where('left_at', 'is', null).where('last_seen_at', '<', before).limit(limit).execute();
  }

  async openInMeeting(meetingId: string, db: Kysely<Database> = this.db): Promise<SessionRow[]> {
    return db.selectFrom('participant_sessions').selectAll().where('meeting_id', '=', meetingId).where('left_at', 'is', null).execute();
  }

  /** One statement for the lot; a later sample of the same session and minute replaces an earlier one. */
  async putSamples(rows: { session_id: string; minute: number; meeting_id: string; tenant_key: string; sample: string }[]): Promise<void> {
    // A statement may not update one row twice: keep the last sample of each minute.
    const unique = [...new Map(rows.map((r) => [`${r.session_id}:${r.minute}`, r])).values()];
    if (unique.length === 0) return;
    await this.db
      .insertInto('quality_samples')
      .values(unique)
      .onConflict((oc) => oc.columns(['session_id', 'minute']).doUpdateSet((eb) => ({ sample: eb.ref('excluded.sample') })))
      .execute();
  }

  async samples(sessionId: string): Promise<{ minute: number; sample: string }[]> {
    return this.db.selectFrom('quality_samples').select(['minute', 'sample']).where('session_id', '=', sessionId).orderBy('minute').execute();
  }

  async notify(events: NewClientEvent[], db: Kysely<Database> = this.db): Promise<void> {
    if (events.length === 0) return;
    await db
      .insertInto('client_events')
      .values(
        events.map((e) => ({
          tenant_key: e.tenantKey,
          user_id: e.userId ?? null,
          session_id: e.sessionId ?? null,
          type: e.type,
          created_at: e.at,
          payload: JSON.stringify(e.payload ?? {}),
        })),
      )
      .execute();
  }

  async eventsForSession(sessionId: string, afterSeq: number, limit: number): Promise<ClientEventRow[]> {
    return this.db.selectFrom('client_events').selectAll().where('session_id', '=', sessionId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  }

  async eventsForUser(tenantKey: string, userId: string, afterSeq: number, limit: number): Promise<ClientEventRow[]> {
    return this.db
      .selectFrom('client_events')
      .selectAll()
      .where('tenant_key', '=', tenantKey)
      .where('user_id', '=', userId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }
}
