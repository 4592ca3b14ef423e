import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import type { ErrorName } from '../contract/errors.js';
import { methodSpec, type MethodSpec } from '../contract/methods.js';
import { Envelope, ok } from './envelope.js';
import type { AppContext } from './context.js';

export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** schema of `data` (envelope routes) or of the whole body (raw routes) */
  response?: TSchema;
}

export interface RouteDef<Req = FastifyRequest> {
  schema: RouteSchema;
  /** The envelope routes return `data`; raw routes return the whole body. */
  handler: (request: Req, reply: FastifyReply) => Promise<unknown>;
  /** Bodies not in `{code, msg, data}` (the token endpoints). */
  raw?: boolean;
  /** Extra paths served by the same handler (e.g. a trailing-slash alias). */
  aliases?: string[];
  /** The error a malformed request gets instead of 99992402. */
  badRequest?: ErrorName;
  /** What is not done yet, when the method is only partly implemented (shown in the coverage table). */
  partial?: string;
}

export interface Registered {
  spec: MethodSpec;
  partial?: string;
}

/** Every implemented catalogue method, in registration order: the source of the README coverage table. */
export const registry = new Map<string, Registered>();

export type RouteModule = (r: RouteRegistrar, ctx: AppContext) => void;

/** Registers a catalogue method on Fastify with its path, method, schemas and envelope. */
export class RouteRegistrar {
  constructor(readonly app: FastifyInstance) {}

  method(id: string, def: RouteDef<never>): void {
    const spec = methodSpec(id);
    const schema: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.resource],
      operationId: spec.id,
    };
    if (def.schema.params) schema.params = def.schema.params;
    if (def.schema.querystring) schema.querystring = def.schema.querystring;
    if (def.schema.body) schema.body = def.schema.body;
    if (def.schema.response) schema.response = { 200: def.raw ? def.schema.response : Envelope(def.schema.response) };
    if (spec.tokens.length > 0) schema.security = spec.tokens.map((t) => ({ [t === 'tenant' ? 'tenantAccessToken' : 'userAccessToken']: [] }));
    const handler = def.handler as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    const opts: RouteShorthandOptions = { schema, config: { api: spec, ...(def.badRequest ? { badRequest: def.badRequest } : {}) } };
    for (const url of [spec.path, ...(def.aliases ?? [])]) {
      this.app.route({
        ...opts,
        method: spec.method,
        url,
        handler: async (request, reply) => {
          const result = await handler(request, reply);
          return def.raw ? result : ok(result ?? {});
        },
      });
    }
    registry.set(id, { spec, ...(def.partial ? { partial: def.partial } : {}) });
  }
}
