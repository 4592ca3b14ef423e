import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError, type ErrorName } from '../../contract/errors.js';
import { GrantError, type IssuedUserToken } from '../../domain/auth/tokens.js';
import type { App } from '../../store/repositories/app.repository.js';
import { bearerOf, enforceRateLimit } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';

const Grant = Type.Object({
  grant_type: Type.Optional(Type.Unknown()),
  code: Type.Optional(Type.Unknown()),
  refresh_token: Type.Optional(Type.Unknown()),
  redirect_uri: Type.Optional(Type.Unknown({ description: 'openvc: checked against the authorization request when sent' })),
});
type GrantT = Static<typeof Grant>;

const TokenData = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.String(),
  expires_in: Type.Integer(),
  refresh_expires_in: Type.Integer(),
  scope: Type.String(),
});

/** Historic endpoints answer HTTP 200 with their own 200xx codes (auth.md §5.3). */
const failures: Record<GrantError['reason'], ErrorName> = {
  not_found: 'authenCodeInvalid',
  used: 'authenCodeInvalid',
  expired: 'authenCodeExpired',
  other_app: 'authenAppMismatch',
  redirect_mismatch: 'authenRedirectInvalid',
  redirect_missing: 'authenRedirectInvalid',
  pkce_failed: 'authenCodeInvalid',
  grant_too_old: 'authenRefreshExpired',
  scope_not_granted: 'authenBadRequest',
  wrong_flavor: 'authenRefreshInvalid',
};

/** The doc asks for the app_access_token; the SDK sends the tenant token. For custom apps they are one value. */
async function callingApp(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<App> {
  const token = bearerOf(request);
  const principal = token ? await ctx.tokens.verify(token) : undefined;
  if (!principal || typeof principal === 'string' || principal.kind !== 'tenant') throw apiError('authenAppTokenInvalid');
  const app = await ctx.repos.apps.find(principal.appId);
  if (!app) throw apiError('authenAppTokenInvalid');
  const spec = request.routeOptions.config.api;
  if (spec) await enforceRateLimit(ctx, spec, app.appId, app.tenantKey, reply);
  return app;
}

function present(t: IssuedUserToken) {
  return {
    access_token: t.accessToken,
    refresh_token: t.refreshToken ?? '',
    token_type: 'Bearer',
    expires_in: t.expiresIn,
    refresh_expires_in: t.refreshExpiresIn ?? 0,
    scope: t.scopes.join(' '),
  };
}

async function grant<T>(run: () => Promise<T>, refresh: boolean): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof GrantError)) throw e;
    if (refresh && (e.reason === 'not_found' || e.reason === 'used')) throw apiError('authenRefreshInvalid');
    if (refresh && e.reason === 'expired') throw apiError('authenRefreshExpired');
    throw apiError(failures[e.reason]);
  }
}

function stringField(body: GrantT | undefined, field: keyof GrantT): string {
  const v = body?.[field];
  if (typeof v !== 'string' || v === '') throw apiError('authenBadRequest', `bad request: ${field} is required`);
  return v;
}

export function oidcRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('auth.oidcAccessToken', {
    badRequest: 'authenBadRequest',
    schema: { body: Type.Optional(Grant), response: TokenData },
    handler: async (req: FastifyRequest<{ Body?: GrantT }>, reply: FastifyReply) => {
      const app = await callingApp(ctx, req, reply);
      if (req.body?.grant_type !== 'authorization_code') throw apiError('authenBadGrantType', 'grant_type must be authorization_code');
      const code = stringField(req.body, 'code');
      const redirectUri = req.body.redirect_uri === undefined ? undefined : stringField(req.body, 'redirect_uri');
      return present(await grant(() => ctx.tokens.exchangeCode(app, code, 'v1', redirectUri === undefined ? {} : { redirectUri }), false));
    },
  });

  r.method('auth.oidcRefreshAccessToken', {
    badRequest: 'authenBadRequest',
    schema: { body: Type.Optional(Grant), response: TokenData },
    handler: async (req: FastifyRequest<{ Body?: GrantT }>, reply: FastifyReply) => {
      const app = await callingApp(ctx, req, reply);
      if (req.body?.grant_type !== 'refresh_token') throw apiError('authenBadGrantType', 'grant_type must be refresh_token');
      const refreshToken = stringField(req.body, 'refresh_token');
      return present(await grant(() => ctx.tokens.refresh(app, refreshToken, 'v1'), true));
    },
  });
}
