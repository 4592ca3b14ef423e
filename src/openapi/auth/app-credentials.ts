import type { ErrorName } from '../../contract/errors.js';
import type { App } from '../../store/repositories/app.repository.js';
import type { AppContext } from '../../http/context.js';

/**
 * An app's secret, checked under the guess throttle: counted per source address and app id, refused
 * (99991400, HTTP 429, or `refusal`) while that source is locked out. Both token endpoints and the OAuth
 * client secret share the count, since they check the same secret.
 */
export async function authenticateAppGuarded(ctx: AppContext, source: string, appId: string, secret: string, refusal?: ErrorName): Promise<App | 'unknown_app' | 'bad_secret'> {
  const attempt = await ctx.throttle.admit('app_secret', source, appId, refusal);
  const app = await ctx.tokens.authenticateApp(appId, secret);
  await (typeof app === 'string' ? attempt.failed() : attempt.succeeded());
  return app;
}
