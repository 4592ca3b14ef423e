import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { MEETING_STATUS, PARTICIPANT_STATUS } from '../../domain/meeting/meeting.js';

export interface QualityReading {
  bitrateKbps?: number;
  packetLoss?: number;
  jitterMs?: number;
  rttMs?: number;
}

/** The reads behind `/metrics`: small aggregate queries run once per scrape, over indexed columns. */
export class MetricsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Deliveries waiting to be sent (pending) and the creation time of the oldest. */
  async deliveryBacklog(): Promise<{ pending: number; oldestCreatedAt: number | null }> {
    const r = await this.db
      .selectFrom('event_deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return { pending: Number(r?.n ?? 0), oldestCreatedAt: r?.oldest === null || r?.oldest === undefined ? null : Number(r.oldest) };
  }

  /** Deliveries that gave up (failed) in all. */
  async failedDeliveries(): Promise<number> {
    const r = await this.db.selectFrom('event_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'failed').executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Jobs not finished, by kind and status (pending, running). */
  async openJobs(): Promise<{ kind: string; status: string; n: number; oldestRunAt: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['kind', 'status', eb.fn.countAll<number>().as('n'), eb.fn.min('run_at').as('oldest')])
      .where('status', 'in', ['pending', 'running'])
      .groupBy(['kind', 'status'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, status: r.status, n: Number(r.n), oldestRunAt: Number(r.oldest) }));
  }

  /** Meetings in progress and the participants in them (every tenant: an operator's view). */
  async liveMeetings(): Promise<{ meetings: number; participants: number }> {
    const m = await this.db.selectFrom('meetings').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', MEETING_STATUS.inProgress).executeTakeFirst();
    const p = await this.db
      .selectFrom('meeting_participants as p')
      .innerJoin('meetings as m', 'm.id', 'p.meeting_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('m.status', '=', MEETING_STATUS.inProgress)
      .where('p.status', '=', PARTICIPANT_STATUS.inMeeting)
      .executeTakeFirst();
    return { meetings: Number(m?.n ?? 0), participants: Number(p?.n ?? 0) };
  }

  /** The quality samples clients sent for minutes since `sinceS` (unix seconds), at most `limit`. */
  async recentQuality(sinceS: number, limit = 5000): Promise<QualityReading[]> {
    const rows = await this.db.selectFrom('quality_samples').select('sample').where('minute', '>=', sinceS).limit(limit).execute();
    const out: QualityReading[] = [];
    for (const r of rows) {
      try {
        const s = JSON.parse(r.sample) as Record<string, unknown>;
        const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
        const reading: QualityReading = {};
        const b = num(s.bitrate_kbps);
        const l = num(s.packet_loss);
        const j = num(s.jitter_ms);
        const t = num(s.rtt_ms);
        if (b !== undefined) reading.bitrateKbps = b;
        if (l !== undefined) reading.packetLoss = l;
        if (j !== undefined) reading.jitterMs = j;
        if (t !== undefined) reading.rttMs = t;
        out.push(reading);
      } catch {
        // A sample that does not parse counts for nothing.
      }
    }
    return out;
  }

  /** The store answers (for the scrape's own health). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}
