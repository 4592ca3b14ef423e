import type { Kysely, Selectable } from 'kysely';
import type { AppEventSettingsTable, AppTable, Database } from '../schema.js';

export interface App {
  appId: string;
  tenantKey: string;
  appSecret: string;
  name: string;
  scopes: string[];
}

const toApp = (r: Selectable<AppTable>): App => ({
  appId: r.app_id,
  tenantKey: r.tenant_key,
  appSecret: r.app_secret,
  name: r.name,
  scopes: JSON.parse(r.scopes) as string[],
});

/** Apps are looked up by app_id: a credential names its app, and the app names its tenant. */
export class AppRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(appId: string): Promise<App | undefined> {
    const row = await this.db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
    return row && toApp(row);
  }

  async eventSettings(appId: string) {
    return this.db.selectFrom('app_event_settings').selectAll().where('app_id', '=', appId).executeTakeFirst();
  }

  async saveEventSettings(row: Selectable<AppEventSettingsTable>): Promise<void> {
    const { app_id: _key, ...rest } = row;
    await this.db.insertInto('app_event_settings').values(row).onConflict((oc) => oc.column('app_id').doUpdateSet(rest)).execute();
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
