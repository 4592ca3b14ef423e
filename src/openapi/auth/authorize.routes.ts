import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../http/context.js';
import type { App } from '../../store/repositories/app.repository.js';
import { isServerPage, redirectAllowed } from '../../domain/auth/redirect-uris.js';
import { authorizeErrorPage, authorizePage } from '../../web/authorize.page.js';
import { signedInUser } from '../../web/sign-in.routes.js';

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
  // Exact string match, before anything else can redirect: an unregistered URI gets this page, never a code or an error.
  if (!redirectAllowed(app, redirectUri, ctx.publicUrl)) throw new AuthorizeError(`redirect_uri is not registered for app ${app.appId}`);
  let scopes = app.scopes;
  if (q.scope) {
    const requested = [...new Set(q.scope.split(/\s+/).filter(Boolean))];
    const unknown = requested.filter((s) => s !== 'offline_access' && !app.scopes.includes(s));
    if (unknown.length > 0) throw new AuthorizeError(`the app has not enabled these scopes: ${unknown.join(', ')}`);
    scopes = requested;
  }
  const method = q.code_challenge_method ?? 'plain';
  if (q.code_challenge && method !== 'S256' && method !== 'plain') throw new AuthorizeError('code_challenge_method must be S256 or plain');
  if (q.code_challenge && !(method === 'S256' ? /^[A-Za-z0-9_-]{43}$/ : /^[A-Za-z0-9._~-]{43,128}$/).test(q.code_challenge)) {
    throw new AuthorizeError(method === 'S256' ? 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)' : 'a plain code_challenge is the verifier itself: 43–128 characters [A-Za-z0-9._~-]');
  }
  return {
    app,
    redirectUri,
    state: q.state ?? '',
    scopes,
    ...(q.code_challenge ? { codeChallenge: q.code_challenge, codeChallengeMethod: method as 'S256' | 'plain' } : {}),
  };
}

/** Who allows: the signed-in user; with the development flag and no sign-in, the user picked on the page. */
async function consentingUser(ctx: AppContext, req: FastifyRequest, app: App, form: Params): Promise<{ user_id: string }> {
  const me = await signedInUser(ctx, req, app.tenantKey);
  if (me) return me;
  if (!ctx.config.devPickUser) throw new AuthorizeError('you are not signed in (or your sign-in expired): open the authorization link again to sign in');
  const picked = form.user_id ? await ctx.repos.directory.forTenant(app.tenantKey, app.appId).userByUserId(form.user_id) : undefined;
  if (!picked || picked.status !== 'active') throw new AuthorizeError('choose an active user of this tenant');
  return picked;
}

function redirect(reply: FastifyReply, uri: string, params: Record<string, string>): FastifyReply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

/** The browser half of the OAuth code flow: a consent page and its form post. */
export function authorizeRoutes(app: FastifyInstance, ctx: AppContext): void {
  const show = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const a = await parse(ctx, req.query as Params);
      const me = await signedInUser(ctx, req, a.app.tenantKey);
      if (!me && !ctx.config.devPickUser) return reply.redirect(`/signin?${new URLSearchParams({ tenant: a.app.tenantKey, next: req.url })}`, 302);
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
      const as = me ? { signedIn: me, signOutNext: req.url } : { pickFrom: await ctx.repos.directory.forTenant(a.app.tenantKey, a.app.appId).activeUsers(200) };
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(authorizePage({ appName: a.app.name, scopes: a.scopes, hidden, as }));
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
      const user = await consentingUser(ctx, req, a.app, form);
      const code = await ctx.tokens.createCode(a.app, user.user_id, a.scopes, {
        redirectUri: a.redirectUri,
        ...(isServerPage(a.redirectUri, ctx.publicUrl) ? { serverPage: true } : {}),
        ...(a.codeChallenge ? { codeChallenge: a.codeChallenge, codeChallengeMethod: a.codeChallengeMethod } : {}),
      });
      return redirect(reply, a.redirectUri, { code, state: a.state });
    } catch (e) {
      if (e instanceof AuthorizeError) return reply.status(400).type('text/html; charset=utf-8').send(authorizeErrorPage(e.message));
      throw e;
    }
  });
}
