import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import { containsLike } from './room.repository.js';
import type { Database, MeetingParticipantTable, MeetingTable } from '../schema.js';
import type { Ability, Meeting, MeetingStatus, Participant, ParticipantStatus, UserType } from '../../domain/meeting/meeting.js';
import { MEETING_STATUS } from '../../domain/meeting/meeting.js';
import type { Dialect } from '../database.js';
import type { MeetingVersionProbe } from '../read-cache.js';

/** A meeting as loaded, with what is needed to save only what changed and detect concurrent writers. */
export interface LoadedMeeting {
  meeting: Meeting;
  version: number;
  /** participant key → serialised row as loaded */
  snapshot: Map<string, string>;
}

/** Another writer saved the meeting first; the caller reloads and applies its change again. */
export class ConcurrentUpdate extends Error {
  override readonly name = 'ConcurrentUpdate';
}

const toParticipant = (r: Selectable<MeetingParticipantTable>): Participant => ({
  key: r.key,
  userId: r.user_id,
  userType: r.user_type as UserType,
  tenantKey: r.participant_tenant_key,
  name: r.name,
  status: r.status as ParticipantStatus,
  firstJoinAt: r.first_join_at,
  finalLeaveAt: r.final_leave_at,
  inMeetingMs: r.in_meeting_ms,
  joinedAt: r.joined_at,
  isCohost: r.is_cohost === 1,
  sessionId: r.session_id,
  seq: r.seq,
  mayHost: r.may_host === 1,
});

const participantRow = (m: Meeting, p: Participant): MeetingParticipantTable => ({
  meeting_id: m.id,
  key: p.key,
  tenant_key: m.tenantKey,
  user_id: p.userId,
  user_type: p.userType,
  participant_tenant_key: p.tenantKey,
  name: p.name,
  status: p.status,
  first_join_at: p.firstJoinAt,
  final_leave_at: p.finalLeaveAt,
  in_meeting_ms: p.inMeetingMs,
  joined_at: p.joinedAt,
  is_cohost: p.isCohost ? 1 : 0,
  session_id: p.sessionId,
  seq: p.seq,
  may_host: p.mayHost ? 1 : 0,
});

/** Participant rows per statement (16 parameters each: well inside SQLite's and PostgreSQL's limits). */
const PARTICIPANT_BATCH = 500;

type ParticipantColumn = Exclude<keyof MeetingParticipantTable, 'meeting_id' | 'key'>;
/** Every column of a participant row but its key (the type makes a new column be listed here). */
const PARTICIPANT_COLUMNS = Object.keys({
  tenant_key: 1, user_id: 1, user_type: 1, participant_tenant_key: 1, name: 1, status: 1, first_join_at: 1, final_leave_at: 1,
  in_meeting_ms: 1, joined_at: 1, is_cohost: 1, session_id: 1, seq: 1, may_host: 1,
} satisfies Record<ParticipantColumn, 1>) as ParticipantColumn[];
/** An existing participant row takes every column from the row offered (`excluded`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each column has its own type; Kysely checks the names
const PARTICIPANT_UPDATE = Object.fromEntries(PARTICIPANT_COLUMNS.map((c) => [c, sql.ref(`excluded.${c}`)])) as Record<ParticipantColumn, RawBuilder<any>>;

const meetingRow = (m: Meeting, version: number): MeetingTable => ({
  id: m.id,
  tenant_key: m.tenantKey,
  reserve_id: m.reserveId,
  meeting_no: m.meetingNo,
  live_no: m.status === MEETING_STATUS.ended ? null : m.meetingNo,
  topic: m.topic,
  password: m.password,
  source: m.source,
  owner_user_id: m.ownerUserId,
  assigned_hosts: JSON.stringify(m.assignedHostUserIds),
  status: m.status,
  created_at: m.createdAt,
  started_at: m.startedAt,
  ended_at: m.endedAt,
  host_key: m.hostKey,
  locked: m.locked ? 1 : 0,
  participant_limit: m.participantLimit,
  peak: m.peak,
  accumulated: m.accumulated,
  ability: JSON.stringify(m.ability),
  sharing_key: m.sharingKey,
  next_seq: m.nextSeq,
  version,
  recording: m.recording ? 1 : 0,
  auto_record: m.autoRecord ? 1 : 0,
});

function toMeeting(r: Selectable<MeetingTable>, participants: Participant[]): Meeting {
  return {
    id: r.id,
    tenantKey: r.tenant_key,
    reserveId: r.reserve_id,
    meetingNo: r.meeting_no,
    topic: r.topic,
    password: r.password,
    source: r.source,
    ownerUserId: r.owner_user_id,
    assignedHostUserIds: JSON.parse(r.assigned_hosts) as string[],
    status: r.status as MeetingStatus,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    hostKey: r.host_key,
    locked: r.locked === 1,
    participantLimit: r.participant_limit,
    peak: r.peak,
    accumulated: r.accumulated,
    ability: JSON.parse(r.ability) as Ability,
    sharingKey: r.sharing_key,
    participants,
    nextSeq: r.next_seq,
    recording: r.recording === 1,
    autoRecord: r.auto_record === 1,
  };
}

/** A meeting's participants as stored at one version, and their serialised rows when known. */
interface CachedParticipants {
  version: number;
  participants: Participant[];
  snapshot?: Map<string, string>;
}

export interface MeetingBrief {
  id: string;
  topic: string;
  meeting_no: string;
  password: string;
  created_at: number;
}

/** A meeting as meeting.list and meeting.search show it. */
export interface MeetingSummary extends MeetingBrief {
  status: number;
  started_at: number | null;
  ended_at: number | null;
  accumulated: number;
  owner_user_id: string;
}

/** What meeting.list and meeting.search narrow by; every set filter must hold, a list filter by any of its values. */
export interface MeetingFilter {
  /** created in [from, to] (ms) */
  from: number;
  to: number;
  status?: number;
  /** the topic contains it, or it is the meeting number */
  text?: string;
  ownerUserIds?: string[];
  /** participant keys of whom one took part */
  participantKeys?: string[];
  /** participant keys of whom one took part (rooms), kept apart because both lists must match */
  roomKeys?: string[];
  /** only meetings this user owns or took part in */
  visibleTo?: string;
}

/** Meetings and their participants. Reads by id are tenant-scoped; a meeting number is global while live. */
export class MeetingRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
    /** the committed version of a meeting row, read cheaply (see `current`); without one `current` reads in full */
    private readonly versionOf?: MeetingVersionProbe,
  ) {}

  /** A meeting to read (no change tracking). */
  async find(tenantKey: string, id: string, db: Kysely<Database> = this.db): Promise<Meeting | undefined> {
    return (await this.read(tenantKey, id, db))?.meeting;
  }

  /**
   * The meeting as last committed, for readers that only present it: while the row's version is the one
   * an earlier read saw, that read's meeting is answered again (one primary-key read instead of the
   * row, its participants and their mapping). Every change to a meeting goes through `insert`/`save`,
   * which set or bump the version, so a version seen means exactly that content; this holds across
   * processes, as the version is read from the store each time. The value is shared: do not mutate it.
   */
  async current(tenantKey: string, id: string): Promise<Meeting | undefined> {
    if (!this.versionOf) return this.find(tenantKey, id);
    const pending = this.versionOf(tenantKey, id);
    const version = pending instanceof Promise ? await pending : pending;
    if (version === undefined) return undefined;
    const key = `${tenantKey}\u0000${id}`;
    const hit = this.committed.get(key);
    if (version !== null && hit && hit.version === version) return hit.meeting;
    const found = await this.read(tenantKey, id, this.db);
    if (found && version !== null && found.version === version) {
      this.committed.delete(key);
      if (this.committed.size >= 2000) this.committed.delete(this.committed.keys().next().value as string);
      this.committed.set(key, { version, meeting: found.meeting });
    }
    return found?.meeting;
  }

  /** Meetings as committed at a version, for `current` (tenant and id in the key). */
  private readonly committed = new Map<string, { version: number; meeting: Meeting }>();

  /**
   * A meeting to change: with its version and a snapshot of its participants. On PostgreSQL the meeting
   * row stays locked until the transaction ends, so writers of one meeting queue instead of racing (the
   * version check in `save` stays as the safety net; SQLite runs one writer at a time anyway).
   */
  async load(tenantKey: string, id: string, db: Kysely<Database> = this.db): Promise<LoadedMeeting | undefined> {
    const found = await this.read(tenantKey, id, db, this.dialect === 'postgres');
    if (!found) return undefined;
    const { meeting } = found;
    return { ...found, snapshot: found.snapshot ?? new Map(meeting.participants.map((p) => [p.key, JSON.stringify(participantRow(meeting, p))])) };
  }

  /**
   * The meeting as a committed transaction left it (`version` = the version it was saved at): the next
   * read of that version takes its participants from here instead of the store. Call only after the
   * commit: a change rolled back must not be remembered.
   */
  remember(meeting: Meeting, version: number, snapshot: Map<string, string>): void {
    this.cacheParticipants(meeting.id, { version, participants: meeting.participants.map((p) => ({ ...p })), snapshot });
  }

  private cacheParticipants(id: string, entry: CachedParticipants): void {
    this.participantsAt.delete(id);
    if (this.participantsAt.size >= 1000) this.participantsAt.delete(this.participantsAt.keys().next().value as string);
    this.participantsAt.set(id, entry);
  }

  /**
   * Every save bumps the meeting's version, so a participant list read at a version stays right while the
   * version does: reads re-use it and fetch one row instead of one per participant.
   */
  private readonly participantsAt = new Map<string, CachedParticipants>();

  private async read(tenantKey: string, id: string, db: Kysely<Database>, lock = false): Promise<{ meeting: Meeting; version: number; snapshot?: Map<string, string> } | undefined> {
    let q = db.selectFrom('meetings').selectAll().where('tenant_key', '=', tenantKey).where('id', '=', id);
    if (lock) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return undefined;
    const cached = this.participantsAt.get(id);
    if (cached && cached.version === row.version) {
      return { meeting: toMeeting(row, cached.participants.map((p) => ({ ...p }))), version: row.version, ...(cached.snapshot ? { snapshot: new Map(cached.snapshot) } : {}) };
    }
    const rows = await db.selectFrom('meeting_participants').selectAll().where('meeting_id', '=', id).orderBy('seq').execute();
    const participants = rows.map(toParticipant);
    this.cacheParticipants(id, { version: row.version, participants: participants.map((p) => ({ ...p })) });
    return { meeting: toMeeting(row, participants), version: row.version };
  }

  /** The live (not ended) meeting holding a meeting number, in any tenant (external users join by number). */
  async liveByNo(meetingNo: string, db: Kysely<Database> = this.db): Promise<{ id: string; tenantKey: string; reserveId: string | null } | undefined> {
    const row = await db.selectFrom('meetings').select(['id', 'tenant_key', 'reserve_id']).where('live_no', '=', meetingNo).executeTakeFirst();
    return row && { id: row.id, tenantKey: row.tenant_key, reserveId: row.reserve_id };
  }

  async liveByReserve(tenantKey: string, reserveId: string, db: Kysely<Database> = this.db): Promise<string | undefined> {
    const row = await db
      .selectFrom('meetings')
      .select('id')
      .where('tenant_key', '=', tenantKey)
      .where('reserve_id', '=', reserveId)
      .where('live_no', 'is not', null)
      .executeTakeFirst();
    return row?.id;
  }

  /** Inserts a new meeting; a live meeting on the same number makes the insert fail (unique live_no). */
  async insert(m: Meeting, db: Kysely<Database> = this.db): Promise<LoadedMeeting> {
    await db.insertInto('meetings').values(meetingRow(m, 1)).execute();
    const rows = m.participants.map((p) => participantRow(m, p));
    for (let i = 0; i < rows.length; i += PARTICIPANT_BATCH) await db.insertInto('meeting_participants').values(rows.slice(i, i + PARTICIPANT_BATCH)).execute();
    return { meeting: m, version: 1, snapshot: new Map(rows.map((row) => [row.key, JSON.stringify(row)])) };
  }

  /**
   * Stores many meetings at once, a few statements per thousand: for loading a history in bulk (the
   * report benchmark). Rows per statement stay below SQLite's limit of bound parameters.
   */
  async insertMany(meetings: readonly Meeting[], db: Kysely<Database> = this.db): Promise<void> {
    for (let i = 0; i < meetings.length; i += 1000) {
      const batch = meetings.slice(i, i + 1000);
      await db.insertInto('meetings').values(batch.map((m) => meetingRow(m, 1))).execute();
      const participants = batch.flatMap((m) => m.participants.map((p) => participantRow(m, p)));
      for (let j = 0; j < participants.length; j += 1500) await db.insertInto('meeting_participants').values(participants.slice(j, j + 1500)).execute();
    }
  }

  /** Saves the meeting if nobody else saved it since it was loaded, writing only changed participants. */
  /** Returns the participants' serialised rows as saved (for `remember`). */
  async save(loaded: LoadedMeeting, db: Kysely<Database>): Promise<Map<string, string>> {
    const m = loaded.meeting;
    const res = await db
      .updateTable('meetings')
      .set(meetingRow(m, loaded.version + 1))
      .where('id', '=', m.id)
      .where('version', '=', loaded.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConcurrentUpdate(`meeting ${m.id} changed concurrently`);
    const keys = new Set<string>();
    const saved = new Map<string, string>();
    const changed: MeetingParticipantTable[] = [];
    for (const p of m.participants) {
      keys.add(p.key);
      const row = participantRow(m, p);
      const serialised = JSON.stringify(row);
      saved.set(p.key, serialised);
      if (loaded.snapshot.get(p.key) !== serialised) changed.push(row);
    }
    // New and changed participants in one statement (a group commit changes several at once).
    for (let i = 0; i < changed.length; i += PARTICIPANT_BATCH) {
      await db
        .insertInto('meeting_participants')
        .values(changed.slice(i, i + PARTICIPANT_BATCH))
        .onConflict((oc) => oc.columns(['meeting_id', 'key']).doUpdateSet(PARTICIPANT_UPDATE))
        .execute();
    }
    const gone = [...loaded.snapshot.keys()].filter((key) => !keys.has(key));
    if (gone.length > 0) await db.deleteFrom('meeting_participants').where('meeting_id', '=', m.id).where('key', 'in', gone).execute();
    return saved;
  }

  /** Tenants that have meetings. */
  async tenantKeys(): Promise<string[]> {
    const rows = await this.db.selectFrom('meetings').select('tenant_key').distinct().execute();
    return rows.map((r) => r.tenant_key);
  }

  /** How many of a tenant's meetings started and have ended. */
  async countEnded(tenantKey: string, db: Kysely<Database> = this.db): Promise<number> {
    const row = await this.endedOf(db, tenantKey)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A tenant's meetings that started and have ended, with their participants, in start order after a cursor. */
  async endedPage(tenantKey: string, after: { startedAt: number; id: string } | undefined, limit: number, db: Kysely<Database> = this.db): Promise<Meeting[]> {
    let q = this.endedOf(db, tenantKey).selectAll();
    // The plain lower bound lets the index start at the cursor; the OR alone would scan from the first meeting.
    if (after) q = q.where('started_at', '>=', after.startedAt).where((eb) => eb.or([eb('started_at', '>', after.startedAt), eb('id', '>', after.id)]));
    const rows = await q.orderBy('started_at').orderBy('id').limit(limit).execute();
    if (rows.length === 0) return [];
    const participants = new Map<string, Participant[]>();
    const prows = await db
      .selectFrom('meeting_participants')
      .selectAll()
      .where('meeting_id', 'in', rows.map((r) => r.id))
      .orderBy('meeting_id')
      .orderBy('seq')
      .execute();
    for (const p of prows) {
      const list = participants.get(p.meeting_id);
      if (list) list.push(toParticipant(p));
      else participants.set(p.meeting_id, [toParticipant(p)]);
    }
    return rows.map((r) => toMeeting(r, participants.get(r.id) ?? []));
  }

  private endedOf(db: Kysely<Database>, tenantKey: string) {
    return db.selectFrom('meetings').where('tenant_key', '=', tenantKey).where('status', '=', MEETING_STATUS.ended).where('started_at', 'is not', null);
  }

  /** Meetings matching a filter, oldest first, after a keyset cursor. */
  async summaries(tenantKey: string, f: MeetingFilter, after: { t: number; id: string } | undefined, limit: number): Promise<MeetingSummary[]> {
    let q = this.matching(tenantKey, f).select(['id', 'topic', 'meeting_no', 'password', 'created_at', 'status', 'started_at', 'ended_at', 'accumulated', 'owner_user_id']);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after.t), eb.and([eb('created_at', '=', after.t), eb('id', '>', after.id)])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }

  /** How many meetings match a filter. */
  async countMatching(tenantKey: string, f: MeetingFilter): Promise<number> {
    const row = await this.matching(tenantKey, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private matching(tenantKey: string, f: MeetingFilter) {
    const tookPart = (keys: string[]) => (eb: ExpressionBuilder<Database, 'meetings'>) =>
      eb.exists(eb.selectFrom('meeting_participants as p').select('p.key').whereRef('p.meeting_id', '=', 'meetings.id').where('p.key', 'in', keys).where('p.first_join_at', 'is not', null));
    let q = this.db
      .selectFrom('meetings')
      .where('tenant_key', '=', tenantKey)
      .where('created_at', '>=', f.from)
      .where('created_at', '<=', f.to);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.text) {
      const like = containsLike(f.text.toLowerCase());
      q = q.where((eb) => eb.or([eb('meeting_no', '=', f.text!), sql<SqlBool>`lower(${eb.ref('topic')}) like ${like} escape '\\'`]));
    }
    if (f.ownerUserIds) q = q.where('owner_user_id', 'in', f.ownerUserIds.length > 0 ? f.ownerUserIds : ['']);
    if (f.participantKeys) q = q.where(tookPart(f.participantKeys.length > 0 ? f.participantKeys : ['']));
    if (f.roomKeys) q = q.where(tookPart(f.roomKeys.length > 0 ? f.roomKeys : ['']));
    if (f.visibleTo !== undefined) {
      const user = f.visibleTo;
      q = q.where((eb) => eb.or([eb('owner_user_id', '=', user), tookPart([`u:${user}`])(eb)]));
    }
    return q;
  }

  /** Meetings of a number created in a window, oldest first, after a keyset cursor. */
  async listByNo(tenantKey: string, meetingNo: string, from: number, to: number, after: { t: number; id: string } | undefined, limit: number): Promise<MeetingBrief[]> {
    let q = this.db
      .selectFrom('meetings')
      .select(['id', 'topic', 'meeting_no', 'password', 'created_at'])
      .where('tenant_key', '=', tenantKey)
      .where('meeting_no', '=', meetingNo)
      .where('created_at', '>=', from)
      .where('created_at', '<=', to);
    if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after.t), eb.and([eb('created_at', '=', after.t), eb('id', '>', after.id)])]));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  }
}
