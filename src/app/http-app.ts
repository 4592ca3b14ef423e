import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { Ajv, type Options as AjvOptions } from 'ajv';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { newLogId } from '../domain/ids.js';
import { ApiError, fieldError } from '../contract/errors.js';
import type { AppContext } from '../http/context.js';
import { authHook } from '../http/auth.js';
import { errorHandlerWith } from '../http/error-handler.js';
import { capConnectionsPerAddress } from '../http/connection-cap.js';
import { jsonShapeProblem } from '../http/json-limits.js';
import { RouteRegistrar } from '../http/routes.js';
import { openApiRoutes } from '../openapi/index.js';
import { authorizeRoutes } from '../openapi/auth/authorize.routes.js';
import { clientApiRoutes } from '../client-api/client.routes.js';
import { adminApiRoutes } from '../admin-api/admin.routes.js';
import { bookingApiRoutes } from '../booking-api/booking.routes.js';
import { linkPages } from '../web/join.routes.js';
import { playerRoutes } from '../web/player.routes.js';
import { meetingPageRoutes } from '../web/meeting.routes.js';
import { signInRoutes } from '../web/sign-in.routes.js';
import { troubleshootRoutes } from '../web/troubleshoot.routes.js';
import { consoleRoutes } from '../web/console.routes.js';
import { rtcRoutes, MAX_SIGNALLING_BYTES } from '../client-api/rtc.routes.js';
import { healthRoutes } from './health.js';
import { metricsRoutes } from './metrics.js';
import { lazyChildLogger } from '../http/lazy-logger.js';

const AVATAR = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="32" fill="#3370ff"/><circle cx="32" cy="26" r="11" fill="#fff"/><path d="M12 54c4-11 12-15 20-15s16 4 20 15" fill="#fff"/></svg>`;

/**
 * Assembles the HTTP server: log ids, the JSON body parser (empty bodies allowed, as the SDK sends `{}`
 * or nothing on GET and DELETE), the auth/scope/rate-limit hook, the Feishu error envelope, the routes.
 */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const errorHandler = errorHandlerWith({ publicUrl: () => ctx.publicUrl, ...(ctx.requestLog ? { requestLog: ctx.requestLog } : {}) });
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    genReqId: () => newLogId(),
    childLoggerFactory: lazyChildLogger,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'log_id', disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimit,
    // Connection hygiene (docs/operations.md): half-sent requests and idle sockets do not stay open.
    http: { headersTimeout: ctx.config.headersTimeout, connectionsCheckingInterval: ctx.config.connectionCheckInterval },
    requestTimeout: ctx.config.requestTimeout,
    keepAliveTimeout: ctx.config.keepAliveTimeout,
    connectionTimeout: ctx.config.connectionTimeout,
    trustProxy: ctx.config.trustProxy.trim() === '' ? false : ctx.config.trustProxy,
    // A URL that does not decode (`%ZZ`) or a path parameter over the router's limit: 99992402, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      reply.header('X-Tt-Logid', request.id);
      reply.header('X-Request-Id', request.id);
      const api =
        error.code === 'FST_ERR_BAD_URL' ? fieldError('path', 'the path is not a valid URL (bad percent-encoding)')
        : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? fieldError('path', 'a path parameter is too long')
        : new ApiError('internal');
      errorHandler(api, request, reply);
    },
  });

  capConnectionsPerAddress(app.server, ctx.config.maxConnectionsPerAddress);

  // Query strings and paths are text, so their values are coerced to the schema's types (and single keys
  // to arrays, as the SDK repeats keys for arrays); JSON bodies are typed already and are not coerced.
  const base: AjvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
  const textAjv = new Ajv({ ...base, coerceTypes: 'array' });
  const jsonAjv = new Ajv({ ...base, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? jsonAjv : textAjv).compile(schema));

  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    const shape = jsonShapeProblem(text);
    if (shape) return done(Object.assign(new Error(shape), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      // A framework-style error, so that routes with their own bad-request code (the token endpoints) use it.
      done(Object.assign(new Error(`body is not valid JSON: ${(e as Error).message}`), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });
  await app.register(formbody, { bodyLimit: ctx.config.bodyLimit });
  app.addHook('preHandler', rejectUnusableValues);

  await app.register(swagger, {
    openapi: {
      info: { title: 'openvc Open API', version: '1', description: 'Feishu/Lark VC v1 compatible Open API served by openvc' },
      servers: [{ url: ctx.publicUrl }],
      components: {
        securitySchemes: {
          tenantAccessToken: { type: 'http', scheme: 'bearer', description: 'tenant_access_token (t-…)' },
          userAccessToken: { type: 'http', scheme: 'bearer', description: 'user_access_token (u-… or eyJ…)' },
          adminKey: { type: 'http', scheme: 'bearer', description: 'the server\'s admin key (openvc admin API)' },
        },
      },
    },
    hideUntagged: true,
  });

  // One hook per stage for every request (each hook a framework step on a hot read's path): on request,
  // the log id headers, then the token, scope and rate checks; on response, the metrics and the access line.
  // Fastify gives a route the hooks of its scope once the scope has loaded, so these reach every route.
  const observe = metricsRoutes(app, ctx);
  const access = ctx.accessLog;
  app.addHook('onResponse', (request, reply, done) => {
    const url = request.routeOptions.url ?? 'unmatched';
    observe?.(request.method, url, reply.statusCode, reply.elapsedTime);
    if (access?.enabled) access.write({ logId: request.id, method: request.method, url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, appId: request.principal?.appId });
    done();
  });
  app.setErrorHandler(errorHandler);
  // Feishu answers unknown paths and wrong methods with a plain-text 404 (common.md §2, observed).
  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).type('text/plain; charset=utf-8').send('404 page not found');
  });

  const auth = authHook(ctx);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Tt-Logid', request.id);
    reply.header('X-Request-Id', request.id);
    auth(request, reply, done);
  });

  const registrar = new RouteRegistrar(app);
  for (const mod of openApiRoutes) mod(registrar, ctx);
  authorizeRoutes(app, ctx);
  clientApiRoutes(app, ctx);
  // The WebSocket plugin's hooks and handler wrapper apply only inside this scope, around its one route,
  // not to every request of the server.
  await app.register(async (scope) => {
    await scope.register(websocket, { options: { maxPayload: MAX_SIGNALLING_BYTES } });
    rtcRoutes(scope, ctx);
  });
  adminApiRoutes(app, ctx);
  bookingApiRoutes(app, ctx);
  linkPages(app);
  troubleshootRoutes(app, ctx);
  consoleRoutes(app, ctx);
  playerRoutes(app, ctx);
  meetingPageRoutes(app, ctx);
  signInRoutes(app, ctx);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, ctx.readiness);
  app.get('/static/avatar.svg', { schema: { hide: true } }, async (_req, reply) => reply.type('image/svg+xml').send(AVATAR));
  return app;
}

/**
 * preHandler: strings with NUL characters (PostgreSQL cannot store or compare them) and non-finite numbers
 * (ajv coerces `page_size=1e400` to Infinity and then skips its range checks) anywhere in the path, query or
 * body → the same 99992402 a schema violation gets (or the route's own bad-request error).
 */
function rejectUnusableValues(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const problem = unusableIn(request.params) ?? unusableIn(request.query) ?? unusableIn(request.body);
  if (!problem) return done();
  const [path, message] = problem;
  done(Object.assign(new Error(`${path.slice(1) || 'body'} ${message}`), {
    statusCode: 400,
    validation: [{ instancePath: path, keyword: 'usable', message }],
  }));
}

/** The first unusable value in `value` (depth first, keys in order) as [JSON pointer, message]. */
function unusableIn(value: unknown, depth = 0): [string, string] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? ['', 'must not contain NUL characters'] : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : ['', 'must be a finite number'];
  // JSON bodies are bounded in depth before they are parsed (json-limits), so the recursion is too.
  if (typeof value !== 'object' || value === null || depth > 64) return undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const found = unusableIn((value as Record<string, unknown>)[key], depth + 1);
    if (found) return [`/${key}${found[0]}`, found[1]];
  }
  return undefined;
}
