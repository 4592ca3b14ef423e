import { sql, type Kysely } from 'kysely';
import type { Database, DepartmentTable, RoomLevelTable, UserTable } from '../schema.js';
import type { RoomRecord } from './room.repository.js';

/** A quality sample as the client sent it (JSON), with its minute (unix s). */
export interface SampleRow {
  minute: number;
  sample: string;
}

export interface LiveMeetingRow {
  id: string;
  meeting_no: string;
  topic: string;
  owner_user_id: string;
  host_key: string | null;
  started_at: number | null;
  recording: number;
  version: number;
}

export interface LiveParticipantRow {
  meeting_id: string;
  key: string;
  user_id: string | null;
  name: string | null;
  user_type: number;
  joined_at: number | null;
  session_id: string | null;
  device: string | null;
}

/**
 * The admin console's reads (docs/decisions.md "Admin console"): live meetings with who is in them and
 * their latest samples, and the directory listings; the dashboard reads its rollups
 * (console-rollup.repository.ts). Its writes go through the domain services the Open API uses. Every
 * read is tenant-scoped.
 */
export class ConsoleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Meetings in progress, oldest first. */
  async liveMeetings(tenantKey: string, limit: number): Promise<LiveMeetingRow[]> {
    return this.db
      .selectFrom('meetings')
      .select(['id', 'meeting_no', 'topic', 'owner_user_id', 'host_key', 'started_at', 'recording', 'version'])
      .where('tenant_key', '=', tenantKey)
      .where('status', '=', 2)
      .orderBy('started_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Who is in the meetings now, with the device of their open session. */
  async liveParticipants(tenantKey: string, meetingIds: readonly string[]): Promise<LiveParticipantRow[]> {
    if (meetingIds.length === 0) return [];
    return this.db
      .selectFrom('meeting_participants as p')
      .leftJoin('participant_sessions as s', (j) => j.onRef('s.id', '=', 'p.session_id'))
      .leftJoin('users as u', (j) => j.onRef('u.tenant_key', '=', 'p.tenant_key').onRef('u.user_id', '=', 'p.user_id'))
      .select(['p.meeting_id', 'p.key', 'p.user_id', sql<string | null>`coalesce(u.name, p.name)`.as('name'), 'p.user_type', 'p.joined_at', 'p.session_id', 's.device'])
      .where('p.tenant_key', '=', tenantKey)
      .where('p.meeting_id', 'in', meetingIds)
      .where('p.status', '=', 2)
      .orderBy('p.meeting_id')
      .orderBy('p.joined_at')
      .execute();
  }

  /** The latest sample of each session since `since` (unix s). */
  async latestSamples(tenantKey: string, sessionIds: readonly string[], since: number): Promise<Map<string, SampleRow>> {
    const out = new Map<string, SampleRow>();
    if (sessionIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('quality_samples')
      .select(['session_id', 'minute', 'sample'])
      .where('tenant_key', '=', tenantKey)
      .where('session_id', 'in', sessionIds)
      .where('minute', '>=', since)
      .orderBy('minute')
      .execute();
    for (const r of rows) out.set(r.session_id, { minute: r.minute, sample: r.sample });
    return out;
  }

  /** The tenant's room levels (tree order) and rooms (by level and name), at most `limit` of each. */
  async roomTree(tenantKey: string, limit: number): Promise<{ levels: Pick<RoomLevelTable, 'room_level_id' | 'name' | 'parent_id' | 'depth'>[]; rooms: RoomRecord[] }> {
    const levels = await this.db
      .selectFrom('room_levels')
      .select(['room_level_id', 'name', 'parent_id', 'depth'])
      .where('tenant_key', '=', tenantKey)
      .orderBy('tree_path')
      .limit(limit)
      .execute();
    const rooms = await this.db
      .selectFrom('rooms as r')
      .innerJoin('room_levels as l', (j) => j.onRef('l.tenant_key', '=', 'r.tenant_key').onRef('l.room_level_id', '=', 'r.room_level_id'))
      .selectAll('r')
      .select('l.tree_path as level_path')
      .where('r.tenant_key', '=', tenantKey)
      .orderBy('l.tree_path')
      .orderBy('r.name_key')
      .limit(limit)
      .execute();
    return { levels, rooms: rooms as RoomRecord[] };
  }

  /** The tenant's users by user_id after `after`, with their department ids, at most `limit`. */
  async users(tenantKey: string, after: string, limit: number): Promise<(Pick<UserTable, 'user_id' | 'name' | 'email' | 'status'> & { is_admin: number; department_ids: string[] })[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['user_id', 'name', 'email', 'status', 'is_admin'])
      .where('tenant_key', '=', tenantKey)
      .where('user_id', '>', after)
      .orderBy('user_id')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const depts = await this.db
      .selectFrom('user_departments')
      .select(['user_id', 'department_id'])
      .where('tenant_key', '=', tenantKey)
      .where(
        'user_id',
        'in',
        rows.map((r) => r.user_id),
      )
      .orderBy('position')
      .execute();
    return rows.map((r) => ({ ...r, is_admin: Number(r.is_admin), department_ids: depts.filter((d) => d.user_id === r.user_id && d.department_id !== '0').map((d) => d.department_id) }));
  }

  async departments(tenantKey: string): Promise<Pick<DepartmentTable, 'department_id' | 'name' | 'parent_department_id'>[]> {
    return this.db.selectFrom('departments').select(['department_id', 'name', 'parent_department_id']).where('tenant_key', '=', tenantKey).orderBy('department_id').limit(2000).execute();
  }

  async tenantName(tenantKey: string): Promise<string | undefined> {
    return (await this.db.selectFrom('tenants').select('name').where('tenant_key', '=', tenantKey).executeTakeFirst())?.name;
  }

  /** The tenant's apps with their event settings. */
  async apps(tenantKey: string): Promise<{ app_id: string; name: string; scopes: string; redirect_uris: string; request_url: string | null; event_types: string | null }[]> {
    return this.db
      .selectFrom('apps as a')
      .leftJoin('app_event_settings as e', 'e.app_id', 'a.app_id')
      .select(['a.app_id', 'a.name', 'a.scopes', 'a.redirect_uris', 'e.request_url', 'e.event_types'])
      .where('a.tenant_key', '=', tenantKey)
      .orderBy('a.app_id')
      .limit(500)
      .execute();
  }

  /** Claims a form's request id; false when it was claimed before (by any process). */
  async claimRequest(tenantKey: string, requestId: string, now: number): Promise<boolean> {
    const r = await this.db.insertInto('console_requests').values({ tenant_key: tenantKey, request_id: requestId, result: null, created_at: now }).onConflict((oc) => oc.columns(['tenant_key', 'request_id']).doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async requestResult(tenantKey: string, requestId: string): Promise<string | null | undefined> {
    const r = await this.db.selectFrom('console_requests').select('result').where('tenant_key', '=', tenantKey).where('request_id', '=', requestId).executeTakeFirst();
    return r ? r.result : undefined;
  }

  async finishRequest(tenantKey: string, requestId: string, result: string): Promise<void> {
    await this.db.updateTable('console_requests').set({ result }).where('tenant_key', '=', tenantKey).where('request_id', '=', requestId).execute();
  }

  /** Forgets a claim whose action failed, so that the form may be sent again. */
  async dropRequest(tenantKey: string, requestId: string): Promise<void> {
    await this.db.deleteFrom('console_requests').where('tenant_key', '=', tenantKey).where('request_id', '=', requestId).execute();
  }

  /** Forgets the forms sent before `before` (ms): a double submit comes within seconds, not days. */
  async pruneRequests(before: number): Promise<number> {
    const r = await this.db.deleteFrom('console_requests').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0);
  }

  /** The change stamp of the tenant's live meetings: any join, leave, host or recording change moves it. */
  async liveStamp(tenantKey: string): Promise<string> {
    const r = await this.db
      .selectFrom('meetings')
      .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(version), 0)`.as('v')])
      .where('tenant_key', '=', tenantKey)
      .where('status', '=', 2)
      .executeTakeFirstOrThrow();
    return `${Number(r.n)}.${Number(r.v)}`;
  }
}
