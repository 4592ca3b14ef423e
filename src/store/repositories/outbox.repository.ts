import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxEventTable } from '../schema.js';
import type { DeliveryRepository } from './delivery.repository.js';

export type OutboxRow = Selectable<OutboxEventTable>;

export interface NewOutboxEvent {
  eventId: string;
  tenantKey: string;
  eventType: string;
  meetingId: string | null;
  at: number;
  payload: unknown;
}

/**
 * The transactional outbox: events are written with the state change that caused them, and so are the
 * deliveries to the apps that want them.
 */
export class OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly deliveries?: DeliveryRepository,
  ) {}

  async append(events: NewOutboxEvent[], db: Kysely<Database> = this.db): Promise<void> {
    if (events.length === 0) return;
    const written = await db
      .insertInto('outbox_events')
      .values(
        events.map((e) => ({
          event_id: e.eventId,
          tenant_key: e.tenantKey,
          event_type: e.eventType,
          meeting_id: e.meetingId,
          created_at: e.at,
          payload: JSON.stringify(e.payload),
        })),
      )
      .returning(['seq', 'event_id', 'event_type', 'tenant_key', 'created_at'])
      .execute();
    await this.deliveries?.fanOut(written, db);
  }

  async bySeqs(seqs: number[]): Promise<Map<number, OutboxRow>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.db.selectFrom('outbox_events').selectAll().where('seq', 'in', seqs).execute();
    return new Map(rows.map((r) => [r.seq, r]));
  }

  /** A tenant's events in commit order, after a sequence number. */
  async list(tenantKey: string, afterSeq: number, limit: number, meetingId?: string): Promise<OutboxRow[]> {
    let q = this.db.selectFrom('outbox_events').selectAll().where('tenant_key', '=', tenantKey).where('seq', '>', afterSeq);
    if (meetingId) q = q.where('meeting_id', '=', meetingId);
    return q.orderBy('seq').limit(limit).execute();
  }
}
