import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../http/context.js';
import { apiError } from '../contract/errors.js';
import type { Principal } from '../domain/auth/principal.js';
import { UserIdMapper } from '../domain/identity/user-ids.js';
import type { UserRow } from '../store/repositories/directory.repository.js';
import { signedInSession } from './sign-in.routes.js';
import { consoleRefusal } from './console.page.js';

/** A signed-in administrator and the tenant they administer. */
export type Admin = { tenantKey: string; user: UserRow };

export const consoleHtml = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

const hostOf = (origin: string): string | undefined => {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
};

/** Who may use the console, and how its answers look (docs/decisions.md "Admin console"). */
export function consoleGuard(ctx: AppContext) {
  /** The signed-in administrator, or a refusal already sent. */
  const pageAdmin = async (req: FastifyRequest, reply: FastifyReply): Promise<Admin | undefined> => {
    const me = await signedInSession(ctx, req);
    if (!me) {
      await reply.redirect(`/signin?${new URLSearchParams({ next: req.url })}`, 303);
      return undefined;
    }
    if (me.user.is_admin !== 1) {
      await consoleHtml(reply, 403, consoleRefusal(me.user.user_id));
      return undefined;
    }
    return me;
  };
  /** The administrator behind a JSON call; a refusal is an error in the Open API's envelope. */
  const apiAdmin = async (req: FastifyRequest): Promise<Admin> => {
    if (req.method !== 'GET') {
      const origin = req.headers.origin;
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('application/json') || (origin !== undefined && hostOf(origin) !== req.headers.host)) throw apiError('consoleCrossSite');
    }
    const me = await signedInSession(ctx, req);
    if (!me) throw apiError('consoleSignedOut');
    if (me.user.is_admin !== 1) throw apiError('consoleAdminOnly', { msg: `administrators only: ${me.user.user_id} is no administrator of this tenant` });
    return me;
  };
  /** The administrator as a user of the console (no app): what domain services see as the caller. */
  const principal = (a: Admin): Principal => ({ kind: 'user', appId: '', tenantKey: a.tenantKey, appScopes: [], userId: a.user.user_id, grantedScopes: [] });
  /** The console names users by their tenant user_id (no app stands between it and the directory). */
  const tenantIds = (a: Admin) => new UserIdMapper(ctx.repos.directory.forTenant(a.tenantKey, ''), 'user_id');
  const ok = (data: unknown) => ({ code: 0, msg: 'success', data });

  return { pageAdmin, apiAdmin, principal, tenantIds, ok };
}
