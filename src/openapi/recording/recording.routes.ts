import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { UserIdTypeParam, userIdMapper } from '../../domain/identity/user-ids.js';
import { TIMEZONE_RANGE } from '../../domain/recording/recording.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { USER_SUBSCRIBABLE } from '../../contract/events.js';
import { SubscriptionBody, checkSubscribable } from '../../http/subscription.js';

const MeetingParams = Type.Object({ meeting_id: Type.String({ minLength: 1, maxLength: 32 }) });
const StartBody = Type.Optional(Type.Object({ timezone: Type.Optional(Type.Integer({ description: 'hours from UTC, [-12, 12]' })) }));
const PermissionQuery = Type.Object({ user_id_type: UserIdTypeParam });
const PermissionBody = Type.Object({
  permission_objects: Type.Array(
    Type.Object({
      id: Type.Optional(Type.String({ maxLength: 128 })),
      type: Type.Integer({ description: '1 user, 2 group, 3 tenant, 4 public' }),
      permission: Type.Integer({ description: '1 view' }),
    }),
    { minItems: 1, maxItems: 100 },
  ),
  action_type: Type.Optional(Type.Integer({ description: '0 grant (default), 1 revoke' })),
});
const RecordingObject = Type.Object({ id: Type.String(), meeting_id: Type.String(), url: Type.String(), duration: Type.String({ description: 'milliseconds' }) });

type Req<Q = unknown, B = unknown> = FastifyRequest<{ Params: Static<typeof MeetingParams>; Querystring: Q; Body: B }>;

/** recording.md: start and stop by the host, the file once it is ready, and who may watch it. */
export function recordingRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('meetingRecording.start', {
    schema: { params: MeetingParams, body: StartBody, response: Type.Object({}) },
    handler: async (req: Req<unknown, Static<typeof StartBody>>) => {
      const timezone = req.body?.timezone;
      if (timezone !== undefined && (timezone < TIMEZONE_RANGE.min || timezone > TIMEZONE_RANGE.max)) {
        throw apiError('paramError', `param error: timezone must be within [${TIMEZONE_RANGE.min}, ${TIMEZONE_RANGE.max}], not ${timezone}`);
      }
      await ctx.recordings.start(principalOf(req), req.params.meeting_id, timezone);
      return {};
    },
  });

  r.method('meetingRecording.stop', {
    schema: { params: MeetingParams, response: Type.Object({}) },
    handler: async (req: Req) => {
      await ctx.recordings.stop(principalOf(req), req.params.meeting_id);
      return {};
    },
  });

  r.method('meetingRecording.get', {
    schema: { params: MeetingParams, response: Type.Object({ recording: RecordingObject }) },
    handler: async (req: Req) => ({ recording: await ctx.recordings.get(principalOf(req), req.params.meeting_id) }),
  });

  for (const id of ['recording.subscription', 'recording.unsubscription']) {
    r.method(id, {
      schema: { body: SubscriptionBody, response: Type.Object({}) },
      handler: async (req: FastifyRequest<{ Body: Static<typeof SubscriptionBody> }>) => checkSubscribable(USER_SUBSCRIBABLE.recording, req.body?.event_type),
    });
  }

  r.method('meetingRecording.setPermission', {
    schema: { params: MeetingParams, querystring: PermissionQuery, body: PermissionBody, response: Type.Object({}) },
    handler: async (req: Req<Static<typeof PermissionQuery>, Static<typeof PermissionBody>>) => {
      const p = principalOf(req);
      const ids = userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), req.query.user_id_type, ctx.publicUrl);
      await ctx.recordings.setPermission(p, req.params.meeting_id, req.body.permission_objects, req.body.action_type ?? 0, ids);
      return {};
    },
  });
}
