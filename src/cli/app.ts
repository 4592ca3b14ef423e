import { Command, Option } from 'commander';
import { publicUrlOf } from '../config/config.js';
import { SubscriptionService, type SubscriptionChange } from '../events/subscription.service.js';
import { EVENT_TYPES } from '../contract/events.js';
import { RedirectUriService } from '../domain/auth/redirect-uri.service.js';
import type { Runtime } from '../app/runtime.js';
import { storeOptions, withRuntime } from './options.js';

const subscriptions = (rt: Runtime) => new SubscriptionService(rt.repos.apps, () => ({ publicUrl: publicUrlOf(rt.config), port: rt.config.port }));

const collect = (v: string, all: string[]) => [...all, v];

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function appCommand(): Command {
  const app = new Command('app').description("manage apps' settings");
  const events = new Command('events').description("an app's event subscription: request URL, verification token, encrypt key, event types");
  events.addCommand(
    storeOptions(new Command('show').description("print an app's event subscription as JSON"))
      .argument('<app_id>', 'app id')
      .action(async (appId: string, opts: Record<string, unknown>) => withRuntime(opts, async (rt) => console.log(JSON.stringify(await subscriptions(rt).get(appId), null, 2)))),
  );
  events.addCommand(
    storeOptions(
      new Command('set').description(
        'change an app\'s event subscription; a new request URL (or token or key) must answer the url_verification challenge first, or nothing is saved',
      ),
    )
      .argument('<app_id>', 'app id')
      .addOption(new Option('--url <request_url>', 'http(s) request URL; "" unsubscribes the app'))
      .addOption(new Option('--verification-token <token>', 'verification token ("" clears it)'))
      .addOption(new Option('--encrypt-key <key>', 'encrypt key; events are AES-256-CBC encrypted with it ("" clears it)'))
      .addOption(new Option('--events <types>', `comma-separated event types, replacing the subscribed ones ("" for none); known: ${EVENT_TYPES.join(', ')}`))
      .action(async (appId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const change: SubscriptionChange = {
            ...(typeof opts.url === 'string' ? { request_url: opts.url } : {}),
            ...(typeof opts.verificationToken === 'string' ? { verification_token: opts.verificationToken } : {}),
            ...(typeof opts.encryptKey === 'string' ? { encrypt_key: opts.encryptKey } : {}),
            ...(typeof opts.events === 'string' ? { event_types: list(opts.events) } : {}),
          };
          const { subscription, challengeMs } = await subscriptions(rt).set(appId, change);
          if (challengeMs !== undefined) console.error(`url_verification passed in ${challengeMs} ms`);
          console.log(JSON.stringify(subscription, null, 2));
        }),
      ),
  );
  app.addCommand(events);
  app.addCommand(
    storeOptions(
      new Command('redirect-uris').description(
        "list or change the redirect URIs the authorize page may send an app's codes to (exact match; the server's own meeting page and recording player need none)",
      ),
    )
      .argument('<app_id>', 'app id')
      .addOption(new Option('--add <uri>', 'register an absolute http(s) URI, exactly as the app will send it (repeatable)').argParser(collect).default([]))
      .addOption(new Option('--remove <uri>', 'unregister a URI (repeatable)').argParser(collect).default([]))
      .addOption(new Option('--list', 'print the registered URIs (the default when nothing is added or removed)'))
      .action(async (appId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const service = new RedirectUriService(rt.repos.apps);
          const add = opts.add as string[];
          const remove = opts.remove as string[];
          const uris = add.length + remove.length > 0 ? await service.change(appId, { add, remove }) : await service.list(appId);
          console.log(JSON.stringify({ app_id: appId, redirect_uris: uris }, null, 2));
        }),
      ),
  );
  return app;
}
