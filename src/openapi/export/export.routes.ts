import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { meetingListQuery, participantListQuery, qualityListQuery, reservationListQuery } from '../../domain/export/queries.js';
import { EXPORT_STATUS } from '../../store/repositories/export.repository.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { principalOf } from '../../http/auth.js';
import type { ExportKind, QueryOf } from '../../export/kinds.js';
import { CreateQuery, MeetingListFields, ParticipantListFields, QualityListFields, ReservationCreateQuery, exportFail, readerOf, reservationListFields, resolveUser } from './export.params.js';

const Created = Type.Object({ task_id: Type.String() });
const TaskParams = Type.Object({ task_id: Type.String({ minLength: 1, maxLength: 64 }) });
const TaskView = Type.Object({
  status: Type.Integer({ description: '1 in progress, 2 failed, 3 done' }),
  url: Type.Optional(Type.String()),
  file_token: Type.Optional(Type.String()),
  fail_msg: Type.Optional(Type.String()),
});
const DownloadQuery = Type.Object({ file_token: Type.String({ minLength: 1, maxLength: 256 }) });

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Export tasks (export.md §2–7). */
export function exportRoutes(r: RouteRegistrar, ctx: AppContext): void {
  /** A create endpoint: check the body (121003/121004), resolve its user, store the task. */
  const create = <K extends ExportKind, B extends TSchema>(id: string, body: B, kind: K, parse: (body: Static<B>, now: number) => QueryOf<K>, querystring: TSchema = CreateQuery) =>
    r.method(id, {
      schema: { querystring, body, response: Created },
      handler: async (req: FastifyRequest<{ Querystring: Static<typeof CreateQuery>; Body: Static<B> }>) => {
        const { p, ids, idType, timeZone } = readerOf(ctx, req, req.query);
        const query = await resolveUser(ids, parse(req.body, Date.now()));
        return { task_id: await ctx.exports.create(p, kind, query, idType, timeZone, exportFail) };
      },
    });
  create('export.meetingList', Type.Object(MeetingListFields), 'meeting_list', (b, now) => meetingListQuery(b, now, true, exportFail));
  create('export.participantList', Type.Object(ParticipantListFields), 'participant_list', (b, now) => participantListQuery(b, now, exportFail));
  create('export.participantQualityList', Type.Object(QualityListFields), 'participant_quality_list', (b, now) => qualityListQuery(b, now, exportFail));
  create('export.resourceReservationList', Type.Object(reservationListFields(false)), 'resource_reservation_list', (b, now) => reservationListQuery(b, now, exportFail), ReservationCreateQuery);

  r.method('export.get', {
    schema: { params: TaskParams, response: TaskView },
    handler: async (req: FastifyRequest<{ Params: Static<typeof TaskParams> }>) => {
      const task = await ctx.exports.task(principalOf(req), req.params.task_id);
      if (task.status === EXPORT_STATUS.failed) return { status: task.status, fail_msg: task.fail_msg ?? '' };
      if (task.status !== EXPORT_STATUS.done || !task.file_token) return { status: task.status, fail_msg: '' };
      return {
        status: task.status,
        fail_msg: '',
        url: `${ctx.publicUrl}/open-apis/vc/v1/exports/download?file_token=${encodeURIComponent(task.file_token)}`,
        file_token: task.file_token,
      };
    },
  });

  r.method('export.download', {
    schema: { querystring: DownloadQuery },
    raw: true,
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof DownloadQuery> }>, reply: FastifyReply) => {
      const { task, stream } = await ctx.exports.download(principalOf(req), req.query.file_token);
      const name = task.file_name ?? `export-${task.task_id}.xlsx`;
      reply
        .type(XLSX)
        .header('content-length', String(task.file_size ?? 0))
        // An ASCII name for old clients, the real (Chinese) one per RFC 6266 / 5987.
        .header('content-disposition', `attachment; filename="export-${task.task_id}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
      return reply.send(stream);
    },
  });
}
