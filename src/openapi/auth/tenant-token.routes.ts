import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import type { App } from '../../store/repositories/app.repository.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { authenticateAppGuarded } from './app-credentials.js';

const Credentials = Type.Object({
  app_id: Type.Optional(Type.Unknown()),
  app_secret: Type.Optional(Type.Unknown()),
});
type CredentialsT = Static<typeof Credentials>;

const TenantTokenResponse = Type.Object({
  code: Type.Integer(),
  msg: Type.String(),
  tenant_access_token: Type.String(),
  expire: Type.Integer(),
});

const AppTokenResponse = Type.Object({
  code: Type.Integer(),
  msg: Type.String(),
  app_access_token: Type.String(),
  tenant_access_token: Type.String(),
  expire: Type.Integer(),
});

/** Bad input answers HTTP 200 with 10003, a wrong secret 10014 (auth.md §2, observed); too many wrong ones 99991400/429. */
async function appFromCredentials(ctx: AppContext, source: string, body: CredentialsT | undefined): Promise<App> {
  const appId = body?.app_id;
  const appSecret = body?.app_secret;
  if (typeof appId !== 'string' || appId === '') throw apiError('invalidParam', 'invalid param: app_id is required');
  if (typeof appSecret !== 'string' || appSecret === '') throw apiError('invalidParam', 'invalid param: app_secret is required');
  const app = await authenticateAppGuarded(ctx, source, appId, appSecret);
  if (app === 'unknown_app') throw apiError('invalidParam', `invalid param: app_id ${appId} does not exist`);
  if (app === 'bad_secret') throw apiError('appSecretInvalid');
  return app;
}

/**
 * Custom-app tokens. For a custom app the app_access_token and the tenant_access_token are the same
 * `t-` value (auth.md §3 example), so both endpoints hand out one token.
 */
export function tenantTokenRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('auth.tenantAccessTokenInternal', {
    raw: true,
    badRequest: 'invalidParam',
    aliases: ['/open-apis/auth/v3/tenant_access_token/internal/'],
    schema: { body: Type.Optional(Credentials), response: TenantTokenResponse },
    handler: async (req: { body?: CredentialsT; ip: string }) => {
      const issued = await ctx.tokens.tenantToken(await appFromCredentials(ctx, req.ip, req.body));
      return { code: 0, msg: 'ok', tenant_access_token: issued.token, expire: issued.expire };
    },
  });

  r.method('auth.appAccessTokenInternal', {
    raw: true,
    badRequest: 'invalidParam',
    aliases: ['/open-apis/auth/v3/app_access_token/internal/'],
    schema: { body: Type.Optional(Credentials), response: AppTokenResponse },
    handler: async (req: { body?: CredentialsT; ip: string }) => {
      const issued = await ctx.tokens.tenantToken(await appFromCredentials(ctx, req.ip, req.body));
      return { code: 0, msg: 'ok', app_access_token: issued.token, tenant_access_token: issued.token, expire: issued.expire };
    },
  });
}
