/**
 * The recording URLs the API hands out (`/minutes/<token>`): a player page and its MP4 (with byte ranges,
 * which `<video>` needs to seek). Who may watch is set with set_permission and checked on every request;
 * a viewer who is not public signs in through the OAuth consent page, and the page credential it yields
 * (which no Open API method accepts) is kept in an HttpOnly cookie scoped to `/minutes`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../http/context.js';
import type { Viewer } from '../domain/recording/recording.js';
import { GrantError } from '../domain/auth/tokens.js';
import { RECORDING_STATUS } from '../store/repositories/recording.repository.js';
import { URL_TOKEN } from '../recording/recording-files.js';
import { forbiddenPage, notFoundPage, notReadyPage, playerPage } from './recording.page.js';
import { authorizeErrorPage } from './authorize.page.js';

const SESSION_COOKIE = 'openvc_minutes';
const STATE_COOKIE = 'openvc_minutes_state';

/**
 * The request's cookies by name. A value that is not valid percent-encoding (`%E0%A4%A`) was not set by
 * this server: it is left out, so the request goes on as if that cookie were absent.
 */
export function cookiesOf(req: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    try {
      out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      // URIError: ignored as said above
    }
  }
  return out;
}

/**
 * The byte range a `Range` header asks for within `size` bytes: undefined for the whole file (no header,
 * or one this server ignores, such as several ranges), 'unsatisfiable' when it lies past the end.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

export function playerRoutes(app: FastifyInstance, ctx: AppContext): void {
  const secure = () => ctx.publicUrl.startsWith('https:');
  const cookie = (name: string, value: string, maxAgeS: number) =>
    `${name}=${encodeURIComponent(value)}; Path=/minutes; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${secure() ? '; Secure' : ''}`;
  const callbackUrl = () => `${ctx.publicUrl}/minutes/callback`;
  const signInUrl = (token: string) => `/minutes/${token}/sign-in`;

  /** The signed-in viewer, from the session cookie (a page credential; expired or revoked ones are nobody). */
  async function viewerOf(req: FastifyRequest): Promise<{ viewer: Viewer; name?: string }> {
    const token = cookiesOf(req).get(SESSION_COOKIE);
    const p = token ? await ctx.tokens.verify(token) : undefined;
    if (!p || typeof p === 'string' || p.kind !== 'page' || !p.userId) return { viewer: undefined };
    const user = await ctx.repos.directory.forTenant(p.tenantKey, p.appId).userByUserId(p.userId);
    return { viewer: { tenantKey: p.tenantKey, userId: p.userId }, ...(user ? { name: user.name } : {}) };
  }

  async function check(req: FastifyRequest, token: string) {
    if (!URL_TOKEN.test(token)) return { viewer: undefined, result: { ok: false as const, reason: 'not_found' as const } };
    const { viewer, name } = await viewerOf(req);
    const result = await ctx.recordings.watch(token, viewer);
    if (!result.ok && result.reason !== 'sign_in') {
      req.log.warn({ token: token.slice(0, 8), viewer: viewer ? `${viewer.tenantKey}/${viewer.userId}` : null, reason: result.reason }, 'recording access refused');
    }
    return { viewer, name, result };
  }

  app.get('/minutes/:token', { schema: { hide: true } }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const { result, name } = await check(req, token);
    if (!result.ok) {
      if (result.reason === 'sign_in') return reply.header('cache-control', 'no-store').redirect(signInUrl(token), 302);
      return result.reason === 'not_found' ? html(reply, 404, notFoundPage()) : html(reply, 403, forbiddenPage(name, signInUrl(token)));
    }
    const r = result.recording;
    if (r.status !== RECORDING_STATUS.ready) return html(reply, r.status === RECORDING_STATUS.failed ? 410 : 202, notReadyPage(r.status === RECORDING_STATUS.failed ? 'failed' : 'processing'));
    return html(
      reply,
      200,
      playerPage({ topic: result.meeting.topic, mediaUrl: `/minutes/${token}/media`, startedAt: r.started_at, durationMs: r.duration_ms ?? 0, timezone: r.timezone, signInUrl: signInUrl(token), ...(name ? { viewer: name } : {}) }),
    );
  });

  app.get('/minutes/:token/media', { schema: { hide: true } }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const { result } = await check(req, token);
    if (!result.ok) {
      const status = result.reason === 'not_found' ? 404 : 403;
      return reply.status(status).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(status === 404 ? 'not found' : 'no access to this recording');
    }
    const r = result.recording;
    const size = r.status === RECORDING_STATUS.ready && r.file_path ? await stat(r.file_path).then((s) => s.size, () => undefined) : undefined;
    if (size === undefined || !r.file_path) return reply.status(404).type('text/plain; charset=utf-8').send('the recording file is not ready');
    reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-cache').type('video/mp4');
    const range = byteRange(req.headers.range, size);
    if (range === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${size}`).send();
    if (!range) return reply.header('content-length', size).send(createReadStream(r.file_path));
    return reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(r.file_path, { start: range.start, end: range.end }));
  });

  // Signing in: the consent page of an app of the recording's tenant, asking for no API scope at all.
  app.get('/minutes/:token/sign-in', { schema: { hide: true } }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const rec = URL_TOKEN.test(token) ? await ctx.repos.recordings.byToken(token) : undefined;
    const app = rec ? await ctx.repos.apps.firstOfTenant(rec.tenant_key) : undefined;
    if (!rec || !app) return html(reply, 404, notFoundPage());
    const nonce = randomBytes(16).toString('hex');
    const url = new URL(`${ctx.publicUrl}/open-apis/authen/v1/authorize`);
    url.searchParams.set('client_id', app.appId);
    url.searchParams.set('redirect_uri', callbackUrl());
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', 'offline_access');
    url.searchParams.set('state', `${token}.${nonce}`);
    return reply.header('set-cookie', cookie(STATE_COOKIE, nonce, 600)).header('cache-control', 'no-store').redirect(url.toString(), 302);
  });

  app.get('/minutes/callback', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    // a repeated key arrives as an array: not a sign-in this server started
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const [token, nonce] = (text(q.state) ?? '').split('.');
    if (!token || !URL_TOKEN.test(token) || !nonce || cookiesOf(req).get(STATE_COOKIE) !== nonce) {
      return html(reply, 400, authorizeErrorPage('the sign-in did not start here or took too long; open the recording link again'));
    }
    const code = text(q.code);
    if (!code) return html(reply, 403, forbiddenPage(undefined, signInUrl(token)));
    const rec = await ctx.repos.recordings.byToken(token);
    const app = rec ? await ctx.repos.apps.firstOfTenant(rec.tenant_key) : undefined;
    if (!app) return html(reply, 404, notFoundPage());
    try {
      const issued = await ctx.tokens.exchangePageCode(app, code, callbackUrl());
      return reply
        .header('set-cookie', [cookie(SESSION_COOKIE, issued.accessToken, issued.expiresIn), cookie(STATE_COOKIE, '', 0)])
        .header('cache-control', 'no-store')
        .redirect(`/minutes/${token}`, 302);
    } catch (e) {
      if (!(e instanceof GrantError)) throw e;
      return html(reply, 400, authorizeErrorPage(`the sign-in failed (${e.reason}); open the recording link again`));
    }
  });
}
