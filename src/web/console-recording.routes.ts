import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { apiError } from '../contract/errors.js';
import type { Principal } from '../domain/auth/principal.js';
import { PERMISSION_ACTION, PERMISSION_TYPE } from '../domain/recording/recording.js';
import { RECORDING_STATUS } from '../store/repositories/recording.repository.js';
import { consoleGuard, type Admin } from './console-guard.js';

type Json = Record<string, unknown>;
const LIST_CAP = 200;

/**
 * The console's recordings page: segments with their meeting, play, who may watch (the tenant, anyone:
 * the recording API's grants), compose again from the raw tracks, delete; and the storage they take.
 */
export function consoleRecordingRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { apiAdmin, ok, tenantIds } = consoleGuard(ctx);
  /** Recording grants are the meeting owner's or any app's of the tenant; the console acts as the tenant. */
  const asTenant = (a: Admin): Principal => ({ kind: 'tenant', appId: '', tenantKey: a.tenantKey, appScopes: [] });
  const idOf = (params: unknown) => (params as { id: string }).id;

  app.get('/admin/api/recordings', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const rows = await ctx.repos.recordings.list(a.tenantKey, LIST_CAP);
    const grants = new Map<string, string[]>();
    for (const meetingId of new Set(rows.map((r) => r.meeting_id))) grants.set(meetingId, (await ctx.repos.recordings.grants(a.tenantKey, meetingId)).map((g) => (g.kind === 'user' ? `user:${g.user_id}` : g.kind)));
    const recordings = await Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        meeting_id: r.meeting_id,
        topic: r.topic,
        meeting_no: r.meeting_no,
        status: r.status,
        started_at: r.started_at,
        ended_at: r.ended_at,
        duration_ms: r.duration_ms,
        file_size: r.file_size,
        fail_reason: r.fail_reason,
        disk_bytes: await ctx.recordings.bytesOf(r),
        grants: grants.get(r.meeting_id) ?? [],
      })),
    );
    return ok({ recordings, storage: { file_bytes: await ctx.repos.recordings.fileBytes(a.tenantKey), listed_disk_bytes: recordings.reduce((n, r) => n + r.disk_bytes, 0) }, capped: rows.length === LIST_CAP });
  });

  app.get('/admin/api/recordings/:id/media', { schema: { hide: true } }, async (req, reply) => {
    const a = await apiAdmin(req);
    const rec = await ctx.repos.recordings.byId(idOf(req.params));
    if (!rec || rec.tenant_key !== a.tenantKey) throw apiError('dataNotExist', `data not exist: recording ${idOf(req.params)} is no recording of this tenant`);
    if (rec.status !== RECORDING_STATUS.ready || !rec.file_path) throw apiError('dataNotExist', `data not exist: recording ${rec.id} has no file (${rec.status})`);
    return reply.type('video/mp4').header('content-length', String(rec.file_size ?? 0)).header('cache-control', 'no-store').send(createReadStream(rec.file_path));
  });

  app.post('/admin/api/recordings/:id/share', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const rec = await ctx.repos.recordings.byId(idOf(req.params));
    if (!rec || rec.tenant_key !== a.tenantKey) throw apiError('dataNotExist', `data not exist: recording ${idOf(req.params)} is no recording of this tenant`);
    const b = (req.body ?? {}) as Json;
    if (typeof b.tenant !== 'boolean' || typeof b.public !== 'boolean') throw apiError('paramError', 'param error: tenant and public must be true or false');
    const ids = tenantIds(a);
    for (const [type, on] of [[PERMISSION_TYPE.tenant, b.tenant], [PERMISSION_TYPE.public, b.public]] as const) {
      await ctx.recordings.setPermission(asTenant(a), rec.meeting_id, [{ type, permission: 1 }], on ? PERMISSION_ACTION.grant : PERMISSION_ACTION.revoke, ids);
    }
    return ok({});
  });

  app.post('/admin/api/recordings/:id/compose', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    await ctx.recordings.recompose(a.tenantKey, idOf(req.params));
    return ok({});
  });

  app.post('/admin/api/recordings/:id/delete', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    await ctx.recordings.remove(a.tenantKey, idOf(req.params));
    req.log.info({ tenant_key: a.tenantKey, by: a.user.user_id, recording_id: idOf(req.params) }, 'console deleted a recording');
    return ok({});
  });
}
