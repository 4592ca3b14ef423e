import type { RateDecision } from './rate-limit.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError, type ErrorName } from '../contract/errors.js';
import { checkScopes } from '../domain/auth/scopes.js';
import type { Principal } from '../domain/auth/principal.js';
import type { BearerFailure } from '../domain/auth/tokens.js';
import type { MethodSpec } from '../contract/methods.js';
import type { AppContext } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The catalogue method this route implements; drives auth, scopes and rate limits. */
    api?: MethodSpec;
    /** The error a malformed request gets on this route instead of 99992402 (token endpoints). */
    badRequest?: ErrorName;
  }
}

/** `Authorization: Bearer <token>`; anything else counts as no token (auth.md §1, observed). */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** The principal, for routes that run behind the auth hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw apiError('missingToken');
  return request.principal;
}

/**
 * onRequest: runs before the body is read, as Feishu's gateway does (an invalid token wins over an
 * invalid body). Token kind → 99991661/63/68; scopes → 99991672/79; then the rate limit. A callback hook
 * that finishes in the same turn when the token was verified recently and the rate limit answers from
 * memory (every hot read), and waits only for what does go to the store.
 */
export function authHook(ctx: AppContext) {
  const admit = (request: FastifyRequest, reply: FastifyReply, spec: MethodSpec, result: Principal | BearerFailure, done: (err?: Error) => void): void => {
    request.principal = principalFor(spec, result);
    checkScopes(request.principal, spec.scopes, ctx.publicUrl);
    const limited = enforceRateLimit(ctx, spec, request.principal.appId, request.principal.tenantKey, reply);
    if (limited instanceof Promise) limited.then(() => done(), done);
    else done();
  };
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const spec = request.routeOptions.config.api;
    if (!spec || spec.tokens.length === 0) return done();
    const token = bearerOf(request);
    if (!token) throw apiError('missingToken');
    const known = ctx.tokens.verifiedRecently(token);
    if (known !== undefined) return admit(request, reply, spec, known, done);
    ctx.tokens.verify(token).then((result) => {
      try {
        admit(request, reply, spec, result, done);
      } catch (err) {
        done(err as Error);
      }
    }, done);
  };
}

/** The principal a verified token gives this method, or the error that refuses it. */
function principalFor(spec: MethodSpec, result: Principal | BearerFailure): Principal {
  if (result === 'tenant') throw apiError('invalidTenantToken');
  if (result === 'user') throw apiError('invalidUserToken');
  if (!spec.tokens.includes(result.kind)) {
    if (result.kind === 'guest') throw apiError('invalidUserToken', `a guest access token is good only for the guest's own session in its meeting, not for ${spec.id}`);
    if (result.kind === 'page') throw apiError('invalidUserToken', `a meeting-page credential is good only for the participant protocol and the recording player, not for ${spec.id}`);
    throw result.kind === 'tenant'
      ? apiError('invalidTenantToken', `${spec.id} does not accept a tenant_access_token; call it with a user_access_token`)
      : apiError('invalidUserToken', `user access token not support: ${spec.id} accepts only a tenant_access_token`);
  }
  return result;
}

/**
 * Counts one call of `spec` by the app in its tenant; over the limit → 429 / 99991400 with the
 * `x-ogw-ratelimit-*` headers. Token endpoints call it themselves once they know the app.
 */
export function enforceRateLimit(ctx: AppContext, spec: MethodSpec, appId: string, tenantKey: string, reply: FastifyReply): void | Promise<void> {
  if (!ctx.config.rateLimit) return;
  const limit = ctx.config.rateLimits[spec.id] ?? spec.rateLimit;
  const decision = ctx.rateLimiter.check(`${spec.id}|${appId}|${tenantKey}`, limit);
  // Answered from memory almost always; a shared limiter asks the store once per lease.
  return decision instanceof Promise ? decision.then((d) => refuseOver(d, reply)) : refuseOver(decision, reply);
}

function refuseOver(decision: RateDecision, reply: FastifyReply): void {
  if (!decision.allowed) {
    reply.header('x-ogw-ratelimit-limit', String(decision.limit));
    reply.header('x-ogw-ratelimit-reset', String(decision.resetS));
    throw apiError('rateLimited');
  }
}
