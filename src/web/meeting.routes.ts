import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../http/context.js';
import { GrantError } from '../domain/auth/tokens.js';
import { apiError } from '../contract/errors.js';
import type { App } from '../store/repositories/app.repository.js';
import { numberFacts } from '../domain/meeting/reserved-meetings.js';
import { meetingPage, prettyNo } from './meeting.page.js';
import { esc, page } from './html.js';
import { FAVICON_SVG } from './icons.js';

// Resolved from the repository root, so that the built server (dist/web) serves the same file.
const SCRIPT = readFileSync(fileURLToPath(new URL('../../src/web/assets/meeting.js', import.meta.url)), 'utf8');

const NO = /^[0-9]{9}$/;
const TokenBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 512 }),
  code_verifier: Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9._~-]+$' }),
});

const notFound = (reply: FastifyReply) => reply.status(404).type('text/plain; charset=utf-8').send('404 page not found');

/**
 * The meeting page (`/j/:meeting_no`, the `url` the Open API hands out) and its sign-in. The page is a
 * public client: it runs the OAuth code flow with PKCE against the authorize page, and this server, which
 * holds the app's secret, redeems the code for it (`/j/:meeting_no/token`) only with the verifier. The
 * app is the first app of the tenant that owns the number (docs/decisions.md "Meeting page").
 */
export function meetingPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  /** The app the page signs in through: the first app of the tenant holding the number now. */
  const appFor = async (meetingNo: string): Promise<App | undefined> => {
    const tenantKey = (await ctx.repos.meetings.liveByNo(meetingNo))?.tenantKey ?? (await ctx.repos.reserves.liveByNo(meetingNo, Date.now()))?.tenant_key;
    return tenantKey ? ctx.repos.apps.firstOfTenant(tenantKey) : undefined;
  };
  const redirectUri = (no: string) => `${ctx.publicUrl}/j/${no}`;
  const noMeeting = (reply: FastifyReply, no: string) =>
    reply
      .status(404)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page('No such meeting', `<h1 id="no-meeting">There is no meeting ${esc(prettyNo(no))}</h1><p>No meeting or booking holds this number now: it may have ended, or the number may be mistyped. Check the link you were sent, or ask the organiser for a new one.</p>`));

  app.get('/j/:meeting_no', { schema: { hide: true } }, async (req, reply) => {
    const no = (req.params as { meeting_no: string }).meeting_no;
    if (!NO.test(no)) return notFound(reply);
    const facts = await numberFacts(ctx.repos, no, Date.now());
    // Said before anyone is asked to sign in: signing in would not help.
    if (!facts) return noMeeting(reply, no);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(meetingPage(no, facts));
  });

  app.get('/j/:meeting_no/signin', { schema: { hide: true } }, async (req, reply) => {
    const no = (req.params as { meeting_no: string }).meeting_no;
    const q = req.query as Record<string, string | undefined>;
    if (!NO.test(no)) return notFound(reply);
    const challenge = q.code_challenge ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return reply.status(400).type('text/html; charset=utf-8').send(page('Sign-in failed', '<h1>Sign-in failed</h1><p class="err">code_challenge must be an S256 challenge.</p>'));
    const a = await appFor(no);
    if (!a) return noMeeting(reply, no);
    const url = new URL(`${ctx.publicUrl}/open-apis/authen/v1/authorize`);
    url.searchParams.set('client_id', a.appId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri(no));
    url.searchParams.set('state', (q.state ?? '').slice(0, 128));
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return reply.redirect(url.toString(), 302);
  });

  app.post('/j/:meeting_no/token', { schema: { hide: true, body: TokenBody } }, async (req, reply) => {
    const no = (req.params as { meeting_no: string }).meeting_no;
    if (!NO.test(no)) return notFound(reply);
    const a = await appFor(no);
    if (!a) throw apiError('meetingNotExist', 'no meeting holds this number now');
    const body = req.body as Static<typeof TokenBody>;
    try {
      const t = await ctx.tokens.exchangePageCode(a, body.code, redirectUri(no), body.code_verifier);
      return reply.header('cache-control', 'no-store').send({ code: 0, access_token: t.accessToken, expires_in: t.expiresIn, token_type: 'Bearer' });
    } catch (e) {
      if (e instanceof GrantError) throw apiError('oauthCodeNotFound', `sign-in failed: ${e.reason}`);
      throw e;
    }
  });

  // The tab icon; /favicon.ico too, for clients that ask for it without reading the page.
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    app.get(path, { schema: { hide: true } }, async (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG));
  }

  app.get('/static/meeting.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SCRIPT));
}
