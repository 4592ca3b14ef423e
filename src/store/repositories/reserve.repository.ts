import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, ReserveTable } from '../schema.js';

export type ReserveRow = Selectable<ReserveTable>;
export type NewReserve = Omit<ReserveRow, 'tenant_key' | 'meeting_no' | 'live_meeting_no' | 'created_at' | 'updated_at'>;
export type ReserveChanges = Partial<Pick<ReserveRow, 'password' | 'end_time' | 'settings'>>;

/** How often a transaction that lost a race for a meeting number (or an id) is run again. */
const ATTEMPTS = 5;
/** Draws before giving up on finding a free number (each draw hits a live one with p = live / 9e8). */
const DRAWS = 20;

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The reserves table. Reads and writes of reserves go through `forTenant`, which scopes every query by
 * tenant_key; meeting numbers are the exception, being one namespace across tenants (people type them
 * to join), so the number queries look at every tenant's live reserves.
 */
export class ReserveRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  forTenant(tenantKey: string, db: Kysely<Database> = this.db): TenantReserves {
    return new TenantReserves(db, this.dialect, tenantKey);
  }

  /** The reserve that holds a meeting number now (any tenant: numbers are typed to join). */
  async liveByNo(meetingNo: string, now: number): Promise<ReserveRow | undefined> {
    return this.db.selectFrom('reserves').selectAll().where('live_meeting_no', '=', meetingNo).where('end_time', '>', now).executeTakeFirst();
  }

  /**
   * Runs `fn` in one transaction, again when it lost a race for a unique value: on PostgreSQL two
   * renewals can both see a number free and only one update wins, and two new ids can collide.
   * (SQLite runs writers one at a time.)
   */
  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(fn);
      } catch (e) {
        if (attempt >= ATTEMPTS || !isUniqueViolation(e)) throw e;
      }
    }
  }
}

export class TenantReserves {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    readonly tenantKey: string,
  ) {}

  /** `lock` holds the row until the transaction ends (PostgreSQL; SQLite transactions already exclude each other). */
  async find(id: string, lock = false): Promise<ReserveRow | undefined> {
    let q = this.db.selectFrom('reserves').selectAll().where('tenant_key', '=', this.tenantKey).where('id', '=', id);
    if (lock && this.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /**
   * Inserts a live reserve holding a number no other live reserve holds: a drawn number that is taken
   * is drawn again, unless its holder is overdue and gives it up.
   */
  async insert(r: NewReserve, draw: () => string, now: number): Promise<ReserveRow> {
    let no = draw();
    for (let i = 0; i < DRAWS; i++) {
      const row: ReserveRow = { ...r, tenant_key: this.tenantKey, meeting_no: no, live_meeting_no: no, created_at: now, updated_at: now };
      const res = await this.db
        .insertInto('reserves')
        .values(row)
        .onConflict((oc) => oc.column('live_meeting_no').doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows) === 1) return row;
      if (!(await this.releaseOverdue(no, now))) no = draw();
    }
    throw new Error(`no free meeting number after ${DRAWS} draws`);
  }

  async update(id: string, changes: ReserveChanges, now: number): Promise<void> {
    await this.db.updateTable('reserves').set({ ...changes, updated_at: now }).where('tenant_key', '=', this.tenantKey).where('id', '=', id).execute();
  }

  /** A released reserve takes a number again: its old one if still free, else a new one. Returns it. */
  async holdNumberAgain(r: ReserveRow, draw: () => string, now: number): Promise<string> {
    const no = await this.freeNumber(draw, now, r.meeting_no);
    await this.db
      .updateTable('reserves')
      .set({ meeting_no: no, live_meeting_no: no, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('id', '=', r.id)
      .execute();
    return no;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('reserves').where('tenant_key', '=', this.tenantKey).where('id', '=', id).execute();
  }

  /** Releases the number of a reserve whose end_time passed; nothing for a renewed or deleted one. */
  async release(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('reserves')
      .set({ live_meeting_no: null, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('id', '=', id)
      .where('end_time', '<=', now)
      .where('live_meeting_no', 'is not', null)
      .execute();
  }

  /** A number no live reserve holds, `preferred` if it is free. */
  private async freeNumber(draw: () => string, now: number, preferred: string): Promise<string> {
    let no = preferred;
    for (let i = 0; i < DRAWS; i++) {
      const holder = await this.db.selectFrom('reserves').select('id').where('live_meeting_no', '=', no).executeTakeFirst();
      if (!holder || (await this.releaseOverdue(no, now))) return no;
      no = draw();
    }
    throw new Error(`no free meeting number after ${DRAWS} draws`);
  }

  /**
   * A reserve past its end_time whose expiry job has not run yet gives its number up here, in the
   * transaction that needs it. True when the number was released.
   */
  private async releaseOverdue(no: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('reserves')
      .set({ live_meeting_no: null, updated_at: now })
      .where('live_meeting_no', '=', no)
      .where('end_time', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}
