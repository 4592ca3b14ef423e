import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { apiError } from '../contract/errors.js';
import { coverDays, dayStart } from '../domain/report/calendar.js';
import { ORDER_BY } from '../domain/report/report.js';
import { qualityDays, rangeQuality, sampleFigures } from '../domain/report/console-quality.js';
import { startRecording, stopRecording } from '../domain/recording/recording.js';
import { roomView } from '../domain/room/views.js';
import { patchRoom } from '../domain/room/room.service.js';
import { getScopeConfig } from '../domain/room/scope-config.service.js';
import { SCOPE_ROOM } from '../domain/room/scope-config.js';
import { roomConfigView } from '../domain/room/room-config.js';
import { XlsxWriter, type Cell } from '../export/xlsx/index.js';
import { consoleGuard, consoleHtml, type Admin } from './console-guard.js';
import { consoleDirectoryRoutes } from './console-directory.routes.js';
import { consoleExportRoutes } from './console-export.routes.js';
import { consoleRecordingRoutes } from './console-recording.routes.js';
import { CONSOLE_PAGES, consolePage, type ConsolePageId } from './console.page.js';

const SCRIPT = readFileSync(fileURLToPath(new URL('../../src/web/assets/console.js', import.meta.url)), 'utf8');
const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/** The longest dashboard range: a year and a day (leap years). */
export const DASHBOARD_MAX_DAYS = 366;
/** Slices of the device and network mix shown. */
const MIX_SLICES = 20;
/** Live meetings shown at once. */
const LIVE_CAP = 500;
/** A live sample older than this is not "live" quality. */
const LIVE_SAMPLE_MS = 3 * 60_000;

type Json = Record<string, unknown>;

const html = consoleHtml;

/** 'YYYY-MM-DD' as a report day number (days begin at 00:00 UTC+8, so the date's UTC ordinal is its day). */
function dayParam(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw apiError('paramError', `param error: ${name} must be a date YYYY-MM-DD`);
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw apiError('paramError', `param error: ${name} ${value} is no date`);
  return ms / 86_400_000;
}

/** The range of the dashboard's query: both ends inclusive, at most DASHBOARD_MAX_DAYS days. */
function rangeOf(q: Json): { from: number; to: number } {
  const from = dayParam(q.from, 'from');
  const to = dayParam(q.to, 'to');
  if (to < from) throw apiError('paramError', 'param error: the range ends before it starts');
  if (to - from + 1 > DASHBOARD_MAX_DAYS) throw apiError('paramError', `param error: the range spans ${to - from + 1} days; the dashboard shows at most ${DASHBOARD_MAX_DAYS}`);
  return { from, to };
}

const isoDay = (unixS: number) => new Date((unixS + 8 * 3600) * 1000).toISOString().slice(0, 10);

/**
 * The admin console (docs/decisions.md "Admin console"): server-rendered pages whose script reads and
 * acts through `/admin/api/…`, for signed-in administrators of their own tenant only. Every action
 * goes through the domain services the Open API uses, so it keeps their rules and emits their events.
 */
export function consoleRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { pageAdmin, apiAdmin, principal, tenantIds, ok } = consoleGuard(ctx);

  for (const [id, meta] of Object.entries(CONSOLE_PAGES) as [ConsolePageId, (typeof CONSOLE_PAGES)[ConsolePageId]][]) {
    app.get(meta.path, { schema: { hide: true } }, async (req, reply) => {
      const me = await pageAdmin(req, reply);
      if (!me) return reply;
      return html(reply, 200, consolePage(id, me.user));
    });
  }
  const asset = (path: string, type: string, body: string) =>
    app.get(path, { schema: { hide: true } }, async (_req, reply) => reply.type(type).header('cache-control', 'public, max-age=300').send(body));
  asset('/admin/assets/console.js', 'text/javascript; charset=utf-8', SCRIPT);
  asset('/admin/assets/uplot.js', 'text/javascript; charset=utf-8', UPLOT_JS);
  asset('/admin/assets/uplot.css', 'text/css; charset=utf-8', UPLOT_CSS);

  // Dashboard ------------------------------------------------------------------------------------

  /** Everything the dashboard draws, from rollups only (docs/decisions.md "Dashboard rollups"). */
  const dashboard = async (tenantKey: string, from: number, to: number) => {
    const [rows, top, devices, networks, quality] = await Promise.all([
      ctx.repos.reports.days(tenantKey, from, to),
      ctx.repos.reports.topUsers(tenantKey, coverDays(from, to), ORDER_BY.meetingCount, 10),
      ctx.repos.consoleRollups.mix(tenantKey, from, to, 'type', MIX_SLICES),
      ctx.repos.consoleRollups.mix(tenantKey, from, to, 'network_type', MIX_SLICES),
      ctx.repos.consoleRollups.qualityDays(tenantKey, from, to),
    ]);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days = [];
    for (let d = from; d <= to; d++) {
      const r = byDay.get(dayStart(d));
      days.push({ date: dayStart(d), meetings: r?.meetingCount ?? 0, participants: r?.participantCount ?? 0, minutes: Math.round((r?.durationS ?? 0) / 60) });
    }
    return {
      days,
      top: top.map((u) => ({ user_id: u.userId, user_type: u.userType, name: u.name, meetings: u.meetingCount, minutes: Math.round(u.durationS / 60) })),
      devices,
      networks,
      quality: qualityDays(from, to, quality),
      quality_range: rangeQuality(quality),
    };
  };

  app.get('/admin/api/dashboard', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const { from, to } = rangeOf(req.query as Json);
    return ok(await dashboard(a.tenantKey, from, to));
  });

  /** Each chart's figures as a sheet: the same rows the chart draws, one per day (or per slice). */
  const sheets: Record<string, (d: Awaited<ReturnType<typeof dashboard>>) => { name: string; header: string[]; rows: Cell[][] }> = {
    usage: (d) => ({ name: 'Meetings per day', header: ['Date', 'Meetings', 'Participants', 'Minutes'], rows: d.days.map((r) => [isoDay(r.date), r.meetings, r.participants, r.minutes]) }),
    top: (d) => ({ name: 'Top users', header: ['User ID', 'Name', 'Meetings', 'Minutes'], rows: d.top.map((u) => [u.user_id, u.name, u.meetings, u.minutes]) }),
    devices: (d) => ({ name: 'Device mix', header: ['Device', 'Sessions'], rows: d.devices.map((m) => [m.kind, m.sessions]) }),
    networks: (d) => ({ name: 'Network mix', header: ['Network', 'Sessions'], rows: d.networks.map((m) => [m.kind, m.sessions]) }),
    quality: (d) => ({
      name: 'Quality per day',
      header: ['Date', 'Samples', 'Loss p50 %', 'Loss p90 %', 'Loss p99 %', 'Jitter p50 ms', 'Jitter p90 ms', 'Jitter p99 ms', 'Bitrate p50 kbps', 'Bitrate p90 kbps', 'Bitrate p99 kbps'],
      rows: [...d.quality.map((q) => ({ ...q, label: isoDay(q.date) })), { ...d.quality_range, label: 'Whole range' }].map((q) => [
        q.label,
        q.samples,
        q.loss.p50,
        q.loss.p90,
        q.loss.p99,
        q.jitter.p50,
        q.jitter.p90,
        q.jitter.p99,
        q.bitrate.p50,
        q.bitrate.p90,
        q.bitrate.p99,
      ]),
    }),
  };

  app.get('/admin/api/dashboard/:chart.xlsx', { schema: { hide: true } }, async (req, reply) => {
    const a = await apiAdmin(req);
    const chart = (req.params as { chart: string }).chart;
    const sheetOf = Object.hasOwn(sheets, chart) ? sheets[chart] : undefined;
    if (!sheetOf) throw apiError('dataNotExist', `data not exist: no chart named ${chart}`);
    const q = req.query as Json;
    const { from, to } = rangeOf(q);
    const sheet = sheetOf(await dashboard(a.tenantKey, from, to));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = await XlsxWriter.open(out, { sheetName: sheet.name, columns: sheet.header.map((header) => ({ header })) });
    await writer.addRows(sheet.rows);
    await writer.finish();
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${chart}-${String(q.from)}-${String(q.to)}.xlsx"`)
      .send(Buffer.concat(chunks));
  });

  // Live meetings ----------------------------------------------------------------------------------

  app.get('/admin/api/live', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const meetings = await ctx.repos.console.liveMeetings(a.tenantKey, LIVE_CAP);
    const people = await ctx.repos.console.liveParticipants(
      a.tenantKey,
      meetings.map((m) => m.id),
    );
    const now = Date.now();
    const samples = await ctx.repos.console.latestSamples(
      a.tenantKey,
      people.flatMap((p) => (p.session_id ? [p.session_id] : [])),
      Math.floor((now - LIVE_SAMPLE_MS) / 1000),
    );
    const device = (json: string | null) => {
      try {
        const d = JSON.parse(json ?? '{}') as Json;
        return { type: typeof d.type === 'string' ? d.type : '', network: typeof d.network_type === 'string' ? d.network_type : '', os: typeof d.os === 'string' ? d.os : '' };
      } catch {
        return { type: '', network: '', os: '' };
      }
    };
    return ok({
      meetings: meetings.map((m) => ({
        id: m.id,
        meeting_no: m.meeting_no,
        topic: m.topic,
        owner: m.owner_user_id,
        host_key: m.host_key,
        started_at: m.started_at,
        recording: m.recording === 1,
        version: m.version,
        participants: people
          .filter((p) => p.meeting_id === m.id)
          .map((p) => {
            const s = p.session_id ? samples.get(p.session_id) : undefined;
            return {
              key: p.key,
              user_id: p.user_id,
              name: p.name ?? p.user_id ?? p.key,
              joined_at: p.joined_at,
              device: device(p.device),
              quality: s ? sampleFigures(s.minute, s.sample) : null,
            };
          }),
      })),
      capped: meetings.length === LIVE_CAP,
    });
  });

  const meetingAction = (path: string, act: (a: Admin, meetingId: string, body: Json) => Promise<unknown>) =>
    app.post(`/admin/api/meetings/:meeting_id/${path}`, { schema: { hide: true } }, async (req) => {
      const a = await apiAdmin(req);
      const id = (req.params as { meeting_id: string }).meeting_id;
      if (!(await ctx.repos.meetings.find(a.tenantKey, id))) throw apiError('meetingNotExist', `meeting not exist: meeting ${id} is no meeting of this tenant`);
      await act(a, id, (req.body ?? {}) as Json);
      req.log.info({ tenant_key: a.tenantKey, user_id: a.user.user_id, meeting_id: id, action: path }, 'console meeting action');
      return ok({});
    });
  const keyOf = (body: Json) => {
    if (typeof body.participant_key !== 'string' || body.participant_key.length === 0 || body.participant_key.length > 200) throw apiError('paramError', 'param error: participant_key is required');
    return body.participant_key;
  };
  meetingAction('end', (a, id) => ctx.meetings.end(a.tenantKey, id, null));
  meetingAction('kickout', async (a, id, body) => {
    const [r] = await ctx.meetings.kickOut(a.tenantKey, id, [keyOf(body)]);
    if (!r?.ok) throw apiError('participantStatusUnexpected', 'participant status unexpected: that participant is not in the meeting now');
  });
  meetingAction('host', (a, id, body) => ctx.meetings.setHost(a.tenantKey, id, null, keyOf(body), undefined));
  // Recording is the host's to control: the console acts for the meeting's current host, under the same rule.
  meetingAction('recording', async (a, id, body) => {
    if (typeof body.on !== 'boolean') throw apiError('paramError', 'param error: on must be true or false');
    const on = body.on;
    await ctx.meetings.mutate(a.tenantKey, id, (m, at) => ({ events: on ? startRecording(m, m.hostKey ?? '', at) : stopRecording(m, m.hostKey ?? '', at), result: undefined }));
  });

  // Rooms --------------------------------------------------------------------------------------------

  app.get('/admin/api/rooms', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const { levels, rooms } = await ctx.repos.console.roomTree(a.tenantKey, 2000);
    const now = Date.now();
    return ok({
      levels: levels.map((l) => ({ room_level_id: l.room_level_id, name: l.name, parent_id: l.parent_id, depth: l.depth })),
      rooms: rooms.map((r) => ({
        room_id: r.room_id,
        name: r.name,
        capacity: r.capacity,
        room_level_id: r.room_level_id,
        enabled: roomView(r, now, (u) => u).room_status.status,
      })),
      capped: rooms.length === 2000,
    });
  });

  /** A room's settings, each with the node it comes from: the room itself, or the nearest level above that sets it. */
  app.get('/admin/api/rooms/:room_id/config', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const now = Date.now();
    const read = await getScopeConfig(ctx.repos, a.tenantKey, SCOPE_ROOM, (req.params as { room_id: string }).room_id, now);
    const levels = new Map((await ctx.repos.console.roomTree(a.tenantKey, 2000)).levels.map((l) => [l.room_level_id, l.name]));
    // Values as the API presents them (room_status as of now, not its stored window).
    const shown = roomConfigView(read.current.own, now, (u) => u) as Record<string, unknown>;
    const sections = Object.entries(read.current.own).map(([section, stored]) => {
      const value = shown[section] ?? stored;
      const from = read.origins.find((o) => section in o.own)!;
      return { section, value, from: { scope_type: from.scope_type, scope_id: from.scope_id, name: from.scope_type === SCOPE_ROOM ? null : (levels.get(from.scope_id) ?? null) } };
    });
    return ok({ sections });
  });

  app.get('/admin/api/bookings', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const q = req.query as Json;
    const { from, to } = rangeOf(q);
    if (to - from + 1 > 31) throw apiError('paramError', 'param error: the calendar shows at most 31 days');
    const rows = await ctx.bookings.page(principal(a), { ...(typeof q.room_id === 'string' && q.room_id ? { roomId: q.room_id } : {}), range: { start: dayStart(from) * 1000, end: dayStart(to + 1) * 1000 } }, undefined, 500);
    return ok({
      bookings: rows.map((b) => ({
        id: b.id,
        room_id: b.room_id,
        topic: b.topic,
        organizer: b.organizer_user_id,
        start_time: b.start_time,
        end_time: b.end_time,
        status: b.status,
        checked_in_at: b.checked_in_at,
        check_in_deadline: b.check_in_deadline,
      })),
    });
  });

  app.post('/admin/api/bookings', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const b = (req.body ?? {}) as Json;
    const p = principal(a);
    const ids = tenantIds(a);
    const str = (v: unknown, name: string) => {
      if (typeof v !== 'string' || !v) throw apiError('paramError', `param error: ${name} is required`);
      return v;
    };
    const row = await ctx.bookings.book(p, ids, {
      room_id: str(b.room_id, 'room_id'),
      start_time: str(b.start_time, 'start_time'),
      end_time: str(b.end_time, 'end_time'),
      ...(typeof b.topic === 'string' ? { topic: b.topic.slice(0, 255) } : {}),
    });
    return ok({ booking: { id: row.id, status: row.status } });
  });

  app.post('/admin/api/rooms/:room_id/status', { schema: { hide: true } }, async (req) => {
    const a = await apiAdmin(req);
    const body = (req.body ?? {}) as Json;
    if (typeof body.enabled !== 'boolean') throw apiError('paramError', 'param error: enabled must be true or false');
    const ids = tenantIds(a);
    await patchRoom(ctx.repos, a.tenantKey, ids, (req.params as { room_id: string }).room_id, { room_status: { status: body.enabled } }, Date.now());
    return ok({});
  });

  consoleDirectoryRoutes(app, ctx);
  consoleExportRoutes(app, ctx);
  consoleRecordingRoutes(app, ctx);
}
