import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { apiError } from '../contract/errors.js';
import type { Principal } from '../domain/auth/principal.js';
import { meetingListQuery, participantListQuery, qualityListQuery, reservationListQuery, type Fail } from '../domain/export/queries.js';
import type { ExportKind } from '../export/kinds.js';
import { EXPORT_STATUS } from '../store/repositories/export.repository.js';
import { consoleGuard, type Admin } from './console-guard.js';

type Json = Record<string, unknown>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** What an export query refuses, in the console's words: what does not exist 121004, the rest 121003 (as the export API). */
const consoleFail: Fail = (problem, message) => {
  throw apiError(problem === 'no_meeting' || problem === 'no_device' || problem === 'room' || problem === 'level' ? 'dataNotExist' : 'paramError', message);
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, 128) : undefined);
const seconds = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !/^\d{1,11}$/.test(v)) throw apiError('paramError', `param error: ${name} must be unix seconds`);
  return v;
};

/**
 * The console's exports page: the four exports of the export API, made by the console (tenant-wide,
 * as a tenant token sees them; tasks carry no app), their progress, and their files. A form's
 * `request_id` makes a double submit return the first task instead of starting a second one.
 */
export function consoleExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { apiAdmin, ok } = consoleGuard(ctx);
  const exporter = (a: Admin): Principal => ({ kind: 'tenant', appId: '', tenantKey: a.tenantKey, appScopes: [] });

  const create = async (a: Admin, b: Json): Promise<string> => {
    const now = Date.now();
    const p = exporter(a);
    const tz = ctx.config.exportTimeZone;
    const kind = b.kind as ExportKind;
    switch (kind) {
      case 'meeting_list':
        return ctx.exports.create(p, kind, meetingListQuery({ start_time: seconds(b.start_time, 'start_time'), end_time: seconds(b.end_time, 'end_time'), ...opt('meeting_no', b), ...opt('user_id', b), ...opt('room_id', b), ...(b.meeting_status ? { meeting_status: Number(b.meeting_status) } : {}) }, now, true, consoleFail), 'user_id', tz, consoleFail);
      case 'participant_list':
        return ctx.exports.create(p, kind, participantListQuery({ meeting_start_time: seconds(b.start_time, 'start_time'), meeting_end_time: seconds(b.end_time, 'end_time'), meeting_no: text(b.meeting_no) ?? '', ...opt('user_id', b), ...opt('room_id', b) }, now, consoleFail), 'user_id', tz, consoleFail);
      case 'participant_quality_list':
        return ctx.exports.create(p, kind, qualityListQuery({ meeting_start_time: seconds(b.start_time, 'start_time'), meeting_end_time: seconds(b.end_time, 'end_time'), meeting_no: text(b.meeting_no) ?? '', join_time: seconds(b.join_time, 'join_time'), ...opt('user_id', b), ...opt('room_id', b) }, now, consoleFail), 'user_id', tz, consoleFail);
      case 'resource_reservation_list':
        return ctx.exports.create(p, kind, reservationListQuery({ room_level_id: text(b.room_level_id) ?? '0', need_topic: true, start_time: seconds(b.start_time, 'start_time'), end_time: seconds(b.end_time, 'end_time') }, now, consoleFail), 'user_id', tz, consoleFail);
      default:
        throw apiError('paramError', 'param error: kind is one of meeting_list, participant_list, participant_quality_list, resource_reservation_list');
    }
  };

  app.post('/admin/api/exports', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const b = (req.body ?? {}) as Json;
    const requestId = typeof b.request_id === 'string' && REQUEST_ID.test(b.request_id) ? b.request_id : undefined;
    if (!requestId) throw apiError('paramError', 'param error: request_id (8 to 64 letters, digits, _ or -) identifies the form, so that a second submit does not export twice');
    // Claimed in the store, so the same form sent to two server processes still starts one export.
    if (!(await ctx.repos.console.claimRequest(a.tenantKey, requestId, Date.now()))) {
      const earlier = await ctx.repos.console.requestResult(a.tenantKey, requestId);
      if (earlier) return ok({ ...(JSON.parse(earlier) as Json), repeated: true });
      throw apiError('dataConflict', 'data conflict: this form was just submitted and is still being handled; wait for it');
    }
    try {
      const taskId = await create(a, b);
      await ctx.repos.console.finishRequest(a.tenantKey, requestId, JSON.stringify({ task_id: taskId }));
      req.log.info({ tenant_key: a.tenantKey, by: a.user.user_id, task_id: taskId, kind: b.kind }, 'console started an export');
      return ok({ task_id: taskId });
    } catch (e) {
      await ctx.repos.console.dropRequest(a.tenantKey, requestId);
      throw e;
    }
  });

  app.get('/admin/api/exports', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const tasks = (await ctx.repos.exports.list({ tenantKey: a.tenantKey }, 200)).filter((t) => t.app_id === '').slice(0, 50);
    return ok({
      tasks: tasks.map((t) => ({
        task_id: t.task_id,
        kind: t.kind,
        status: t.status === EXPORT_STATUS.done ? 'done' : t.status === EXPORT_STATUS.failed ? 'failed' : 'running',
        rows_done: t.rows_done,
        rows_total: t.rows_total,
        fail_msg: t.fail_msg,
        file_name: t.file_name,
        file_size: t.file_size,
        created_at: t.created_at,
        expired: t.expires_at !== null && t.expires_at <= Date.now(),
      })),
    });
  });

  app.get('/admin/api/exports/:task_id/file', { schema: { hide: true } }, async (req, reply) => {
    const a = await apiAdmin(req);
    const task = await ctx.exports.task(exporter(a), (req.params as { task_id: string }).task_id);
    if (task.status !== EXPORT_STATUS.done || !task.file_token) throw apiError('paramError', `param error: export task ${task.task_id} has no file yet`);
    const { stream } = await ctx.exports.download(exporter(a), task.file_token);
    return reply
      .type(XLSX)
      .header('content-length', String(task.file_size ?? 0))
      .header('content-disposition', `attachment; filename="export-${task.task_id}.xlsx"; filename*=UTF-8''${encodeURIComponent(task.file_name ?? `export-${task.task_id}.xlsx`)}`)
      .send(stream);
  });
}

function opt(name: 'meeting_no' | 'user_id' | 'room_id', b: Json): Record<string, string> {
  const v = text(b[name]);
  return v ? { [name]: v } : {};
}
