import { Command, Option } from 'commander';
import type { Runtime } from '../app/runtime.js';
import { storeOptions, withRuntime } from './options.js';

async function appOf(rt: Runtime, appId: string) {
  const app = await rt.repos.apps.find(appId);
  if (!app) throw new Error(`app ${appId} does not exist`);
  return app;
}

export function tokenCommand(): Command {
  const token = new Command('token').description('print access tokens for scripts and tests');
  token.addCommand(
    storeOptions(new Command('tenant').description('print a tenant_access_token of an app (the current one while it has 30+ minutes left)'))
      .addOption(new Option('--app <app_id>', 'app id').makeOptionMandatory())
      .action(async (opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const issued = await rt.tokens.tenantToken(await appOf(rt, String(opts.app)));
          console.log(issued.token);
        }),
      ),
  );
  token.addCommand(
    storeOptions(new Command('user').description("print a new user_access_token of a tenant user, with all of the app's scopes granted"))
      .addOption(new Option('--app <app_id>', 'app id').makeOptionMandatory())
      .addOption(new Option('--user <user_id>', 'tenant user_id of the user').makeOptionMandatory())
      .action(async (opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const app = await appOf(rt, String(opts.app));
          const user = await rt.repos.directory.forTenant(app.tenantKey, app.appId).userByUserId(String(opts.user));
          if (!user) throw new Error(`user ${String(opts.user)} does not exist in tenant ${app.tenantKey}`);
          if (user.status !== 'active') throw new Error(`user ${user.user_id} is ${user.status}`);
          const issued = await rt.tokens.issueUserTokens(app, user.user_id, app.scopes, 'v1', Date.now());
          console.log(issued.accessToken);
        }),
      ),
  );
  return token;
}
