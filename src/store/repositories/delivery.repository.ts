import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, EventDeliveryTable } from '../schema.js';
import { wants } from '../../contract/events.js';
import type { AppRepository, EventReceiver } from './app.repository.js';

/** Names the advisory lock that serialises claims on PostgreSQL (any constant unique to this use). */
const CLAIM_LOCK = 7_260_401;

export type DeliveryRow = Selectable<EventDeliveryTable>;

export type DeliveryOutcome = { delivered: true } | { retryAt: number } | { failed: true };

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryFilter {
  appId?: string;
  tenantKey?: string;
  status?: DeliveryStatus;
  eventType?: string;
  eventId?: string;
  /** created at or after (ms) */
  since?: number;
}

export interface DeliveryCursor {
  seq: number;
  appId: string;
}

/** The filter as one condition, usable in selects and updates alike. */
const matching =
  (f: DeliveryFilter) =>
  (eb: ExpressionBuilder<Database, 'event_deliveries'>): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [];
    if (f.appId) all.push(eb('app_id', '=', f.appId));
    if (f.tenantKey) all.push(eb('tenant_key', '=', f.tenantKey));
    if (f.status) all.push(eb('status', '=', f.status));
    if (f.eventType) all.push(eb('event_type', '=', f.eventType));
    if (f.eventId) all.push(eb('event_id', '=', f.eventId));
    if (f.since !== undefined) all.push(eb('created_at', '>=', f.since));
    return eb.and(all);
  };

export interface AttemptRecord {
  at: number;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** Deliveries: one per (outbox event, subscribed app), written with the event, and their attempts. */
export class DeliveryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly apps: AppRepository,
  ) {}

  /**
   * Creates the deliveries for freshly written outbox events, in the same transaction: every app of the
   * event's tenant with a request URL that subscribed to the type and holds a scope for it.
   */
  async fanOut(events: { seq: number; event_id: string; event_type: string; tenant_key: string; created_at: number }[], db: Kysely<Database>): Promise<void> {
    if (events.length === 0) return;
    const receivers = new Map<string, EventReceiver[]>();
    for (const tenantKey of new Set(events.map((e) => e.tenant_key))) receivers.set(tenantKey, await this.apps.receiversOf(tenantKey, db));
    const rows = events.flatMap((e) =>
      receivers
        .get(e.tenant_key)!
        .filter((r) => wants(r, e.event_type))
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
          claimed_by: null,
          last_status: null,
          last_error: null,
          created_at: e.created_at,
          delivered_at: null,
        })),
    );
    for (let i = 0; i < rows.length; i += 200) await db.insertInto('event_deliveries').values(rows.slice(i, i + 200)).execute();
  }

  /**
   * Takes due deliveries for dispatcher `claimer` for `leaseMs`, in one statement, skipping every app
   * that has a live claim held by another dispatcher (its lane runs there), so an app is served by one
   * process at a time and its events leave in order; apps in `skipApps` are skipped too (lanes that hold
   * enough). The claimer's own live claims do not hold it back: it feeds new events to the lane it runs.
   * On PostgreSQL a transaction-scoped advisory lock serialises claimers, so two processes never take the
   * same delivery or the same app; SQLite serialises writers anyway. A process that dies leaves its
   * claims to expire and be taken again (at least once, same event_id).
   */
  async claimDue(now: number, limit: number, leaseMs: number, claimer: string, skipApps: string[] = []): Promise<DeliveryRow[]> {
    // Deliveries due now and not held by a live claim, outside `skipApps`.
    const dueIn = (db: Kysely<Database>) => {
      const q = db
        .selectFrom('event_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
      return skipApps.length > 0 ? q.where('app_id', 'not in', skipApps) : q;
    };
    // An idle round (the dispatcher's common case) costs one indexed read instead of a claim: on
    // PostgreSQL a transaction with the claim lock, on SQLite an UPDATE that takes the write lock. Only
    // a hint: a delivery that falls due just after it is claimed by the next round, as it would have been.
    if ((await dueIn(this.db).limit(1).executeTakeFirst()) === undefined) return [];
    const claim = async (db: Kysely<Database>) => {
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(db);
      const due = dueIn(db).where('app_id', 'not in', (eb) =>
        eb
          .selectFrom('event_deliveries as busy')
          .select('busy.app_id')
          .where('busy.status', '=', 'pending')
          .where('busy.locked_until', '>=', now)
          .where((b) => b.or([b('busy.claimed_by', 'is', null), b('busy.claimed_by', '!=', claimer)])),
      );
      return db
        .updateTable('event_deliveries')
        .set({ locked_until: now + leaseMs, claimed_by: claimer })
        .where('id', 'in', due.orderBy('outbox_seq').limit(limit))
        .returningAll()
        .execute();
    };
    const rows = this.dialect === 'postgres' ? await this.db.transaction().execute(claim) : await claim(this.db);
    return rows.sort((a, b) => Number(a.outbox_seq) - Number(b.outbox_seq));
  }

  /** Keeps a lane's claims alive while it works through them (a hanging receiver can outlast one lease). */
  async renewLease(ids: string[], until: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('event_deliveries').set({ locked_until: until }).where('id', 'in', ids).where('status', '=', 'pending').where('locked_until', 'is not', null).execute();
  }

  /**
   * Logs attempts and moves their deliveries on (delivered, due again at `retryAt`, or failed), in one
   * transaction: one insert for the attempts, and one update per group of deliveries that end up the
   * same way (in the normal case, all delivered with a 200: a single statement).
   */
  async record(results: { d: DeliveryRow; a: AttemptRecord; outcome: DeliveryOutcome }[]): Promise<void> {
    if (results.length === 0) return;
    const groups = new Map<string, { ids: string[]; attempts: number; set: Updateable<EventDeliveryTable> }>();
    for (const { d, a, outcome } of results) {
      const set: Updateable<EventDeliveryTable> = {
        attempts: d.attempts + 1,
        locked_until: null,
        last_status: a.status,
        last_error: a.error ?? null,
        // A delivered group shares the time its last attempt was made; each attempt's own time is in the log.
        ...('delivered' in outcome ? { status: 'delivered' } : 'failed' in outcome ? { status: 'failed' } : { next_attempt_at: outcome.retryAt }),
      };
      const key = JSON.stringify(set);
      const g = groups.get(key) ?? { ids: [], attempts: d.attempts, set };
      g.ids.push(d.id);
      if ('delivered' in outcome) g.set = { ...g.set, delivered_at: Math.max(a.at, Number(g.set.delivered_at ?? 0)) };
      groups.set(key, g);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('delivery_attempts')
        .values(results.map(({ d, a }) => ({ delivery_id: d.id, attempt: d.attempts + 1, at: a.at, status_code: a.status, latency_ms: Math.round(a.latencyMs), error: a.error ?? null })))
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
        .execute();
      // `attempts` guards against a claim that expired and was taken (and recorded) by another process meanwhile.
      for (const g of groups.values()) await trx.updateTable('event_deliveries').set(g.set).where('id', 'in', g.ids).where('attempts', '=', g.attempts).execute();
    });
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('event_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first; `before` is the last row of the previous page. */
  async list(filter: DeliveryFilter, limit: number, before?: DeliveryCursor): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom('event_deliveries').selectAll().where(matching(filter));
    if (before) q = q.where((eb) => eb.or([eb('outbox_seq', '<', before.seq), eb.and([eb('outbox_seq', '=', before.seq), eb('app_id', '<', before.appId)])]));
    return q.orderBy('outbox_seq', 'desc').orderBy('app_id', 'desc').limit(limit).execute();
  }

  async forApp(appId: string, limit = 100): Promise<DeliveryRow[]> {
    return this.db.selectFrom('event_deliveries').selectAll().where('app_id', '=', appId).orderBy('outbox_seq').limit(limit).execute();
  }

  /**
   * Sends deliveries again as soon as a dispatcher is free: delivered and failed ones too (the receiver
   * gets the same event_id again). A delivery in flight right now is left alone. Returns how many.
   */
  async redeliver(filter: DeliveryFilter & { ids?: string[] }, now: number): Promise<number> {
    let q = this.db.updateTable('event_deliveries').set({ status: 'pending', next_attempt_at: now, locked_until: null, delivered_at: null }).where(matching(filter));
    if (filter.ids) q = q.where('id', 'in', filter.ids.length > 0 ? filter.ids : ['']);
    q = q.where((eb) => eb.or([eb('status', '!=', 'pending'), eb('locked_until', 'is', null), eb('locked_until', '<', now)]));
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /**
   * Deletes finished deliveries (and their attempts) created before `cutoff`, then outbox events of that
   * age that no delivery needs any more; in slices, so a large backlog never holds one long transaction.
   */
  async prune(cutoff: number, slice = 5_000): Promise<{ deliveries: number; events: number }> {
    let deliveries = 0;
    for (;;) {
      const ids = (await this.db.selectFrom('event_deliveries').select('id').where('status', '!=', 'pending').where('created_at', '<', cutoff).limit(slice).execute()).map((r) => r.id);
      if (ids.length === 0) break;
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).execute();
        await trx.deleteFrom('event_deliveries').where('id', 'in', ids).execute();
      });
      deliveries += ids.length;
    }
    let events = 0;
    for (;;) {
      const seqs = (
        await this.db
          .selectFrom('outbox_events as o')
          .select('o.seq')
          .where('o.created_at', '<', cutoff)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('event_deliveries as d').select('d.id').whereRef('d.outbox_seq', '=', 'o.seq'))))
          .limit(slice)
          .execute()
      ).map((r) => r.seq);
      if (seqs.length === 0) break;
      events += Number((await this.db.deleteFrom('outbox_events').where('seq', 'in', seqs).executeTakeFirst()).numDeletedRows);
    }
    return { deliveries, events };
  }

  async attempts(deliveryId: string) {
    return this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
  }
}
