import type { Kysely, Selectable } from 'kysely';
import type { Database, EventDeliveryTable } from '../schema.js';
import { wants } from '../../events/subscriptions.js';

export type DeliveryRow = Selectable<EventDeliveryTable>;

export type DeliveryOutcome = { delivered: true } | { retryAt: number } | { failed: true };

export interface AttemptRecord {
  at: number;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** Deliveries: one per (outbox event, subscribed app), written with the event, and their attempts. */
export class DeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Creates the deliveries for freshly written outbox events, in the same transaction: every app of the
   * event's tenant with a request URL that subscribed to the type and holds a scope for it.
   */
  async fanOut(events: { seq: number; event_id: string; event_type: string; tenant_key: string; created_at: number }[], db: Kysely<Database>): Promise<void> {
    if (events.length === 0) return;
    const tenants = [...new Set(events.map((e) => e.tenant_key))];
    const apps = await db
      .selectFrom('app_event_settings as s')
      .innerJoin('apps as a', 'a.app_id', 's.app_id')
      .select(['a.app_id', 'a.tenant_key', 'a.scopes', 's.event_types'])
      .where('a.tenant_key', 'in', tenants)
      .where('s.request_url', 'is not', null)
      .execute();
    const receivers = apps.map((a) => ({ appId: a.app_id, tenantKey: a.tenant_key, scopes: JSON.parse(a.scopes) as string[], eventTypes: JSON.parse(a.event_types) as string[] }));
    const rows = events.flatMap((e) =>
      receivers
        .filter((r) => r.tenantKey === e.tenant_key && wants(r, e.event_type))
        .map((r) => ({
          id: `${e.event_id}:${r.appId}`,
          outbox_seq: e.seq,
          event_id: e.event_id,
          event_type: e.event_type,
          app_id: r.appId,
          tenant_key: e.tenant_key,
          status: 'pending',
          attempts: 0,
          next_attempt_at: e.created_at,
          locked_until: null,
          last_status: null,
          last_error: null,
          created_at: e.created_at,
          delivered_at: null,
        })),
    );
    for (let i = 0; i < rows.length; i += 200) await db.insertInto('event_deliveries').values(rows.slice(i, i + 200)).execute();
  }

  /**
   * Takes due deliveries for this process for `leaseMs`. A conditional update claims each one, so
   * several dispatchers on one database never send the same delivery at once; one that dies leaves
   * its claims to expire and be taken again (at least once, same event_id).
   */
  async claimDue(now: number, limit: number, leaseMs: number, skipApps: string[] = []): Promise<DeliveryRow[]> {
    let q = this.db
      .selectFrom('event_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
    if (skipApps.length > 0) q = q.where('app_id', 'not in', skipApps);
    const due = await q.orderBy('outbox_seq').limit(limit).execute();
    const claimed: DeliveryRow[] = [];
    for (const d of due) {
      const res = await this.db
        .updateTable('event_deliveries')
        .set({ locked_until: now + leaseMs })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', d.attempts)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) claimed.push({ ...d, locked_until: now + leaseMs });
    }
    return claimed;
  }

  /** Logs attempts and moves their deliveries on (delivered, due again at `retryAt`, or failed), in one transaction. */
  async record(results: { d: DeliveryRow; a: AttemptRecord; outcome: DeliveryOutcome }[]): Promise<void> {
    if (results.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const { d, a, outcome } of results) {
        const attempt = d.attempts + 1;
        await trx
          .insertInto('delivery_attempts')
          .values({ delivery_id: d.id, attempt, at: a.at, status_code: a.status, latency_ms: Math.round(a.latencyMs), error: a.error ?? null })
          .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
          .execute();
        await trx
          .updateTable('event_deliveries')
          .set({
            attempts: attempt,
            locked_until: null,
            last_status: a.status,
            last_error: a.error ?? null,
            ...('delivered' in outcome ? { status: 'delivered', delivered_at: a.at } : 'failed' in outcome ? { status: 'failed' } : { next_attempt_at: outcome.retryAt }),
          })
          .where('id', '=', d.id)
          .where('attempts', '=', d.attempts)
          .execute();
      }
    });
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('event_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async forApp(appId: string, limit = 100): Promise<DeliveryRow[]> {
    return this.db.selectFrom('event_deliveries').selectAll().where('app_id', '=', appId).orderBy('outbox_seq').limit(limit).execute();
  }

  async attempts(deliveryId: string) {
    return this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
  }
}
