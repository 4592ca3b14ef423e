import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorDefs, fieldError, type FieldViolation } from '../contract/errors.js';
import type { RequestLogBook } from './request-log.js';

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/**
 * Where an error's `troubleshooter` text points: this server's own page of the request's log lines (Feishu
 * points at its public site, which knows nothing of a local log id). Same wording and query as Feishu's.
 */
export const troubleshooterText = (publicUrl: string, logId: string, code: number) =>
  `排查建议查看(Troubleshooting suggestions): ${publicUrl}/troubleshoot?from=openapi&log_id=${logId}&code=${code}`;

export interface ErrorRendering {
  /** the server's public base URL (known only once listening with --port 0) */
  publicUrl: () => string;
  /** keeps the failed request's log lines for the troubleshooter page */
  requestLog?: RequestLogBook;
}

/** Feishu names fields by their JSON path: `emails[1]`, `meeting_settings.topic`. */
function fieldName(issue: AjvIssue): string {
  const parts = (issue.instancePath ?? '').split('/').filter(Boolean);
  if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string') parts.push(issue.params.missingProperty);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'body';
}

function describe(issue: AjvIssue): string {
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) {
    return `must be one of: ${(issue.params.allowedValues as unknown[]).join(', ')}`;
  }
  if (issue.keyword === 'required') return 'is required';
  return issue.message ?? 'is invalid';
}

function fromFastify(error: FastifyError): ApiError | undefined {
  if (error.validation) {
    const violations: FieldViolation[] = (error.validation as AjvIssue[]).map((v) => ({ field: fieldName(v), description: describe(v) }));
    return new ApiError('fieldValidation', {
      msg: `field validation failed: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
      fieldViolations: violations,
    });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('bodyTooLarge', {
        msg: 'request body is too large',
        fieldViolations: [{ field: 'body', description: error.message }],
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fieldError('Content-Type', 'must be application/json; charset=utf-8');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fieldError('body', error.message);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return fieldError('request', error.message);
  return undefined;
}

/** Renders every failure as `{code, msg, data?, error:{log_id, troubleshooter, …}}` with the registry's HTTP status. */
export function errorHandlerWith(rendering: ErrorRendering) {
  return (error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void => renderError(rendering, error, request, reply);
}

function renderError(rendering: ErrorRendering, error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void {
  let api = error instanceof ApiError ? error : fromFastify(error);
  // Framework errors (a bad URL) arrive as ApiErrors before any route matched: no routeOptions to read then.
  const badRequest = error instanceof ApiError ? undefined : request.routeOptions.config.badRequest;
  if (badRequest && api) api = new ApiError(badRequest, { msg: `${errorDefs[badRequest].msg}: ${api.message}` });
  if (!api) {
    request.log.error({ err: error }, 'unhandled error');
    api = new ApiError('internal');
  }
  const logId = request.id;
  rendering.requestLog?.failed(logId, api.code, request.principal?.tenantKey);
  for (const [name, value] of Object.entries(api.detail.headers ?? {})) reply.header(name, value);
  if (api.oauth) {
    reply.status(api.status).type('application/json; charset=utf-8').serializer(JSON.stringify);
    reply.send({ code: api.code, error: api.oauth, error_description: api.message });
    return;
  }
  const err: Record<string, unknown> = { log_id: logId, troubleshooter: troubleshooterText(rendering.publicUrl(), logId, api.code) };
  if (api.detail.fieldViolations) err.field_violations = api.detail.fieldViolations;
  if (api.detail.permissionViolations) err.permission_violations = api.detail.permissionViolations;
  if (api.detail.helps) err.helps = api.detail.helps;
  const body: Record<string, unknown> = { code: api.code, msg: api.message, ...api.detail.data, error: err };
  if (api.status === 200 && !('data' in body)) body.data = {};
  reply
    .status(api.status)
    .type('application/json; charset=utf-8')
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body);
}
