import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../database.js';
import { USER_TYPE } from '../../domain/meeting/meeting.js';
import { dayStart, type SpanRun } from '../../domain/report/calendar.js';
import { ORDER_BY, type OrderBy } from '../../domain/report/report.js';
import type { DayTotals, RankedUserType, Rollup } from '../../domain/report/usage.js';

export interface TopUserRow {
  userType: RankedUserType;
  userId: string;
  /** the directory's name for users, the recorded one for rooms; '' when neither is known */
  name: string;
  meetingCount: number;
  durationS: number;
}

/** Rows per statement: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 2000;

const unionAll = <Q extends { unionAll(other: Q): Q }>(queries: Q[]): Q => queries.reduce((all, q) => all.unionAll(q));

const chunks = <T>(rows: readonly T[]): T[][] => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

/** The report rollups (src/store/migrations/0010-report-rollups.ts). Every read is tenant-scoped. */
export class ReportRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /** Adds a rollup's increments; rows that do not exist yet start from them. */
  async add(r: Rollup, db: Kysely<Database> = this.db): Promise<void> {
    for (const rows of chunks(r.days)) {
      await db
        .insertInto('report_days')
        .values(rows.map((d) => ({ tenant_key: d.tenantKey, day: d.day, meeting_count: d.meetingCount, meeting_duration_s: d.durationS, participant_count: d.participantCount })))
        .onConflict((oc) =>
          oc.columns(['tenant_key', 'day']).doUpdateSet((eb) => ({
            meeting_count: eb('report_days.meeting_count', '+', eb.ref('excluded.meeting_count')),
            meeting_duration_s: eb('report_days.meeting_duration_s', '+', eb.ref('excluded.meeting_duration_s')),
            participant_count: eb('report_days.participant_count', '+', eb.ref('excluded.participant_count')),
          })),
        )
        .execute();
    }
    for (const rows of chunks(r.userSpans)) {
      await db
        .insertInto('report_user_spans')
        .values(
          rows.map((u) => ({
            tenant_key: u.tenantKey,
            span_days: u.spanDays,
            first_day: u.firstDay,
            user_type: u.userType,
            user_id: u.userId,
            name: u.name,
            meeting_count: u.meetingCount,
            duration_s: u.durationS,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenant_key', 'span_days', 'first_day', 'user_type', 'user_id']).doUpdateSet((eb) => ({
            name: eb.fn.coalesce('excluded.name', 'report_user_spans.name'),
            meeting_count: eb('report_user_spans.meeting_count', '+', eb.ref('excluded.meeting_count')),
            duration_s: eb('report_user_spans.duration_s', '+', eb.ref('excluded.duration_s')),
          })),
        )
        .execute();
    }
  }

  /** Forgets a tenant's rollups (before they are rebuilt from its meetings). */
  async clear(tenantKey: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('report_days').where('tenant_key', '=', tenantKey).execute();
    await db.deleteFrom('report_user_spans').where('tenant_key', '=', tenantKey).execute();
  }

  /** Tenants that have rollups. */
  async tenantKeys(): Promise<string[]> {
    const rows = await this.db.selectFrom('report_days').select('tenant_key').distinct().execute();
    return rows.map((r) => r.tenant_key);
  }

  /** The stored days from `fromDay` to `toDay` (inclusive day numbers); days without meetings have no row. */
  async days(tenantKey: string, fromDay: number, toDay: number): Promise<Omit<DayTotals, 'tenantKey'>[]> {
    const rows = await this.db
      .selectFrom('report_days')
      .select(['day', 'meeting_count', 'meeting_duration_s', 'participant_count'])
      .where('tenant_key', '=', tenantKey)
      .where('day', '>=', dayStart(fromDay))
      .where('day', '<=', dayStart(toDay))
      .orderBy('day')
      .execute();
    return rows.map((r) => ({ day: r.day, meetingCount: r.meeting_count, durationS: r.meeting_duration_s, participantCount: r.participant_count }));
  }

  /**
   * The `limit` users with the most meetings or time over the spans `runs` cover, best first; ties go
   * to the other measure, then to the lower user type and user ID.
   */
  async topUsers(tenantKey: string, runs: readonly SpanRun[], orderBy: OrderBy, limit: number): Promise<TopUserRow[]> {
    if (runs.length === 0) return [];
    // PostgreSQL sums bigints as numeric, which its driver returns as text.
    const meetingCount = sql<number>`cast(sum(s.meeting_count) as bigint)`;
    const durationS = sql<number>`cast(sum(s.duration_s) as bigint)`;
    const [first, second] = orderBy === ORDER_BY.meetingCount ? (['meeting_count', 'duration_s'] as const) : (['duration_s', 'meeting_count'] as const);
    const ranking = (db: Kysely<Database>) =>
      db
        .selectFrom(unionAll(this.scans(tenantKey, runs).map((q) => q.select(['user_type', 'user_id', 'meeting_count', 'duration_s']))).as('s'))
        .select(['s.user_type', 's.user_id', meetingCount.as('meeting_count'), durationS.as('duration_s')])
        .groupBy(['s.user_type', 's.user_id'])
        .orderBy(first, 'desc')
        .orderBy(second, 'desc')
        .orderBy('s.user_type')
        .orderBy('s.user_id')
        .limit(limit)
        .execute();
    // PostgreSQL plans a parallel aggregate for a year's spans; starting the workers costs more than
    // they save on some ten thousand rows (measured: 17 ms against 7 ms alone).
    const top =
      this.dialect === 'postgres'
        ? await this.db.transaction().execute(async (trx) => {
            await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
            return ranking(trx);
          })
        : await ranking(this.db);
    const names = await this.names(tenantKey, runs, top);
    return top.map((t) => ({
      userType: t.user_type as RankedUserType,
      userId: t.user_id,
      name: names.get(`${t.user_type}:${t.user_id}`) ?? '',
      meetingCount: t.meeting_count,
      durationS: t.duration_s,
    }));
  }

  /**
   * One range scan per run of spans, to be joined with UNION ALL (SQLite does not use the key for an OR
   * of ranges). Each caller selects only the columns it needs: a column carried along unused still
   * doubles the cost of SQLite's grouping.
   */
  private scans(tenantKey: string, runs: readonly SpanRun[]) {
    return runs.map((r) =>
      this.db
        .selectFrom('report_user_spans')
        .where('tenant_key', '=', tenantKey)
        .where('span_days', '=', r.days)
        .where('first_day', '>=', dayStart(r.firstDay))
        .where('first_day', '<=', dayStart(r.lastFirstDay)),
    );
  }

  /**
   * Names of the ranked, keyed `<user_type>:<user_id>`: users' from the directory, rooms' as recorded in
   * the same spans. Read apart from the ranking, which is twice as fast without carrying names.
   */
  private async names(tenantKey: string, runs: readonly SpanRun[], top: readonly { user_type: number; user_id: string }[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const of = (type: number) => top.filter((t) => t.user_type === type).map((t) => t.user_id);
    const users = of(USER_TYPE.lark);
    if (users.length > 0) {
      const rows = await this.db.selectFrom('users').select(['user_id', 'name']).where('tenant_key', '=', tenantKey).where('user_id', 'in', users).execute();
      for (const u of rows) names.set(`${USER_TYPE.lark}:${u.user_id}`, u.name);
    }
    const rooms = of(USER_TYPE.rooms);
    if (rooms.length > 0) {
      const recorded = unionAll(this.scans(tenantKey, runs).map((q) => q.where('user_type', '=', USER_TYPE.rooms).where('user_id', 'in', rooms).select(['user_id', 'name'])));
      const rows = await this.db.selectFrom(recorded.as('s')).select((eb) => ['s.user_id', eb.fn.max('s.name').as('name')]).groupBy('s.user_id').execute();
      for (const r of rows) if (r.name !== null) names.set(`${USER_TYPE.rooms}:${r.user_id}`, r.name);
    }
    return names;
  }
}
