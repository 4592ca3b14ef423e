import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../http/context.js';
import { errorDefs } from '../contract/errors.js';
import { signedInSession } from './sign-in.routes.js';
import { troubleshootMessage, troubleshootPage } from './troubleshoot.page.js';

const LOG_ID = /^[0-9A-Z]{14,64}$/;
const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const meaningOf = new Map<number, string>(Object.values(errorDefs).map((d) => [d.code, d.msg]));

/**
 * The page an error's `troubleshooter` link opens: the request's log lines, for a signed-in administrator
 * of the tenant whose app made the request (docs/decisions.md "Troubleshooter pages"). Anyone else learns
 * nothing about the request, not even whether it exists.
 */
export function troubleshootRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/troubleshoot', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const logId = typeof q.log_id === 'string' ? q.log_id : '';
    const me = await signedInSession(ctx, req);
    if (!me) return reply.redirect(`/signin?${new URLSearchParams({ next: `/troubleshoot?${new URLSearchParams({ log_id: LOG_ID.test(logId) ? logId : '' })}` })}`, 303);
    if (me.user.is_admin !== 1) {
      return html(reply, 403, troubleshootMessage('Administrators only', `Request logs are shown to administrators of the tenant only; you are signed in as ${me.user.user_id}. An administrator can give you the role (openvc user admin ${me.user.user_id}).`, 'refused'));
    }
    const entry = LOG_ID.test(logId) ? ctx.requestLog?.get(logId) : undefined;
    if (!entry || entry.tenantKey !== me.tenantKey) {
      const kept = ctx.requestLog?.maxRequests ?? 0;
      return html(reply, 404, troubleshootMessage('No log lines here', `This server process keeps the log lines of its last ${kept} requests, and none of your tenant's has log id ${logId}. Every line is also in the server's log (standard output): search it for the log id.`, 'missing'));
    }
    const meaning = entry.code === undefined ? undefined : meaningOf.get(entry.code);
    return html(reply, 200, troubleshootPage({ logId, lines: entry.lines, ...(entry.code !== undefined ? { code: entry.code } : {}), ...(meaning ? { meaning } : {}) }));
  });
}
