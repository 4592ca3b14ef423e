import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { UserIdTypeParam, userIdMapper } from '../../domain/identity/user-ids.js';
import { USER_TYPE } from '../../domain/meeting/meeting.js';
import { coverDays } from '../../domain/report/calendar.js';
import { dailyReport, dayRange, type OrderBy } from '../../domain/report/report.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { MeetingReport, TopUser, presentDailyReport, presentTopUser } from './report.presenter.js';

/**
 * Times stay strings here: the domain checks them and says what is wrong. Everything else malformed is
 * 121003 as well (`badRequest`), which report.md lists for missing and out-of-range parameters.
 */
const range = {
  start_time: Type.String({ description: 'unix seconds; the report starts on this day' }),
  end_time: Type.String({ description: 'unix seconds; the report ends on this day (at the latest today)' }),
  // openvc keeps every tenant's data in one place, so any residency answers the same.
  unit: Type.Optional(Type.Integer({ minimum: 0, maximum: 3, description: 'data residency: 0 Mainland China, 1 US, 2 Singapore, 3 Japan' })),
};
const DailyQuery = Type.Object(range);
/** report.md §3: top 10 unless asked otherwise, at most top 100 */
const DEFAULT_LIMIT = 10;
const TopUserQuery = Type.Object({
  ...range,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_LIMIT })),
  order_by: Type.Integer({ minimum: 1, maximum: 2, description: '1 meeting count, 2 meeting duration (descending)' }),
  user_id_type: UserIdTypeParam,
});

export function reportRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('report.getDaily', {
    schema: { querystring: DailyQuery, response: Type.Object({ meeting_report: MeetingReport }) },
    badRequest: 'paramError',
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof DailyQuery> }>) => {
      const p = principalOf(req);
      const days = dayRange(req.query.start_time, req.query.end_time, Date.now(), ctx.config.reportWindow);
      const rows = await ctx.repos.reports.days(p.tenantKey, days.from, days.to);
      return { meeting_report: presentDailyReport(dailyReport(days, rows)) };
    },
  });

  r.method('report.getTopUser', {
    schema: { querystring: TopUserQuery, response: Type.Object({ top_user_report: Type.Array(TopUser) }) },
    badRequest: 'paramError',
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof TopUserQuery> }>) => {
      const p = principalOf(req);
      const q = req.query;
      const ids = userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), q.user_id_type, ctx.publicUrl);
      const days = dayRange(q.start_time, q.end_time, Date.now(), ctx.config.reportWindow);
      const top = await ctx.repos.reports.topUsers(p.tenantKey, coverDays(days.from, days.to), q.order_by as OrderBy, q.limit ?? DEFAULT_LIMIT);
      if (ids.type === 'user_id' && top.some((u) => u.userType === USER_TYPE.rooms)) {
        throw apiError('invalidLarkId', 'The request you send is not a valid user_id or not exists: the top list holds Feishu Rooms, which have no user_id; ask for open_id or union_id');
      }
      return { top_user_report: top.map((u) => presentTopUser(u, ids)) };
    },
  });
}
