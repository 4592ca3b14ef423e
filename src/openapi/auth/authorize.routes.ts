import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../http/context.js';
import type { App } from '../../store/repositories/app.repository.js';
import { authorizeErrorPage, authorizePage } from '../../web/authorize.page.js';

type Params = Record<string, string | undefined>;

class AuthorizeError extends Error {}

interface AuthorizeRequest {
  app: App;
  redirectUri: string;
  state: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

/** Validates the query of either variant (auth.md §5.1): `client_id` (current) or `app_id` (historic). */
async function parse(ctx: AppContext, q: Params): Promise<AuthorizeRequest> {
  // a repeated query key (`?app_id=a&app_id=b`) or a JSON body arrives as an array or object, not text
  const notText = Object.entries(q).find(([, v]) => v !== undefined && typeof v !== 'string');
  if (notText) throw new AuthorizeError(`${notText[0]} must be given once, as text`);
  const clientId = q.client_id ?? q.app_id;
  if (!clientId) throw new AuthorizeError('client_id is required');
  const app = await ctx.repos.apps.find(clientId);
  if (!app) throw new AuthorizeError(`app ${clientId} does not exist`);
  if (q.client_id !== undefined && q.response_type !== undefined && q.response_type !== 'code') {
    throw new AuthorizeError('response_type must be code');
  }
  const redirectUri = q.redirect_uri;
  if (!redirectUri) throw new AuthorizeError('redirect_uri is required');
  let parsed: URL;
  try {
    parsed = new URL(redirectUri);
  } catch {
    throw new AuthorizeError('redirect_uri must be an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AuthorizeError('redirect_uri must be http(s)');
  let scopes = app.scopes;
  if (q.scope) {
    const requested = [...new Set(q.scope.split(/\s+/).filter(Boolean))];
    const unknown = requested.filter((s) => s !== 'offline_access' && !app.scopes.includes(s));
    if (unknown.length > 0) throw new AuthorizeError(`the app has not enabled these scopes: ${unknown.join(', ')}`);
    scopes = requested;
  }
  const method = q.code_challenge_method ?? 'plain';
  if (q.code_challenge && method !== 'S256' && method !== 'plain') throw new AuthorizeError('code_challenge_method must be S256 or plain');
  return {
    app,
    redirectUri,
    state: q.state ?? '',
    scopes,
    ...(q.code_challenge ? { codeChallenge: q.code_challenge, codeChallengeMethod: method as 'S256' | 'plain' } : {}),
  };
}

function redirect(reply: FastifyReply, uri: string, params: Record<string, string>): FastifyReply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

/** The browser half of the OAuth code flow: a consent page and its form post. */
export function authorizeRoutes(app: FastifyInstance, ctx: AppContext): void {
  const show = async (req: { query: unknown }, reply: FastifyReply) => {
    try {
      const a = await parse(ctx, req.query as Params);
      const users = await ctx.repos.directory.forTenant(a.app.tenantKey, a.app.appId).activeUsers(200);
      const hidden: Record<string, string> = {
        client_id: a.app.appId,
        redirect_uri: a.redirectUri,
        state: a.state,
        scope: a.scopes.join(' '),
      };
      if (a.codeChallenge) {
        hidden.code_challenge = a.codeChallenge;
        hidden.code_challenge_method = a.codeChallengeMethod ?? 'plain';
      }
      return reply.type('text/html; charset=utf-8').send(authorizePage({ appName: a.app.name, users, scopes: a.scopes, hidden }));
    } catch (e) {
      if (e instanceof AuthorizeError) return reply.status(400).type('text/html; charset=utf-8').send(authorizeErrorPage(e.message));
      throw e;
    }
  };
  app.get('/open-apis/authen/v1/authorize', show);
  app.get('/open-apis/authen/v1/index', show);

  app.post('/open-apis/authen/v1/authorize', async (req, reply) => {
    const form = (req.body ?? {}) as Params;
    try {
      const a = await parse(ctx, form);
      if (form.action === 'deny') return redirect(reply, a.redirectUri, { error: 'access_denied', state: a.state });
      const userId = form.user_id;
      const user = userId ? await ctx.repos.directory.forTenant(a.app.tenantKey, a.app.appId).userByUserId(userId) : undefined;
      if (!user || user.status !== 'active') throw new AuthorizeError('choose an active user of this tenant');
      const code = await ctx.tokens.createCode(a.app, user.user_id, a.scopes, {
        redirectUri: a.redirectUri,
        ...(a.codeChallenge ? { codeChallenge: a.codeChallenge, codeChallengeMethod: a.codeChallengeMethod } : {}),
      });
      return redirect(reply, a.redirectUri, { code, state: a.state });
    } catch (e) {
      if (e instanceof AuthorizeError) return reply.status(400).type('text/html; charset=utf-8').send(authorizeErrorPage(e.message));
      throw e;
    }
  });
}
