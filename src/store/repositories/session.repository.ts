import type { WakeBus, WakeMark } from '../wake-bus.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../database.js';
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
  constructor(
    private readonly db: Kysely<Database>,
    private readonly wake?: WakeBus,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

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

  /** Ends the session if it is open; false when it had ended before. */
  async end(id: string, at: number, reason: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const r = await db.updateTable('participant_sessions').set({ left_at: at, leave_reason: reason }).where('id', '=', id).where('left_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Whether the session is open, holding it open until the caller's transaction ends: on PostgreSQL its row
   * is locked, so it cannot end meanwhile (on SQLite the transaction is the only writer).
   */
  async holdOpen(id: string, db: Kysely<Database>): Promise<boolean> {
    const q = db.selectFrom('participant_sessions').select('id').where('id', '=', id).where('left_at', 'is', null);
    return (await (this.dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst()) !== undefined;
  }

  /** Sessions by id: what their joins add to the dashboard's mix. */
  async joins(ids: readonly string[], db: Kysely<Database> = this.db): Promise<Pick<SessionRow, 'id' | 'tenant_key' | 'joined_at' | 'device'>[]> {
    if (ids.length === 0) return [];
    return db.selectFrom('participant_sessions').select(['id', 'tenant_key', 'joined_at', 'device']).where('id', 'in', ids).execute();
  }

  /** A tenant's sessions in id order after a cursor: whether each has ended (its samples are final then). */
  async tenantPage(tenantKey: string, after: string | undefined, limit: number, db: Kysely<Database> = this.db): Promise<{ id: string; ended: boolean }[]> {
    let q = db.selectFrom('participant_sessions').select(['id', 'left_at']).where('tenant_key', '=', tenantKey);
    if (after !== undefined) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, ended: r.left_at !== null }));
  }

  /** The tenants that have sessions. */
  async tenantKeys(): Promise<string[]> {
    const rows = await this.db.selectFrom('participant_sessions').select('tenant_key').distinct().execute();
    return rows.map((r) => r.tenant_key);
  }

  /** The quality samples of the sessions, with their tenant. */
  async samplesOf(sessionIds: readonly string[], db: Kysely<Database> = this.db): Promise<{ tenant_key: string; minute: number; sample: string }[]> {
    if (sessionIds.length === 0) return [];
    return db.selectFrom('quality_samples').select(['tenant_key', 'minute', 'sample']).where('session_id', 'in', sessionIds).execute();
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

  /**
   * Room sessions that were dropped because their device stopped heartbeating (leave reason "network"), by
   * the time they were dropped, after a keyset cursor; with when the same room next joined, if it did.
   */
  async roomDrops(
    tenantKey: string,
    f: { from: number; to: number; roomKey?: string },
    after: { t: number; id: string } | undefined,
    limit: number,
  ): Promise<(SessionRow & { left_at: number; recovered_at: number | null })[]> {
    let q = this.db
      .selectFrom('participant_sessions as s')
      .selectAll('s')
      .select((eb) =>
        eb
          .selectFrom('participant_sessions as n')
          .select((n) => n.fn.min('n.joined_at').as('t'))
          .whereRef('n.tenant_key', '=', 's.tenant_key')
          .whereRef('n.participant_key', '=', 's.participant_key')
          .whereRef('n.joined_at', '>=', 's.left_at')
          .as('recovered_at'),
      )
      .where('s.tenant_key', '=', tenantKey)
      .where('s.leave_reason', '=', 'network')
      .where('s.left_at', '>=', f.from)
      .where('s.left_at', '<=', f.to);
    q = f.roomKey ? q.where('s.participant_key', '=', f.roomKey) : q.where('s.participant_key', 'like', `${ROOM_KEY_PREFIX}%`);
    if (after) q = q.where((eb) => eb.or([eb('s.left_at', '>', after.t), eb.and([eb('s.left_at', '=', after.t), eb('s.id', '>', after.id)])]));
    const rows = await q.orderBy('s.left_at').orderBy('s.id').limit(limit).execute();
    return rows.map((r) => ({ ...r, left_at: r.left_at!, recovered_at: r.recovered_at === null ? null : Number(r.recovered_at) }));
  }

  async openInMeeting(meetingId: string, db: Kysely<Database> = this.db): Promise<SessionRow[]> {
    return db.selectFrom('participant_sessions').selectAll().where('meeting_id', '=', meetingId).where('left_at', 'is', null).execute();
  }

  /** One statement for the lot; a later sample of the same session and minute replaces an earlier one. */
  async putSamples(rows: { session_id: string; minute: number; meeting_id: string; tenant_key: string; sample: string }[], db: Kysely<Database> = this.db): Promise<void> {
    // A statement may not update one row twice: keep the last sample of each minute.
    const unique = [...new Map(rows.map((r) => [`${r.session_id}:${r.minute}`, r])).values()];
    if (unique.length === 0) return;
    await db
      .insertInto('quality_samples')
      .values(unique)
      .onConflict((oc) => oc.columns(['session_id', 'minute']).doUpdateSet((eb) => ({ sample: eb.ref('excluded.sample') })))
      .execute();
  }

  async samples(sessionId: string): Promise<{ minute: number; sample: string }[]> {
    return this.db.selectFrom('quality_samples').select(['minute', 'sample']).where('session_id', '=', sessionId).orderBy('minute').execute();
  }

  /**
   * Writes client events in the caller's transaction and announces them to every process's long-polls
   * (delivered on commit). Returns the marks to hand to `wake.published` once the transaction committed.
   */
  async notify(events: NewClientEvent[], db: Kysely<Database> = this.db): Promise<WakeMark[]> {
    if (events.length === 0) return [];
    if (this.dialect === 'postgres') {
      // A feed (a session's, a user's) is read by `seq > cursor`, and PostgreSQL hands out seq at insert, not
      // at commit: two transactions writing one feed take turns (transaction-scoped advisory locks, taken in
      // one order), so a later seq of a feed never becomes visible before an earlier one and no reader's
      // cursor passes a row that is still to commit (two meetings ringing one user at once).
      const feeds = [...new Set(events.flatMap((e) => [...(e.sessionId ? [sessionWakeKey(e.sessionId)] : []), ...(e.userId ? [userWakeKey(e.tenantKey, e.userId)] : [])]))];
      await sql`select pg_advisory_xact_lock(${FEED_LOCK_SPACE}, h) from (select distinct hashtext(k) as h from unnest(${feeds}::text[]) as k order by h) as turns`.execute(db);
    }
    const rows = await db
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
      .returning(['seq', 'tenant_key', 'user_id', 'session_id'])
      .execute();
    const newest = new Map<string, number>();
    for (const r of rows) {
      const keys = [...(r.session_id !== null ? [sessionWakeKey(r.session_id)] : []), ...(r.user_id !== null ? [userWakeKey(r.tenant_key, r.user_id)] : [])];
      for (const key of keys) newest.set(key, Math.max(newest.get(key) ?? 0, Number(r.seq)));
    }
    const marks = [...newest].map(([key, seq]) => ({ key, seq }));
    await this.wake?.announce(marks, db);
    return marks;
  }

  /** After the commit of `notify`'s transaction: wakes this process's long-polls of those keys. */
  published(marks: WakeMark[]): void {
    this.wake?.published(marks);
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

/** The first key of the two-key advisory locks that order writers of one client-event feed (PostgreSQL). */
const FEED_LOCK_SPACE = 0x6f76_6366; // 'ovcf'

/** The wake key of a session's own events. */
export const sessionWakeKey = (sessionId: string): string => `s:${sessionId}`;
/** The wake key of a user's events (ringing), across their sessions. */
export const userWakeKey = (tenantKey: string, userId: string): string => `u:${tenantKey}:${userId}`;
