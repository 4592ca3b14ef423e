import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError, type ErrorName } from '../../contract/errors.js';
import { GrantError } from '../../domain/auth/tokens.js';
import { enforceRateLimit } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { authenticateAppGuarded } from './app-credentials.js';

const TokenRequest = Type.Record(Type.String(), Type.Unknown());
type TokenRequestT = Static<typeof TokenRequest>;

const TokenResponse = Type.Object({
  code: Type.Integer(),
  access_token: Type.String(),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
  refresh_token_expires_in: Type.Optional(Type.Integer()),
  scope: Type.String(),
  token_type: Type.String(),
});

const codeFailures: Record<GrantError['reason'], ErrorName> = {
  not_found: 'oauthCodeNotFound',
  used: 'oauthCodeUsed',
  expired: 'oauthCodeExpired',
  other_app: 'oauthOtherClient',
  redirect_mismatch: 'oauthRedirectMismatch',
  redirect_missing: 'oauthRedirectMissing',
  pkce_failed: 'oauthPkce',
  grant_too_old: 'oauthRefreshExpired',
  scope_not_granted: 'oauthScopeNotGranted',
  wrong_flavor: 'oauthRefreshInvalid',
};
const refreshFailures: Record<GrantError['reason'], ErrorName> = {
  ...codeFailures,
  not_found: 'oauthRefreshInvalid',
  used: 'oauthRefreshUsed',
  expired: 'oauthRefreshExpired',
};

function optionalString(body: TokenRequestT, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw apiError('oauthMalformed', `${field} must be a string`);
  return v;
}

function requiredString(body: TokenRequestT, field: string): string {
  const v = optionalString(body, field);
  if (v === undefined) throw apiError('oauthMissingParam', `${field} is required`);
  return v;
}

/** client_secret may come in the body or as HTTP Basic credentials, not both (20070). */
function clientCredentials(req: FastifyRequest, body: TokenRequestT): { clientId: string; clientSecret: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const bodySecret = optionalString(body, 'client_secret');
  if (basic?.[1]) {
    if (bodySecret !== undefined) throw apiError('oauthBothSecrets');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw apiError('oauthMalformed', 'Basic credentials must be client_id:client_secret');
    return { clientId: decodeURIComponent(decoded.slice(0, i)), clientSecret: decodeURIComponent(decoded.slice(i + 1)) };
  }
  return { clientId: requiredString(body, 'client_id'), clientSecret: requiredString(body, 'client_secret') };
}

function scopeList(body: TokenRequestT): string[] | undefined {
  const raw = optionalString(body, 'scope');
  if (raw === undefined) return undefined;
  const list = raw.split(/\s+/).filter(Boolean);
  if (new Set(list).size !== list.length) throw apiError('oauthScopeDuplicate');
  return list;
}

/**
 * The current OAuth token endpoint (auth.md §5.2), served at its v2 path and at the v3 path the SDK's
 * `client.accessToken` calls. Errors are flat `{code, error, error_description}` with HTTP 400.
 */
export function oauthRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('auth.oauthV2Token', {
    raw: true,
    badRequest: 'oauthMalformed',
    aliases: ['/oauth/v3/token'],
    schema: { body: Type.Optional(TokenRequest), response: TokenResponse },
    handler: async (req: FastifyRequest<{ Body?: TokenRequestT }>, reply: FastifyReply) => {
      const body = req.body ?? {};
      const grantType = requiredString(body, 'grant_type');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw apiError('oauthGrantType');
      const { clientId, clientSecret } = clientCredentials(req, body);
      const app = await authenticateAppGuarded(ctx, req.ip, clientId, clientSecret, 'oauthThrottled');
      if (app === 'unknown_app') throw apiError('oauthAppNotFound');
      if (app === 'bad_secret') throw apiError('oauthClientSecret');
      const spec = req.routeOptions.config.api;
      if (spec) await enforceRateLimit(ctx, spec, app.appId, app.tenantKey, reply);
      const scopes = scopeList(body);
      const isCode = grantType === 'authorization_code';
      try {
        const t = isCode
          ? await ctx.tokens.exchangeCode(app, requiredString(body, 'code'), 'v2', {
              redirectUri: optionalString(body, 'redirect_uri'),
              codeVerifier: optionalString(body, 'code_verifier'),
              strictPkce: req.routeOptions.url === '/oauth/v3/token',
              scopes,
            })
          : await ctx.tokens.refresh(app, requiredString(body, 'refresh_token'), 'v2', scopes);
        return {
          code: 0,
          access_token: t.accessToken,
          expires_in: t.expiresIn,
          ...(t.refreshToken ? { refresh_token: t.refreshToken, refresh_token_expires_in: t.refreshExpiresIn } : {}),
          scope: t.scopes.join(' '),
          token_type: 'Bearer',
        };
      } catch (e) {
        if (e instanceof GrantError) throw apiError((isCode ? codeFailures : refreshFailures)[e.reason]);
        throw e;
      }
    },
  });
}
