import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../database.js';
import { dayStart } from '../../domain/report/calendar.js';
import { addQuality, type MixField, type MixIncrement, type QualityIncrement } from '../../domain/report/console-rollup.js';
import { decodeHistogram, encodeHistogram, type Histogram } from '../../domain/report/quality-histogram.js';

/** One stored day of quality: `day` the unix second it begins. */
export interface QualityDayRow {
  day: number;
  samples: number;
  loss: Histogram;
  jitter: Histogram;
  bitrate: Histogram;
}

/** Rows per statement: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 2000;

const chunks = <T>(rows: readonly T[]): T[][] => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * The admin dashboard's daily rollups (src/store/migrations/0040-dashboard-rollups.ts): the device and
 * network mix, quality histograms, and the backlog of sessions older than them. Every read is tenant-scoped.
 */
export class ConsoleRollupRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /** Adds mix increments (sorted by key, as sessionMix gives them); rows that do not exist yet start from them. */
  async addMix(rows: readonly MixIncrement[], db: Kysely<Database> = this.db): Promise<void> {
    for (const part of chunks(rows)) {
      await db
        .insertInto('console_mix_days')
        .values(part.map((r) => ({ tenant_key: r.tenantKey, day: r.day, field: r.field, kind: r.kind, sessions: r.sessions })))
        .onConflict((oc) => oc.columns(['tenant_key', 'day', 'field', 'kind']).doUpdateSet((eb) => ({ sessions: eb('console_mix_days.sessions', '+', eb.ref('excluded.sessions')) })))
        .execute();
    }
  }

  /**
   * Adds quality increments (one per tenant and day, sorted, as sampleQuality gives them). Histograms do
   * not add up in SQL, so each row is read, merged and written back; on PostgreSQL the rows are created
   * first and locked in key order, so concurrent writers merge one after the other (SQLite has one writer).
   */
  async addQuality(rows: readonly QualityIncrement[], db: Kysely<Database> = this.db): Promise<void> {
    for (const part of chunks(rows)) {
      if (this.dialect === 'postgres') {
        await db
          .insertInto('console_quality_days')
          .values(part.map((r) => ({ tenant_key: r.tenantKey, day: r.day, samples: 0, loss: '[]', jitter: '[]', bitrate: '[]' })))
          .onConflict((oc) => oc.columns(['tenant_key', 'day']).doNothing())
          .execute();
      }
      let read = db
        .selectFrom('console_quality_days')
        .selectAll()
        .where((eb) => eb.or(part.map((r) => eb.and([eb('tenant_key', '=', r.tenantKey), eb('day', '=', r.day)]))))
        .orderBy('tenant_key')
        .orderBy('day');
      if (this.dialect === 'postgres') read = read.forUpdate();
      const stored = new Map((await read.execute()).map((s) => [`${s.tenant_key}\u0000${s.day}`, s]));
      const merged = part.map((r) => {
        const s = stored.get(`${r.tenantKey}\u0000${r.day}`);
        return s ? addQuality(r, { samples: Number(s.samples), loss: decodeHistogram(s.loss), jitter: decodeHistogram(s.jitter), bitrate: decodeHistogram(s.bitrate) }) : r;
      });
      await db
        .insertInto('console_quality_days')
        .values(merged.map((r) => ({ tenant_key: r.tenantKey, day: r.day, samples: r.samples, loss: encodeHistogram(r.loss), jitter: encodeHistogram(r.jitter), bitrate: encodeHistogram(r.bitrate) })))
        .onConflict((oc) =>
          oc.columns(['tenant_key', 'day']).doUpdateSet((eb) => ({
            samples: eb.ref('excluded.samples'),
            loss: eb.ref('excluded.loss'),
            jitter: eb.ref('excluded.jitter'),
            bitrate: eb.ref('excluded.bitrate'),
          })),
        )
        .execute();
    }
  }

  /** Sessions that joined on the days `fromDay`..`toDay` (inclusive day numbers) by their `field`, the `limit` most common first. */
  async mix(tenantKey: string, fromDay: number, toDay: number, field: MixField, limit: number): Promise<{ kind: string; sessions: number }[]> {
    // PostgreSQL sums bigints as numeric, which its driver returns as text.
    const sessions = sql<number>`cast(sum(sessions) as bigint)`;
    const rows = await this.db
      .selectFrom('console_mix_days')
      .select(['kind', sessions.as('sessions')])
      .where('tenant_key', '=', tenantKey)
      .where('day', '>=', dayStart(fromDay))
      .where('day', '<=', dayStart(toDay))
      .where('field', '=', field)
      .groupBy('kind')
      .orderBy('sessions', 'desc')
      .orderBy('kind')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ kind: r.kind, sessions: Number(r.sessions) }));
  }

  /** The stored days of quality from `fromDay` to `toDay` (inclusive day numbers); days without samples have no row. */
  async qualityDays(tenantKey: string, fromDay: number, toDay: number): Promise<QualityDayRow[]> {
    const rows = await this.db
      .selectFrom('console_quality_days')
      .select(['day', 'samples', 'loss', 'jitter', 'bitrate'])
      .where('tenant_key', '=', tenantKey)
      .where('day', '>=', dayStart(fromDay))
      .where('day', '<=', dayStart(toDay))
      .orderBy('day')
      .execute();
    return rows.map((r) => ({ day: Number(r.day), samples: Number(r.samples), loss: decodeHistogram(r.loss), jitter: decodeHistogram(r.jitter), bitrate: decodeHistogram(r.bitrate) }));
  }

  /**
   * Takes up to `limit` sessions off the backlog, in the caller's transaction, and returns them: the rows
   * are gone once it commits, and a concurrent taker (PostgreSQL) gets others, so no session is rolled up twice.
   */
  async takeBacklog(limit: number, db: Kysely<Database> = this.db): Promise<{ sessionId: string; quality: boolean }[]> {
    const rows = await db
      .deleteFrom('console_rollup_backlog')
      .where('session_id', 'in', (eb) => {
        const batch = eb.selectFrom('console_rollup_backlog').select('session_id').orderBy('session_id').limit(limit);
        // PostgreSQL: another taker skips the rows this one holds instead of waiting for them.
        return this.dialect === 'postgres' ? batch.forUpdate().skipLocked() : batch;
      })
      .returning(['session_id', 'quality'])
      .execute();
    return rows.map((r) => ({ sessionId: r.session_id, quality: Number(r.quality) === 1 }));
  }

  /**
   * Forgets a tenant's rollups, and its sessions still in the backfill's backlog, in the caller's
   * transaction: what a rebuild does before it rolls every session of the tenant up again.
   */
  async clear(tenantKey: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('console_mix_days').where('tenant_key', '=', tenantKey).execute();
    await db.deleteFrom('console_quality_days').where('tenant_key', '=', tenantKey).execute();
    await db
      .deleteFrom('console_rollup_backlog')
      .where('session_id', 'in', (eb) => eb.selectFrom('participant_sessions').select('id').where('tenant_key', '=', tenantKey))
      .execute();
  }

  /** Tenants that have rollups. */
  async tenantKeys(): Promise<string[]> {
    const rows = await this.db.selectFrom('console_mix_days').select('tenant_key').union(this.db.selectFrom('console_quality_days').select('tenant_key')).execute();
    return rows.map((r) => r.tenant_key);
  }

  /** Sessions still to be rolled up by the backfill. */
  async backlogSize(): Promise<number> {
    const r = await this.db.selectFrom('console_rollup_backlog').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
