import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest, HTTPMethods, RouteGenericInterface } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../contract/errors.js';
import type { AppContext } from '../http/context.js';
import { bearerOf } from '../http/auth.js';
import { Envelope, ok } from '../http/envelope.js';
import { decodePageToken } from '../contract/page-token.js';
import { pageOf, PageSize, PageToken } from '../http/pagination.js';
import { presentDelivery } from '../events/delivery-view.js';
import { SubscriptionService } from '../events/subscription.service.js';
import { EVENT_TYPES } from '../contract/events.js';
import { RedirectUriService } from '../domain/auth/redirect-uri.service.js';
import { REDIRECT_URI_MAX, REDIRECT_URIS_PER_APP } from '../domain/auth/redirect-uris.js';
import { eventRequest, deliveryTarget } from '../events/webhook-request.js';

/**
 * openvc's admin API (docs/operations.md): apps' event subscriptions and the delivery log. Guarded by
 * `Authorization: Bearer <adminKey>`; off unless the server was given an admin key. Same envelope as
 * the Open API, with its own error codes (190001–190003).
 */
const AppParams = Type.Object({ app_id: Type.String({ minLength: 1, maxLength: 64 }) });
const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
const Subscription = Type.Object({
  app_id: Type.String(),
  request_url: Type.Union([Type.String(), Type.Null()]),
  verification_token: Type.Union([Type.String(), Type.Null()]),
  encrypt_key: Type.Union([Type.String(), Type.Null()]),
  event_types: Type.Array(Type.String()),
});
const SubscriptionBody = Type.Object(
  {
    request_url: Type.Optional(Type.Union([Type.String({ maxLength: 2048, description: 'http(s) URL; "" or null unsubscribes the app' }), Type.Null()])),
    verification_token: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    encrypt_key: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    event_types: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: EVENT_TYPES.length, description: 'replaces the subscribed types' })),
  },
  { additionalProperties: false },
);
const RedirectUris = Type.Object({ app_id: Type.String(), redirect_uris: Type.Array(Type.String()) });
const RedirectUrisBody = Type.Object(
  {
    redirect_uris: Type.Array(Type.String({ maxLength: REDIRECT_URI_MAX }), {
      maxItems: REDIRECT_URIS_PER_APP,
      description: 'absolute http(s) URIs without fragment, matched exactly at authorize and token exchange; replaces the list',
    }),
  },
  { additionalProperties: false },
);
const Delivery = Type.Object({
  delivery_id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  app_id: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  created_at: Type.String(),
  next_attempt_at: Type.Union([Type.String(), Type.Null()]),
  delivered_at: Type.Union([Type.String(), Type.Null()]),
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
});
const Filter = {
  app_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(Status),
  event_type: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  since: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'created at or after, ms since the epoch' })),
};
const ListQuery = Type.Object({ ...Filter, page_size: PageSize(20, 100), page_token: PageToken });
const DeliveryParams = Type.Object({ delivery_id: Type.String({ minLength: 1, maxLength: 120 }) });
const RedeliverBody = Type.Object(
  { delivery_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 120 }), { minItems: 1, maxItems: 1000 })), ...Filter },
  { additionalProperties: false },
);
const Attempt = Type.Object({ attempt: Type.Integer(), at: Type.String(), status_code: Type.Union([Type.Integer(), Type.Null()]), latency_ms: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]) });

type FilterT = { app_id?: string; status?: Static<typeof Status>; event_type?: string; event_id?: string; since?: string };
const toFilter = (f: FilterT) => ({
  ...(f.app_id ? { appId: f.app_id } : {}),
  ...(f.status ? { status: f.status } : {}),
  ...(f.event_type ? { eventType: f.event_type } : {}),
  ...(f.event_id ? { eventId: f.event_id } : {}),
  ...(f.since ? { since: Number(f.since) } : {}),
});

const digest = (s: string) => createHash('sha256').update(s).digest();

export function adminApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const subscriptions = new SubscriptionService(ctx.repos.apps, () => ({ publicUrl: ctx.publicUrl, port: (app.server.address() as AddressInfo | null)?.port ?? ctx.config.port }));
  const expected = ctx.config.adminKey ? digest(ctx.config.adminKey) : undefined;
  const guard = async (request: FastifyRequest) => {
    if (!expected) throw apiError('adminDisabled');
    const given = bearerOf(request);
    if (!given) throw apiError('adminKeyInvalid');
    // One key, one target: its guesses are counted per source address (docs/operations.md).
    const attempt = await ctx.throttle.admit('admin_key', request.ip, 'admin');
    // Compared as digests, in constant time: the key's length and prefix leak nothing.
    if (!timingSafeEqual(digest(given), expected)) {
      await attempt.failed();
      throw apiError('adminKeyInvalid');
    }
    await attempt.succeeded();
  };
  const route = <R extends RouteGenericInterface>(method: HTTPMethods, url: string, summary: string, s: { params?: TSchema; querystring?: TSchema; body?: TSchema; data: TSchema }, handler: (req: FastifyRequest<R>) => Promise<unknown>) => {
    const { data, ...parts } = s;
    app.route({ method, url, onRequest: guard, schema: { ...parts, response: { 200: Envelope(data) }, summary, tags: ['admin'], security: [{ adminKey: [] }] }, handler: async (req) => ok(await handler(req as never)) });
  };

  route<{ Params: Static<typeof AppParams> }>('GET', '/openvc/v1/admin/apps/:app_id/event_subscription', "An app's event subscription", { params: AppParams, data: Subscription }, (req) => subscriptions.get(req.params.app_id));

  route<{ Params: Static<typeof AppParams>; Body: Static<typeof SubscriptionBody> }>(
    'PUT',
    '/openvc/v1/admin/apps/:app_id/event_subscription',
    "Change an app's event subscription (runs the url_verification challenge when the receiver changes)",
    { params: AppParams, body: SubscriptionBody, data: Type.Object({ subscription: Subscription, challenge_ms: Type.Optional(Type.Integer()) }) },
    async (req) => {
      const { subscription, challengeMs } = await subscriptions.set(req.params.app_id, req.body);
      return { subscription, ...(challengeMs === undefined ? {} : { challenge_ms: challengeMs }) };
    },
  );

  const redirectUris = new RedirectUriService(ctx.repos.apps);
  route<{ Params: Static<typeof AppParams> }>('GET', '/openvc/v1/admin/apps/:app_id/redirect_uris', "An app's registered redirect URIs", { params: AppParams, data: RedirectUris }, async (req) => ({
    app_id: req.params.app_id,
    redirect_uris: await redirectUris.list(req.params.app_id),
  }));
  route<{ Params: Static<typeof AppParams>; Body: Static<typeof RedirectUrisBody> }>(
    'PUT',
    '/openvc/v1/admin/apps/:app_id/redirect_uris',
    "Replace an app's registered redirect URIs",
    { params: AppParams, body: RedirectUrisBody, data: RedirectUris },
    async (req) => ({ app_id: req.params.app_id, redirect_uris: await redirectUris.replace(req.params.app_id, req.body.redirect_uris) }),
  );

  route<{ Querystring: Static<typeof ListQuery> }>(
    'GET',
    '/openvc/v1/admin/event_deliveries',
    'The delivery log, newest first',
    { querystring: ListQuery, data: Type.Object({ items: Type.Array(Delivery), has_more: Type.Boolean(), page_token: Type.Optional(Type.String()) }) },
    async (req) => {
      const size = req.query.page_size ?? 20;
      const cursor = decodePageToken(req.query.page_token, { seq: 'integer', app: 'string' });
      const rows = await ctx.repos.deliveries.list(toFilter(req.query), size + 1, cursor && { seq: cursor.seq, appId: cursor.app });
      const page = pageOf(rows, size, (d) => ({ seq: Number(d.outbox_seq), app: d.app_id }));
      return { ...page, items: page.items.map(presentDelivery) };
    },
  );

  route<{ Params: Static<typeof DeliveryParams> }>(
    'GET',
    '/openvc/v1/admin/event_deliveries/:delivery_id',
    'One delivery, its attempts and the body it sends',
    { params: DeliveryParams, data: Type.Object({ delivery: Delivery, attempts: Type.Array(Attempt), request_body: Type.Union([Type.String(), Type.Null()]) }) },
    async (req) => {
      const d = await ctx.repos.deliveries.get(req.params.delivery_id);
      if (!d) throw apiError('dataNotExist', `delivery ${req.params.delivery_id} does not exist`);
      const [attempts, rows, target, settings] = await Promise.all([ctx.repos.deliveries.attempts(d.id), ctx.repos.outbox.bySeqs([d.outbox_seq]), ctx.repos.apps.find(d.app_id), ctx.repos.apps.eventSettings(d.app_id)]);
      const row = rows.get(d.outbox_seq);
      // The body as the app receives it now (encrypted if it has a key); null once the event is pruned.
      const body = row && target && settings ? eventRequest(row, deliveryTarget(target, settings)).body : null;
      return {
        delivery: presentDelivery(d),
        attempts: attempts.map((a) => ({ attempt: a.attempt, at: String(a.at), status_code: a.status_code, latency_ms: a.latency_ms, error: a.error })),
        request_body: body,
      };
    },
  );

  route<{ Body: Static<typeof RedeliverBody> }>(
    'POST',
    '/openvc/v1/admin/event_deliveries/redeliver',
    'Send deliveries again (same event_id)',
    { body: RedeliverBody, data: Type.Object({ count: Type.Integer() }) },
    async (req) => {
      const { delivery_ids, ...filter } = req.body;
      // Never "everything" by accident: name the deliveries or the app.
      if (!delivery_ids && !filter.app_id) throw apiError('fieldValidation', { msg: 'give delivery_ids or app_id', fieldViolations: [{ field: 'delivery_ids', description: 'give delivery_ids or app_id (with optional status, event_type, event_id, since)' }] });
      const count = await ctx.repos.deliveries.redeliver({ ...toFilter(filter), ...(delivery_ids ? { ids: delivery_ids } : {}) }, Date.now());
      if (count > 0) ctx.events.nudge();
      return { count };
    },
  );
}
