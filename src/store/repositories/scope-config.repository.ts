import type { Kysely } from 'kysely';
import type { Database, ScopeAccessCodeTable } from '../schema.js';
import { subtreeRange, type TreePath } from '../../domain/room/tree.js';

/** One section a node has set itself; `value` as stored (parsed JSON). */
export interface SectionRow {
  scope_id: string;
  section: string;
  value: unknown;
}

/**
 * The settings levels and rooms hold themselves, one row per (node, section). Every query goes through
 * `forTenant` and carries the tenant_key.
 */
export class ScopeConfigRepository {
  constructor(private readonly db: Kysely<Database>) {}

  forTenant(tenantKey: string, db: Kysely<Database> = this.db): TenantScopeConfigs {
    return new TenantScopeConfigs(db, tenantKey);
  }
}

export class TenantScopeConfigs {
  constructor(
    private readonly db: Kysely<Database>,
    readonly tenantKey: string,
  ) {}

  /** The given sections of the given nodes: a whole chain of ancestors in one query. */
  async sectionsOf(scopeIds: readonly string[], sections: readonly string[]): Promise<SectionRow[]> {
    if (scopeIds.length === 0 || sections.length === 0) return [];
    const rows = await this.db
      .selectFrom('scope_configs')
      .select(['scope_id', 'section', 'value'])
      .where('tenant_key', '=', this.tenantKey)
      .where('scope_id', 'in', scopeIds)
      .where('section', 'in', sections)
      .execute();
    return rows.map((r) => ({ scope_id: r.scope_id, section: r.section, value: JSON.parse(r.value) as unknown }));
  }

  async put(scopeId: string, section: string, value: unknown, now: number): Promise<void> {
    const json = JSON.stringify(value);
    await this.db
      .insertInto('scope_configs')
      .values({ tenant_key: this.tenantKey, scope_id: scopeId, section, value: json, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_key', 'scope_id', 'section']).doUpdateSet({ value: json, updated_at: now }))
      .execute();
  }

  async remove(scopeId: string, sections: readonly string[]): Promise<void> {
    if (sections.length === 0) return;
    await this.db.deleteFrom('scope_configs').where('tenant_key', '=', this.tenantKey).where('scope_id', '=', scopeId).where('section', 'in', sections).execute();
  }

  /** The IDs of the levels in the subtree at `path` (the level there itself only `withTop`) and of the rooms in it. */
  private subtree(path: TreePath, withTop: boolean) {
    const { lo, hi } = subtreeRange(path);
    const levels = (top: boolean) =>
      this.db
        .selectFrom('room_levels')
        .select('room_level_id')
        .where('tenant_key', '=', this.tenantKey)
        .where('tree_path', top ? '>=' : '>', lo)
        .where('tree_path', '<', hi);
    const rooms = this.db.selectFrom('rooms').select('room_id').where('tenant_key', '=', this.tenantKey).where('room_level_id', 'in', levels(true));
    return { levels: levels(withTop), rooms };
  }

  /** Removes `sections` from every level and room below the level at `path` (if_cover_child_scope). */
  async clearBelow(path: TreePath, sections: readonly string[]): Promise<void> {
    if (sections.length === 0) return;
    const { levels, rooms } = this.subtree(path, false);
    await this.db
      .deleteFrom('scope_configs')
      .where('tenant_key', '=', this.tenantKey)
      .where('section', 'in', sections)
      .where((eb) => eb.or([eb('scope_id', 'in', levels), eb('scope_id', 'in', rooms)]))
      .execute();
  }

  /** Forgets the settings and access codes of the level at `path` and of everything below it; run before the subtree is deleted. */
  async deleteWithin(path: TreePath): Promise<void> {
    const { levels, rooms } = this.subtree(path, true);
    for (const table of ['scope_configs', 'scope_access_codes'] as const) {
      await this.db
        .deleteFrom(table)
        .where('tenant_key', '=', this.tenantKey)
        .where((eb) => eb.or([eb('scope_id', 'in', levels), eb('scope_id', 'in', rooms)]))
        .execute();
    }
  }

  /** Forgets the settings and access codes of one room. */
  async deleteOf(scopeId: string): Promise<void> {
    for (const table of ['scope_configs', 'scope_access_codes'] as const) {
      await this.db.deleteFrom(table).where('tenant_key', '=', this.tenantKey).where('scope_id', '=', scopeId).execute();
    }
  }

  /** False when the code is taken (by any tenant). */
  async insertAccessCode(row: Omit<ScopeAccessCodeTable, 'tenant_key'>): Promise<boolean> {
    const written = await this.db
      .insertInto('scope_access_codes')
      .values({ ...row, tenant_key: this.tenantKey })
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    return Number(written.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
