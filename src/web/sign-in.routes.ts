import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../http/context.js';
import { SignInError } from '../domain/auth/sign-in.service.js';
import type { UserRow } from '../store/repositories/directory.repository.js';
import { invitationPage, messagePage, signedInPage, signInPage } from './sign-in.page.js';

export const SESSION_COOKIE = 'openvc_session';
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

/** The user this browser is signed in as, in the tenant, if any. */
export async function signedInUser(ctx: AppContext, req: FastifyRequest, tenantKey: string): Promise<UserRow | undefined> {
  const token = cookieValue(req, SESSION_COOKIE);
  const session = token ? await ctx.signIn.session(token) : undefined;
  return session?.tenantKey === tenantKey ? session.user : undefined;
}

/** The sign-in page, its sessions (cookie `openvc_session`), sign-out and invitation links (docs/decisions.md "Sign-in"). */
export function signInRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secure = () => (ctx.publicUrl.startsWith('https:') ? '; Secure' : '');
  const setSession = (reply: FastifyReply, token: string) =>
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${ctx.config.signInSessionTtl}; HttpOnly; SameSite=Lax${secure()}`);
  const clearSession = (reply: FastifyReply) => reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure()}`);
  const signInHref = (tenant: string, next?: string) => `/signin?${new URLSearchParams({ tenant, ...(next ? { next } : {}) })}`;

  app.get('/signin', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Form;
    const next = safeNext(q.next) ?? '';
    const tenant = q.tenant || undefined;
    const me = tenant ? await signedInUser(ctx, req, tenant) : undefined;
    if (me) return next ? reply.redirect(next, 303) : html(reply, 200, signedInPage(me, signInHref(tenant!)));
    return html(reply, 200, signInPage({ ...(tenant ? { tenant } : {}), next }));
  });

  app.post('/signin', { schema: { hide: true } }, async (req, reply) => {
    const form = (req.body ?? {}) as Form;
    const tenant = (form.tenant ?? '').slice(0, 64);
    const login = (form.login ?? '').trim().slice(0, 255);
    const next = safeNext(form.next);
    const signedIn = tenant && login && form.password ? await ctx.signIn.signIn(tenant, login, form.password.slice(0, 1024), req.ip) : undefined;
    if (!signedIn) {
      req.log.info({ tenant_key: tenant }, 'sign-in refused');
      return html(reply, 401, signInPage({ tenant, next: next ?? '', login, error: 'Wrong user or password.' }));
    }
    req.log.info({ tenant_key: tenant, user_id: signedIn.session.userId }, 'signed in');
    setSession(reply, signedIn.token);
    return reply.redirect(next ?? signInHref(tenant), 303);
  });

  app.post('/signout', { schema: { hide: true } }, async (req, reply) => {
    const token = cookieValue(req, SESSION_COOKIE);
    if (token) await ctx.signIn.signOut(token);
    clearSession(reply);
    return reply.redirect(safeNext(((req.body ?? {}) as Form).next) ?? '/signin', 303);
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
