import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../http/context.js';
import { SignInError } from '../domain/auth/sign-in.service.js';
import { ApiError } from '../contract/errors.js';
import type { UserRow } from '../store/repositories/directory.repository.js';
import { invitationPage, messagePage, signedInPage, signInPage } from './sign-in.page.js';

export const SESSION_COOKIE = 'openvc_session';
/** The `state` of an upstream sign-in in flight, binding the provider's answer to the browser that asked. */
const OIDC_COOKIE = 'openvc_oidc';
type Form = Record<string, string | undefined>;

const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** The cookie's raw value: our tokens are base64url, so nothing is decoded (a malformed cookie is no error). */
function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,100}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

/** Where to go after signing in or out: a path on this server only, never another site. */
export function safeNext(next: string | undefined): string | undefined {
  return next && next.length <= 4096 && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : undefined;
}

/** The tenant and user this browser is signed in as, if any. */
export async function signedInSession(ctx: AppContext, req: FastifyRequest): Promise<{ tenantKey: string; user: UserRow } | undefined> {
  const token = cookieValue(req, SESSION_COOKIE);
  const session = token ? await ctx.signIn.session(token) : undefined;
  return session ? { tenantKey: session.tenantKey, user: session.user } : undefined;
}

/** The user this browser is signed in as, in the tenant, if any. */
export async function signedInUser(ctx: AppContext, req: FastifyRequest, tenantKey: string): Promise<UserRow | undefined> {
  const token = cookieValue(req, SESSION_COOKIE);
  const session = token ? await ctx.signIn.session(token) : undefined;
  return session?.tenantKey === tenantKey ? session.user : undefined;
}

/** The host of an Origin header (undefined for `null` and anything unparsable). */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}

/** The sign-in page, its sessions (cookie `openvc_session`), sign-out and invitation links (docs/decisions.md "Sign-in"). */
export function signInRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secure = () => (ctx.publicUrl.startsWith('https:') ? '; Secure' : '');
  const sessionCookie = (token: string) => `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${ctx.config.signInSessionTtl}; HttpOnly; SameSite=Lax${secure()}`;
  const setSession = (reply: FastifyReply, token: string) => reply.header('set-cookie', sessionCookie(token));
  const clearSession = (reply: FastifyReply) => reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure()}`);
  const signInHref = (tenant: string, next?: string) => `/signin?${new URLSearchParams({ tenant, ...(next ? { next } : {}) })}`;
  const oidcLink = (tenant: string, next: string) => (ctx.oidc && tenant ? { oidcHref: `/signin/oidc?${new URLSearchParams({ tenant, next })}` } : {});

  app.get('/signin', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Form;
    const next = safeNext(q.next) ?? '';
    const tenant = q.tenant || undefined;
    const me = tenant ? await signedInUser(ctx, req, tenant) : undefined;
    if (me) return next ? reply.redirect(next, 303) : html(reply, 200, signedInPage(me, signInHref(tenant!)));
    return html(reply, 200, signInPage({ ...(tenant ? { tenant, ...oidcLink(tenant, next) } : {}), next }));
  });

  app.post('/signin', { schema: { hide: true } }, async (req, reply) => {
    const form = (req.body ?? {}) as Form;
    const tenant = (form.tenant ?? '').slice(0, 64);
    const login = (form.login ?? '').trim().slice(0, 255);
    const next = safeNext(form.next);
    let signedIn;
    try {
      signedIn = tenant && login && form.password ? await ctx.signIn.signIn(tenant, login, form.password.slice(0, 1024), req.ip) : undefined;
    } catch (e) {
      if (!(e instanceof ApiError) || e.errorName !== 'guessThrottled') throw e;
      req.log.warn({ tenant_key: tenant }, 'sign-in throttled');
      const retry = String(e.detail.headers?.['retry-after'] ?? '60');
      reply.header('retry-after', retry);
      return html(reply, 429, signInPage({ tenant, next: next ?? '', login, error: `Too many failed tries. Try again in ${retry} seconds.`, ...oidcLink(tenant, next ?? '') }));
    }
    if (!signedIn) {
      req.log.info({ tenant_key: tenant }, 'sign-in refused');
      return html(reply, 401, signInPage({ tenant, next: next ?? '', login, error: 'Wrong user or password.', ...oidcLink(tenant, next ?? '') }));
    }
    req.log.info({ tenant_key: tenant, user_id: signedIn.session.userId }, 'signed in');
    setSession(reply, signedIn.token);
    return reply.redirect(next ?? signInHref(tenant), 303);
  });

  app.post('/signout', { schema: { hide: true } }, async (req, reply) => {
    // Browsers send Origin with every form POST: a sign-out posted from another site's page is refused
    // (SameSite=Lax keeps the cookie away from it, but the answer would still clear the cookie).
    const origin = req.headers.origin;
    if (origin !== undefined && originHost(origin) !== req.headers.host) {
      req.log.warn({ origin: origin.slice(0, 200) }, 'cross-site sign-out refused');
      return html(reply, 403, messagePage('Not signed out', 'A sign-out must come from a page of this server.'));
    }
    const token = cookieValue(req, SESSION_COOKIE);
    if (token) await ctx.signIn.signOut(token);
    clearSession(reply);
    return reply.redirect(safeNext(((req.body ?? {}) as Form).next) ?? '/signin', 303);
  });

  app.get('/signin/oidc', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Form;
    const tenant = (q.tenant ?? '').slice(0, 64);
    if (!ctx.oidc || !tenant) return html(reply, 404, messagePage('Not available', 'Sign-in through an organisation account is not set up here.'));
    try {
      const { url, state } = await ctx.oidc.start(tenant, safeNext(q.next) ?? '');
      reply.header('set-cookie', `${OIDC_COOKIE}=${state}; Path=/signin/oidc; Max-Age=600; HttpOnly; SameSite=Lax${secure()}`);
      return reply.redirect(url, 302);
    } catch (e) {
      if (e instanceof SignInError) return html(reply, 502, messagePage('Sign-in failed', e.message));
      throw e;
    }
  });

  app.get('/signin/oidc/callback', { schema: { hide: true } }, async (req, reply) => {
    reply.header('set-cookie', `${OIDC_COOKIE}=; Path=/signin/oidc; Max-Age=0; HttpOnly; SameSite=Lax${secure()}`);
    if (!ctx.oidc) return html(reply, 404, messagePage('Not available', 'Sign-in through an organisation account is not set up here.'));
    try {
      const done = await ctx.oidc.finish(new URL(req.url, ctx.publicUrl), cookieValue(req, OIDC_COOKIE));
      req.log.info({ tenant_key: done.session.tenantKey, user_id: done.session.userId }, 'signed in upstream');
      reply.header('set-cookie', sessionCookie(done.token));
      return reply.redirect(safeNext(done.next) ?? signInHref(done.session.tenantKey), 303);
    } catch (e) {
      if (e instanceof SignInError) {
        req.log.info({ reason: e.message }, 'upstream sign-in refused');
        return html(reply, 400, messagePage('Sign-in failed', e.message, { href: '/signin', text: 'Sign in' }));
      }
      throw e;
    }
  });

  const invited = async (req: FastifyRequest) => {
    const token = (req.params as { token: string }).token;
    return /^[A-Za-z0-9_-]{43}$/.test(token) ? { token, user: await ctx.signIn.invitation(token) } : undefined;
  };
  const goneInvitation = (reply: FastifyReply) => html(reply, 404, messagePage('Invitation not valid', 'This invitation link is unknown, used or expired. Ask your administrator for a new one.'));

  app.get('/invite/:token', { schema: { hide: true } }, async (req, reply) => {
    const inv = await invited(req);
    return inv?.user ? html(reply, 200, invitationPage(inv.user)) : goneInvitation(reply);
  });

  app.post('/invite/:token', { schema: { hide: true } }, async (req, reply) => {
    const inv = await invited(req);
    if (!inv?.user) return goneInvitation(reply);
    const form = (req.body ?? {}) as Form;
    const password = form.password ?? '';
    if (password !== form.confirm) return html(reply, 400, invitationPage({ ...inv.user, error: 'The two passwords differ.' }));
    try {
      const done = await ctx.signIn.acceptInvitation(inv.token, password);
      if (!done) return goneInvitation(reply);
      req.log.info({ tenant_key: done.tenantKey, user_id: done.userId }, 'password set through invitation');
      return html(reply, 200, messagePage('Password set', 'You can sign in with it now.', { href: signInHref(done.tenantKey), text: 'Sign in' }));
    } catch (e) {
      if (e instanceof SignInError) return html(reply, 400, invitationPage({ ...inv.user, error: e.message }));
      throw e;
    }
  });
}
