/** Which tenant, app and users a simulation runs as. */
import type { Runtime } from '../app/runtime.js';
import type { App } from '../store/repositories/app.repository.js';
import { DEMO_TENANT_KEY, demoSeed } from '../domain/demo.js';

export interface Target {
  tenantKey: string;
  /** the app the sessions are opened through */
  app: App;
  /** the tenant's active users, in user_id order */
  userIds: string[];
  /** the store was empty and the demo tenant was created for the run */
  createdDemo: boolean;
}

/**
 * `--app` names the app (and so the tenant); `--tenant` takes the tenant's first app; with neither, the
 * demo tenant, created on an empty store as `serve` would.
 */
export async function resolveTarget(rt: Runtime, want: { tenant?: string; app?: string }): Promise<Target> {
  let createdDemo = false;
  let app: App | undefined;
  if (want.app) {
    app = await rt.repos.apps.find(want.app);
    if (!app) throw new Error(`app ${want.app} does not exist`);
    if (want.tenant && app.tenantKey !== want.tenant) throw new Error(`app ${want.app} belongs to tenant ${app.tenantKey}, not ${want.tenant}`);
  } else {
    if (!want.tenant && (await rt.repos.directory.tenantCount()) === 0) {
      await rt.repos.directory.applySeed(demoSeed());
      createdDemo = true;
    }
    const tenantKey = want.tenant ?? DEMO_TENANT_KEY;
    app = await rt.repos.apps.firstOfTenant(tenantKey);
    if (!app) throw new Error(want.tenant ? `tenant ${tenantKey} has no app (seed one, or pass --app)` : 'the store has no demo tenant: pass --tenant or --app');
  }
  const users = await rt.repos.directory.forTenant(app.tenantKey, app.appId).activeUsers(100_000);
  if (users.length < 2) throw new Error(`tenant ${app.tenantKey} needs at least 2 active users to hold meetings`);
  return { tenantKey: app.tenantKey, app, userIds: users.map((u) => u.user_id), createdDemo };
}
