import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { decodePageToken } from '../../contract/page-token.js';
import { roomIdOf, roomKey } from '../../domain/meeting/meeting.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { PageToken, pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';

const Unix = Type.String({ pattern: '^[0-9]{1,12}$' });
const ListQuery = Type.Object({
  start_time: Unix,
  end_time: Unix,
  query_type: Type.Optional(Type.Integer({ description: '1 a room (the only kind openvc monitors)' })),
  query_value: Type.Optional(Type.String({ maxLength: 100, description: 'the room_id, with query_type 1' })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  page_token: PageToken,
});

const Alert = Type.Object({
  alert_id: Type.String(),
  resource_scope: Type.String(),
  monitor_target: Type.Integer(),
  alert_strategy: Type.String(),
  alert_time: Type.String(),
  alert_level: Type.Integer(),
  contacts: Type.Array(Type.Object({ contact_type: Type.Integer(), contact_name: Type.String() })),
  notifyMethods: Type.Array(Type.Integer()),
  alertRule: Type.String(),
  process_time: Type.String(),
  recover_time: Type.String(),
  process_status: Type.Integer(),
  alert_rule_id: Type.String(),
  monitor_target_room_id: Type.String(),
  monitor_target_room_mac: Type.String(),
});

/** docs/decisions.md "Room device alerts": the values openvc chose where Feishu publishes none. */
const MONITOR_TARGET_ROOM = 1;
const ALERT_LEVEL_WARNING = 1;
const PROCESS_STATUS = { open: 1, recovered: 2 } as const;
const RULE_ID = 'room_device_offline';

const sec = (ms: number): string => String(Math.floor(ms / 1000));

/**
 * `client.vc.alert.list`: a room's device that stopped heartbeating in a meeting (its participant-protocol
 * session was dropped) is an alert; the room joining again recovers it.
 */
export function alertRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('alert.list', {
    schema: { querystring: ListQuery, response: Type.Object({ has_more: Type.Boolean(), page_token: Type.String(), items: Type.Array(Alert) }) },
    handler: async (req: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>) => {
      const p = principalOf(req);
      const q = req.query;
      const from = Number(q.start_time) * 1000;
      const to = Number(q.end_time) * 1000;
      if (from > to) throw apiError('paramError', 'param error: start_time must not be after end_time');
      if (q.query_type !== undefined && q.query_type !== MONITOR_TARGET_ROOM) throw apiError('notSupport', `not support: query_type ${q.query_type}; openvc monitors rooms only (1)`);
      if (q.query_type !== undefined && !q.query_value) throw apiError('paramError', 'param error: query_value (a room_id) is required with query_type');
      const size = q.page_size ?? 100;
      const after = decodePageToken(q.page_token, { t: 'integer', id: 'string' });
      const rows = await ctx.repos.sessions.roomDrops(p.tenantKey, { from, to, ...(q.query_value ? { roomKey: roomKey(q.query_value) } : {}) }, after, size + 1);
      const page = pageOf(rows, size, (last) => ({ t: last.left_at, id: last.id }));
      const roomIds = [...new Set(page.items.map((s) => roomIdOf(s.participant_key)!))];
      const rooms = new Map((await ctx.repos.rooms.forTenant(p.tenantKey).findMany(roomIds)).map((x) => [x.room_id, x]));
      const timeout = ctx.config.heartbeatTimeout;
      return {
        has_more: page.has_more,
        page_token: page.page_token,
        items: page.items.map((s) => {
          const roomId = roomIdOf(s.participant_key)!;
          const device = JSON.parse(s.device) as { mac?: unknown };
          const recovered = s.recovered_at === null ? '' : sec(s.recovered_at);
          return {
            alert_id: s.id,
            resource_scope: rooms.get(roomId)?.name ?? roomId,
            monitor_target: MONITOR_TARGET_ROOM,
            alert_strategy: 'room device offline',
            alert_time: sec(s.left_at),
            alert_level: ALERT_LEVEL_WARNING,
            contacts: [],
            notifyMethods: [],
            alertRule: `the room's device sent no heartbeat for ${timeout} s during a meeting`,
            process_time: recovered,
            recover_time: recovered,
            process_status: s.recovered_at === null ? PROCESS_STATUS.open : PROCESS_STATUS.recovered,
            alert_rule_id: RULE_ID,
            monitor_target_room_id: roomId,
            monitor_target_room_mac: typeof device.mac === 'string' ? device.mac : '',
          };
        }),
      };
    },
  });
}
