import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { DIRECTORY_CHANNEL } from '../change-feed.js';
import type { ReadCache } from '../read-cache.js';
import type { Dialect } from '../database.js';
import type { Database, UserTable, DepartmentTable } from '../schema.js';
import { SeedError, type Seed, type SeedTenantT } from '../../domain/seed.js';
import { deriveOpenDepartmentId, deriveOpenId, deriveUnionId } from '../../domain/ids.js';

export type UserRow = Selectable<UserTable>;
export type DepartmentRow = Selectable<DepartmentTable>;

export interface SeedSummary {
  tenants: number;
  departments: number;
  users: number;
  apps: number;
}

export interface UserWithDepartments {
  user: UserRow;
  /** department_id and open_department_id, in the user's order; the root department is "0" in both */
  departments: { id: string; openId: string }[];
}

/**
 * Tenant-scoped reads of the directory. An instance is bound to one tenant and one app, and every
 * query it runs carries that tenant_key: there is no way to reach another tenant's rows through it.
 */
export class TenantDirectory {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly reads: ReadCache,
    readonly tenantKey: string,
    readonly appId: string,
  ) {}

  /** The user's open_id for this directory's app; a user of another tenant (a guest in a meeting) keeps their tenant's. */
  openIdOf(userId: string, tenantKey = this.tenantKey): string {
    return deriveOpenId(this.appId, tenantKey, userId);
  }

  /** The user's union_id (one per tenant, the same for every app). */
  unionIdOf(userId: string, tenantKey = this.tenantKey): string {
    return deriveUnionId(tenantKey, userId);
  }

  /** The same directory reading through a transaction (SQLite has one connection: reads beside an open transaction wait for it). */
  within(db: Kysely<Database>): TenantDirectory {
    return new TenantDirectory(db, this.reads, this.tenantKey, this.appId);
  }

  /** The tenant's display name ('' for a tenant the store does not hold). */
  async tenantName(): Promise<string> {
    const row = await this.db.selectFrom('tenants').select('name').where('tenant_key', '=', this.tenantKey).executeTakeFirst();
    return row?.name ?? '';
  }

  async userByUserId(userId: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  /** A user with their departments, in one round trip (or none, from the cache while the directory is unchanged). */
  async userWithDepartments(userId: string): Promise<UserWithDepartments | undefined> {
    return this.reads.get(this.tenantKey, 'directory', `user\u0000${userId}`, async () => {
      const rows = await this.db
        .selectFrom('users as u')
        .leftJoin('user_departments as ud', (j) => j.onRef('ud.tenant_key', '=', 'u.tenant_key').onRef('ud.user_id', '=', 'u.user_id'))
        .leftJoin('departments as d', (j) => j.onRef('d.tenant_key', '=', 'ud.tenant_key').onRef('d.department_id', '=', 'ud.department_id'))
        .selectAll('u')
        .select(['ud.department_id', 'ud.position', 'd.open_department_id'])
        .where('u.tenant_key', '=', this.tenantKey)
        .where('u.user_id', '=', userId)
        .orderBy('ud.position')
        .execute();
      const first = rows[0];
      if (!first) return undefined;
      const { department_id: _d, position: _p, open_department_id: _o, ...user } = first;
      const departments = rows.flatMap((r) => (r.department_id === null ? [] : [{ id: r.department_id, openId: r.open_department_id ?? r.department_id }]));
      return { user, departments };
    });
  }

  async userByUnionId(unionId: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('union_id', '=', unionId)
      .executeTakeFirst();
  }

  /** Resolves an open_id; `crossApp` when it names a user of this tenant as seen by another app. */
  async userIdByOpenId(openId: string): Promise<{ userId?: string; crossApp: boolean }> {
    const row = await this.db
      .selectFrom('open_ids')
      .select(['app_id', 'user_id'])
      .where('tenant_key', '=', this.tenantKey)
      .where('open_id', '=', openId)
      .executeTakeFirst();
    if (!row) return { crossApp: false };
    if (row.app_id !== this.appId) return { crossApp: true };
    return { userId: row.user_id, crossApp: false };
  }

  async activeUsers(limit: number): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('status', '=', 'active')
      .orderBy('user_id')
      .limit(limit)
      .execute();
  }

  /** Direct members of a department, in user_id order, after `afterUserId`. */
  async membersOf(departmentId: string, afterUserId: string | undefined, limit: number): Promise<UserRow[]> {
    let q = this.db
      .selectFrom('users as u')
      .innerJoin('user_departments as ud', (j) => j.onRef('ud.tenant_key', '=', 'u.tenant_key').onRef('ud.user_id', '=', 'u.user_id'))
      .selectAll('u')
      .where('u.tenant_key', '=', this.tenantKey)
      .where('ud.department_id', '=', departmentId);
    if (afterUserId !== undefined) q = q.where('u.user_id', '>', afterUserId);
    return q.orderBy('u.user_id').limit(limit).execute();
  }

  async departmentByOpenId(openDepartmentId: string): Promise<DepartmentRow | undefined> {
    return this.db
      .selectFrom('departments')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('open_department_id', '=', openDepartmentId)
      .executeTakeFirst();
  }

  async departmentById(departmentId: string): Promise<DepartmentRow | undefined> {
    return this.db
      .selectFrom('departments')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('department_id', '=', departmentId)
      .executeTakeFirst();
  }

  async usersByEmails(emails: string[]): Promise<UserRow[]> {
    if (emails.length === 0) return [];
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('email', 'in', emails)
      .execute();
  }

  async usersByMobiles(mobiles: string[]): Promise<UserRow[]> {
    if (mobiles.length === 0) return [];
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_key', '=', this.tenantKey)
      .where('mobile', 'in', mobiles)
      .execute();
  }

  async departmentIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('user_departments')
      .select('department_id')
      .where('tenant_key', '=', this.tenantKey)
      .where('user_id', '=', userId)
      .orderBy('position')
      .execute();
    return rows.map((r) => r.department_id);
  }
}

/** Writes the directory from a seed file, idempotently and all-or-nothing. */
export class DirectoryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** the directory's own cached reads; triggers bump their version with every write (migration 0036) */
    private readonly reads: ReadCache,
    /** told when this process has written the directory (apps included), for caches kept elsewhere */
    private readonly onWrite: () => void = () => undefined,
  ) {}

  forTenant(tenantKey: string, appId: string): TenantDirectory {
    return new TenantDirectory(this.db, this.reads, tenantKey, appId);
  }

  /** Up to `limit` tenant keys, in key order. */
  async tenantKeys(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('tenants').select('tenant_key').orderBy('tenant_key').limit(limit).execute();
    return rows.map((r) => r.tenant_key);
  }

  async tenantCount(): Promise<number> {
    const row = await this.db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Grants or revokes a user's administrator role; false when the user does not exist. */
  async setAdmin(tenantKey: string, userId: string, admin: boolean): Promise<boolean> {
    try {
      const r = await this.db.transaction().execute(async (trx) => {
        const res = await trx.updateTable('users').set({ is_admin: admin ? 1 : 0 }).where('tenant_key', '=', tenantKey).where('user_id', '=', userId).executeTakeFirst();
        if (this.dialect === 'postgres') await sql`select pg_notify(${DIRECTORY_CHANNEL}, '')`.execute(trx);
        return Number(res.numUpdatedRows) > 0;
      });
      return r;
    } finally {
      this.onWrite();
    }
  }

  /** Sets a user's status (active, frozen, resigned); false when the user does not exist. */
  async setStatus(tenantKey: string, userId: string, status: 'active' | 'frozen' | 'resigned'): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const res = await trx.updateTable('users').set({ status }).where('tenant_key', '=', tenantKey).where('user_id', '=', userId).executeTakeFirst();
        if (this.dialect === 'postgres') await sql`select pg_notify(${DIRECTORY_CHANNEL}, '')`.execute(trx);
        return Number(res.numUpdatedRows) > 0;
      });
    } finally {
      this.onWrite();
    }
  }

  /** How many administrators the tenant has. */
  async adminCount(tenantKey: string): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_key', '=', tenantKey).where('is_admin', '=', 1).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The department ids each of these tenants has in the store (for checking a seed's references up front). */
  async departmentIdsByTenant(tenantKeys: string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>(tenantKeys.map((tk) => [tk, new Set<string>()]));
    if (tenantKeys.length === 0) return out;
    const rows = await this.db.selectFrom('departments').select(['tenant_key', 'department_id']).where('tenant_key', 'in', tenantKeys).execute();
    for (const r of rows) out.get(r.tenant_key)?.add(r.department_id);
    return out;
  }

  async applySeed(seed: Seed, now = Date.now()): Promise<SeedSummary> {
    const summary: SeedSummary = { tenants: 0, departments: 0, users: 0, apps: 0 };
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const tenant of seed.tenants) {
          await applyTenant(trx, tenant, now, summary);
        }
        // Other server processes drop their cached apps when this commits.
        if (this.dialect === 'postgres') await sql`select pg_notify(${DIRECTORY_CHANNEL}, '')`.execute(trx);
      });
    } finally {
      this.onWrite();
    }
    return summary;
  }
}

async function applyTenant(trx: Transaction<Database>, t: SeedTenantT, now: number, summary: SeedSummary): Promise<void> {
  const tk = t.tenant_key;
  await trx
    .insertInto('tenants')
    .values({ tenant_key: tk, name: t.name, created_at: now })
    .onConflict((oc) => oc.column('tenant_key').doUpdateSet({ name: t.name }))
    .execute();
  summary.tenants++;

  for (const d of t.departments ?? []) {
    const parent = d.parent_department_id && d.parent_department_id !== '0' ? d.parent_department_id : null;
    await trx
      .insertInto('departments')
      .values({
        tenant_key: tk,
        department_id: d.department_id,
        open_department_id: deriveOpenDepartmentId(tk, d.department_id),
        name: d.name,
        parent_department_id: parent,
      })
      .onConflict((oc) => oc.columns(['tenant_key', 'department_id']).doUpdateSet({ name: d.name, parent_department_id: parent }))
      .execute();
    summary.departments++;
  }

  await checkDepartmentReferences(trx, t);

  for (const u of t.users ?? []) {
    const values = {
      name: u.name,
      email: u.email?.toLowerCase() ?? null,
      mobile: u.mobile ?? null,
      employee_no: u.employee_no ?? null,
      status: u.status ?? 'active',
      ...(u.admin !== undefined ? { is_admin: u.admin ? 1 : 0 } : {}),
    };
    await trx
      .insertInto('users')
      .values({ tenant_key: tk, user_id: u.user_id, union_id: deriveUnionId(tk, u.user_id), created_at: now, ...values })
      .onConflict((oc) => oc.columns(['tenant_key', 'user_id']).doUpdateSet(values))
      .execute();
    if (u.password_hash) {
      await trx
        .insertInto('user_passwords')
        .values({ tenant_key: tk, user_id: u.user_id, password_hash: u.password_hash, updated_at: now })
        .onConflict((oc) => oc.columns(['tenant_key', 'user_id']).doUpdateSet({ password_hash: u.password_hash!, updated_at: now }))
        .execute();
    }
    await trx.deleteFrom('user_departments').where('tenant_key', '=', tk).where('user_id', '=', u.user_id).execute();
    const depts = u.department_ids?.length ? u.department_ids : ['0'];
    await trx
      .insertInto('user_departments')
      .values(depts.map((department_id, position) => ({ tenant_key: tk, user_id: u.user_id, department_id, position })))
      .execute();
    summary.users++;
  }

  for (const a of t.apps ?? []) {
    const owner = await trx.selectFrom('apps').select('tenant_key').where('app_id', '=', a.app_id).executeTakeFirst();
    if (owner && owner.tenant_key !== tk) {
      throw new SeedError([`tenant ${tk}: app ${a.app_id} already belongs to tenant ${owner.tenant_key}`]);
    }
    // An app seeded without redirect_uris keeps the ones registered by the CLI or the admin API.
    const values = { app_secret: a.app_secret, name: a.name, scopes: JSON.stringify(a.scopes), ...(a.redirect_uris ? { redirect_uris: JSON.stringify(a.redirect_uris) } : {}) };
    await trx
      .insertInto('apps')
      .values({ app_id: a.app_id, tenant_key: tk, created_at: now, redirect_uris: '[]', ...values })
      .onConflict((oc) => oc.column('app_id').doUpdateSet(values))
      .execute();
    if (a.events) {
      const ev = {
        request_url: a.events.request_url ?? null,
        verification_token: a.events.verification_token ?? null,
        encrypt_key: a.events.encrypt_key ?? null,
        event_types: JSON.stringify(a.events.subscribe ?? []),
      };
      await trx
        .insertInto('app_event_settings')
        .values({ app_id: a.app_id, tenant_key: tk, ...ev })
        .onConflict((oc) => oc.column('app_id').doUpdateSet(ev))
        .execute();
    }
    summary.apps++;
  }

  // Every (app, user) pair of the tenant gets its open_id row, including users and apps seeded earlier.
  const users = await trx.selectFrom('users').select('user_id').where('tenant_key', '=', tk).execute();
  const apps = await trx.selectFrom('apps').select('app_id').where('tenant_key', '=', tk).execute();
  const rows = apps.flatMap((a) =>
    users.map((u) => ({ open_id: deriveOpenId(a.app_id, tk, u.user_id), app_id: a.app_id, tenant_key: tk, user_id: u.user_id })),
  );
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('open_ids')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('open_id').doNothing())
      .execute();
  }
}

/** Every department a seed names must exist once its own departments are written (the root "0" always does). */
async function checkDepartmentReferences(trx: Transaction<Database>, t: SeedTenantT): Promise<void> {
  const refs: [string, string][] = [];
  const at = `tenant ${t.tenant_key}`;
  (t.departments ?? []).forEach((d, i) => {
    if (d.parent_department_id && d.parent_department_id !== '0') refs.push([`${at}: departments[${i}].parent_department_id`, d.parent_department_id]);
  });
  (t.users ?? []).forEach((u, i) =>
    (u.department_ids ?? []).forEach((d, j) => {
      if (d !== '0') refs.push([`${at}: users[${i}].department_ids[${j}]`, d]);
    }),
  );
  if (refs.length === 0) return;
  const wanted = [...new Set(refs.map(([, id]) => id))];
  const existing = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await trx
      .selectFrom('departments')
      .select('department_id')
      .where('tenant_key', '=', t.tenant_key)
      .where('department_id', 'in', wanted.slice(i, i + 500))
      .execute();
    for (const r of rows) existing.add(r.department_id);
  }
  const problems = refs.filter(([, id]) => !existing.has(id)).map(([path, id]) => `${path}: unknown department "${id}"`);
  if (problems.length > 0) throw new SeedError(problems);
}
