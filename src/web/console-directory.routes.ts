import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { apiError } from '../contract/errors.js';
import { EVENT_TYPES } from '../contract/events.js';
import { RedirectUriService } from '../domain/auth/redirect-uri.service.js';
import { SubscriptionService } from '../events/subscription.service.js';
import { presentDelivery } from '../events/delivery-view.js';
import { consoleGuard, type Admin } from './console-guard.js';

type Json = Record<string, unknown>;
const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** How long an invitation link made in the console stays usable, as `openvc user invite` by default. */
const INVITE_TTL_S = 72 * 3600;

/** The console's users, departments and apps pages' calls (docs/decisions.md "Admin console"). */
export function consoleDirectoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { apiAdmin, ok } = consoleGuard(ctx);
  const subscriptions = new SubscriptionService(ctx.repos.apps, () => ({ publicUrl: ctx.publicUrl, port: (app.server.address() as AddressInfo | null)?.port ?? ctx.config.port }));
  const redirectUris = new RedirectUriService(ctx.repos.apps);
  const str = (v: unknown, name: string, max = 255) => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw apiError('paramError', `param error: ${name} is required (at most ${max} characters)`);
    return v.trim();
  };
  /** An app of the administrator's tenant; another tenant's app is as unknown as no app. */
  const ownApp = async (a: Admin, appId: string) => {
    const found = await ctx.repos.apps.find(appId);
    if (!found || found.tenantKey !== a.tenantKey) throw apiError('dataNotExist', `data not exist: app ${appId} is no app of this tenant`);
    return found;
  };
  const ownUser = async (a: Admin, userId: string) => {
    const u = await ctx.repos.directory.forTenant(a.tenantKey, '').userByUserId(userId);
    if (!u) throw apiError('dataNotExist', `data not exist: user ${userId} is no user of this tenant`);
    return u;
  };

  app.get('/admin/api/users', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const q = req.query as Json;
    const after = typeof q.after === 'string' ? q.after.slice(0, 64) : '';
    const [users, departments] = await Promise.all([ctx.repos.console.users(a.tenantKey, after, 201), ctx.repos.console.departments(a.tenantKey)]);
    return ok({ users: users.slice(0, 200), has_more: users.length > 200, departments, me: a.user.user_id });
  });

  app.post('/admin/api/users', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const b = (req.body ?? {}) as Json;
    const userId = str(b.user_id, 'user_id', 64);
    if (!USER_ID.test(userId)) throw apiError('paramError', 'param error: user_id takes letters, digits, _ . - (at most 64)');
    const name = str(b.name, 'name');
    const email = typeof b.email === 'string' && b.email.trim() ? b.email.trim() : undefined;
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw apiError('paramError', 'param error: email is no email address');
    const department = typeof b.department_id === 'string' && b.department_id ? b.department_id : undefined;
    if (department && !(await ctx.repos.console.departments(a.tenantKey)).some((d) => d.department_id === department)) throw apiError('dataNotExist', `data not exist: department ${department}`);
    if (await ctx.repos.directory.forTenant(a.tenantKey, '').userByUserId(userId)) throw apiError('dataConflict', `data conflict: user ${userId} already exists`);
    // The seed's own upsert: the same checks and derived IDs as `openvc seed`.
    await ctx.repos.directory.applySeed({
      tenants: [{ tenant_key: a.tenantKey, name: (await ctx.repos.console.tenantName(a.tenantKey)) ?? a.tenantKey, users: [{ user_id: userId, name, ...(email ? { email } : {}), ...(department ? { department_ids: [department] } : {}) }] }],
    });
    req.log.info({ tenant_key: a.tenantKey, by: a.user.user_id, user_id: userId }, 'console added a user');
    return ok({ user_id: userId });
  });

  app.post('/admin/api/users/:user_id/:action', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const { user_id: userId, action } = req.params as { user_id: string; action: string };
    const body = (req.body ?? {}) as Json;
    await ownUser(a, userId);
    const self = userId === a.user.user_id;
    switch (action) {
      case 'status': {
        if (body.status !== 'active' && body.status !== 'frozen') throw apiError('paramError', 'param error: status is active or frozen');
        if (self && body.status !== 'active') throw apiError('noPermission', 'no permission: you cannot disable yourself');
        await ctx.repos.directory.setStatus(a.tenantKey, userId, body.status);
        return ok({});
      }
      case 'admin': {
        if (typeof body.admin !== 'boolean') throw apiError('paramError', 'param error: admin must be true or false');
        if (self && !body.admin) throw apiError('noPermission', 'no permission: you cannot take your own administrator role (another administrator can)');
        await ctx.repos.directory.setAdmin(a.tenantKey, userId, body.admin);
        return ok({});
      }
      case 'invite': {
        const { token, expiresAt } = await ctx.signIn.invite(a.tenantKey, userId, INVITE_TTL_S);
        req.log.info({ tenant_key: a.tenantKey, by: a.user.user_id, user_id: userId }, 'console made an invitation link');
        return ok({ url: `${ctx.publicUrl}/invite/${token}`, expires_at: expiresAt });
      }
      default:
        throw apiError('dataNotExist', `data not exist: no user action ${action}`);
    }
  });

  app.get('/admin/api/apps', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const apps = await ctx.repos.console.apps(a.tenantKey);
    return ok({
      apps: apps.map((x) => ({ app_id: x.app_id, name: x.name, scopes: JSON.parse(x.scopes) as string[], redirect_uris: JSON.parse(x.redirect_uris) as string[], request_url: x.request_url, event_types: x.event_types ? (JSON.parse(x.event_types) as string[]) : [] })),
      event_types: EVENT_TYPES,
    });
  });

  app.post('/admin/api/apps/:app_id/redirect_uris', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const appId = (req.params as { app_id: string }).app_id;
    await ownApp(a, appId);
    const uris = ((req.body ?? {}) as Json).redirect_uris;
    if (!Array.isArray(uris) || uris.some((u) => typeof u !== 'string')) throw apiError('paramError', 'param error: redirect_uris is a list of URIs');
    return ok({ redirect_uris: await redirectUris.replace(appId, uris as string[]) });
  });

  app.post('/admin/api/apps/:app_id/event_subscription', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const appId = (req.params as { app_id: string }).app_id;
    await ownApp(a, appId);
    const b = (req.body ?? {}) as Json;
    if (b.request_url !== undefined && b.request_url !== null && typeof b.request_url !== 'string') throw apiError('paramError', 'param error: request_url is a URL or empty');
    if (b.event_types !== undefined && (!Array.isArray(b.event_types) || b.event_types.some((t) => typeof t !== 'string'))) throw apiError('paramError', 'param error: event_types is a list of event types');
    const { subscription } = await subscriptions.set(appId, { ...(b.request_url !== undefined ? { request_url: b.request_url as string | null } : {}), ...(b.event_types !== undefined ? { event_types: b.event_types as string[] } : {}) });
    return ok({ request_url: subscription.request_url, event_types: subscription.event_types });
  });

  app.get('/admin/api/deliveries', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const q = req.query as Json;
    const status = q.status === 'pending' || q.status === 'delivered' || q.status === 'failed' ? q.status : undefined;
    const appId = typeof q.app_id === 'string' && q.app_id ? q.app_id : undefined;
    const rows = await ctx.repos.deliveries.list({ tenantKey: a.tenantKey, ...(appId ? { appId } : {}), ...(status ? { status } : {}) }, 100);
    return ok({ deliveries: rows.map(presentDelivery) });
  });

  app.post('/admin/api/deliveries/redeliver', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const ids = ((req.body ?? {}) as Json).delivery_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100 || ids.some((i) => typeof i !== 'string')) throw apiError('paramError', 'param error: delivery_ids lists 1 to 100 deliveries');
    // Scoped to the tenant: another tenant's delivery IDs match nothing.
    const count = await ctx.repos.deliveries.redeliver({ tenantKey: a.tenantKey, ids: ids as string[] }, Date.now());
    if (count > 0) ctx.events.nudge();
    return ok({ count });
  });
}
