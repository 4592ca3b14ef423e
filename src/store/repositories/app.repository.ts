import { sql, type Kysely, type Selectable } from 'kysely';
import type { AppEventSettingsTable, AppTable, Database } from '../schema.js';
import { DIRECTORY_CHANNEL, type ChangeFeed } from '../change-feed.js';
import type { Dialect } from '../database.js';
import { VersionedCache } from '../versioned-cache.js';

export type EventSettingsRow = Selectable<AppEventSettingsTable>;

/** An app that receives events: its subscription as fan-out needs it. */
export interface EventReceiver {
  appId: string;
  tenantKey: string;
  scopes: string[];
  eventTypes: string[];
}

export interface App {
  appId: string;
  tenantKey: string;
  appSecret: string;
  name: string;
  scopes: string[];
  /** where the authorize page may send a code: exact strings (docs/decisions.md "Redirect URIs") */
  redirectUris: string[];
}

const toApp = (r: Selectable<AppTable>): App => ({
  appId: r.app_id,
  tenantKey: r.tenant_key,
  appSecret: r.app_secret,
  name: r.name,
  scopes: JSON.parse(r.scopes) as string[],
  redirectUris: JSON.parse(r.redirect_uris) as string[],
});

/**
 * Apps are looked up by app_id: a credential names its app, and the app names its tenant. Apps and
 * their event settings are read on every request and every event, and change rarely: they are kept in
 * this process until the store changes under it (ChangeFeed) or this process writes them.
 */
export class AppRepository {
  private readonly apps: VersionedCache<App>;
  private readonly settings: VersionedCache<EventSettingsRow>;
  private readonly receivers: VersionedCache<EventReceiver[]>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    changes: ChangeFeed,
  ) {
    this.apps = new VersionedCache(changes);
    this.settings = new VersionedCache(changes);
    this.receivers = new VersionedCache(changes);
  }

  async find(appId: string): Promise<App | undefined> {
    return this.apps.get(appId, async () => {
      const row = await this.db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row && toApp(row);
    });
  }

  async eventSettings(appId: string): Promise<EventSettingsRow | undefined> {
    return this.settings.get(appId, () => this.db.selectFrom('app_event_settings').selectAll().where('app_id', '=', appId).executeTakeFirst());
  }

  /** The apps of a tenant with a request URL, as event fan-out needs them; `db`: the transaction writing the events. */
  async receiversOf(tenantKey: string, db: Kysely<Database> = this.db): Promise<EventReceiver[]> {
    const found = await this.receivers.get(tenantKey, async () => {
      const rows = await db
        .selectFrom('app_event_settings as s')
        .innerJoin('apps as a', 'a.app_id', 's.app_id')
        .select(['a.app_id', 'a.tenant_key', 'a.scopes', 's.event_types'])
        .where('a.tenant_key', '=', tenantKey)
        .where('s.request_url', 'is not', null)
        .execute();
      return rows.map((a) => ({ appId: a.app_id, tenantKey: a.tenant_key, scopes: JSON.parse(a.scopes) as string[], eventTypes: JSON.parse(a.event_types) as string[] }));
    });
    return found ?? [];
  }

  async saveEventSettings(row: EventSettingsRow): Promise<void> {
    const { app_id: _key, ...rest } = row;
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('app_event_settings').values(row).onConflict((oc) => oc.column('app_id').doUpdateSet(rest)).execute();
        // Other server processes drop their cached settings when this commits.
        if (this.dialect === 'postgres') await sql`select pg_notify(${DIRECTORY_CHANNEL}, '')`.execute(trx);
      });
    } finally {
      this.forget();
    }
  }

  async saveRedirectUris(appId: string, uris: readonly string[]): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('apps').set({ redirect_uris: JSON.stringify(uris) }).where('app_id', '=', appId).execute();
        if (this.dialect === 'postgres') await sql`select pg_notify(${DIRECTORY_CHANNEL}, '')`.execute(trx);
      });
    } finally {
      this.forget();
    }
  }

  /** Drops what this process keeps: after it wrote apps or their settings by another path (seeding). */
  forget(): void {
    this.apps.clear();
    this.settings.clear();
    this.receivers.clear();
  }

  async firstOfTenant(tenantKey: string): Promise<App | undefined> {
    const row = await this.db
      .selectFrom('apps')
      .selectAll()
      .where('tenant_key', '=', tenantKey)
      .orderBy('created_at')
      .orderBy('app_id')
      .limit(1)
      .executeTakeFirst();
    return row && toApp(row);
  }
}
