import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/websocket';
import type { AppContext } from '../http/context.js';
import { ApiError } from '../contract/errors.js';
import { SignallingConnection, type Authenticate } from '../media/connection.js';
import { Refusal, type ServerMessage } from '../media/signalling.js';
import { NODE_HEADER, RELAY_CLOSE, RELAY_HEADER, SignallingGate } from '../media/relay.js';

/** Largest signalling frame (an SDP offer of a large meeting stays far below). */
export const MAX_SIGNALLING_BYTES = 256 * 1024;

/**
 * The media signalling socket of a session (docs/client-api.md "Media"): `GET
 * /client/v1/sessions/:session_id/rtc` upgraded to a WebSocket. The socket is authenticated by its first
 * message (`hello` with the user_access_token, or a guest's token), so no token ever sits in a URL or an access log.
 */
export function rtcRoutes(app: FastifyInstance, ctx: AppContext): void {
  const authenticate: Authenticate = async (sessionId, token) => {
    const verified = await ctx.tokens.verify(token);
    if (typeof verified === 'string' || verified.kind === 'tenant' || !verified.userId) throw new Refusal('unauthorized', "the access token is not a valid user_access_token or guest's token");
    let s;
    try {
      s = await ctx.meetings.openSession({ tenantKey: verified.tenantKey, userId: verified.userId, appId: verified.appId, ...(verified.guest ? { guest: verified.guest } : {}) }, sessionId);
    } catch (e) {
      if (e instanceof ApiError) throw new Refusal('not_in_meeting', `session ${sessionId.slice(0, 64)} does not exist`);
      throw e;
    }
    if (s.left_at !== null) throw new Refusal('not_in_meeting', 'the session has left the meeting');
    return { id: s.id, meetingId: s.meeting_id, tenantKey: s.tenant_key, participantKey: s.participant_key, userId: s.user_id };
  };

  app.get('/client/v1/sessions/:session_id/rtc', { websocket: true, schema: { hide: true } }, (socket, req) => {
    const sessionId = String((req.params as { session_id?: unknown }).session_id ?? '');
    const log = ctx.logger.child({ log_id: req.id });
    const local = () =>
      new SignallingConnection(
        sessionId,
        {
          send: (m: ServerMessage) => {
            if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
          },
          close: (code, reason) => socket.close(code, reason),
        },
        ctx.media,
        authenticate,
        { helloTimeoutMs: 10_000, maxRefusals: 50, maxMessageBytes: MAX_SIGNALLING_BYTES },
        log,
      );
    const placement = ctx.media.placement;
    let connection: { receive(data: Buffer, isBinary: boolean): void; closed(): void };
    if (!placement.clustered) connection = local();
    else {
      // A cluster: the socket may have landed on any process; the gate finds the meeting's node (src/media/relay.ts).
      const relayedFrom = header(req.headers[RELAY_HEADER]);
      const meantFor = header(req.headers[NODE_HEADER]);
      if (relayedFrom !== undefined && meantFor !== placement.nodeId) {
        log.warn({ session_id: sessionId.slice(0, 64), relayed_by: relayedFrom.slice(0, 64), meant_for: meantFor?.slice(0, 64) }, 'media: relayed socket meant for another node');
        socket.close(RELAY_CLOSE.misdirected, 'misdirected');
        return;
      }
      connection = new SignallingGate(
        sessionId,
        {
          send: (text) => {
            if (socket.readyState === socket.OPEN) socket.send(text);
          },
          close: (code, reason) => socket.close(code, reason),
        },
        relayedFrom,
        { placement, authenticate, local, logger: log, path: (id) => `/client/v1/sessions/${encodeURIComponent(id)}/rtc`, settleMs: ctx.config.mediaNodeTimeout * 1000 * 2 + 5000, maxFrames: 500 },
      );
    }
    // `ws` ships no types here (no @types/ws): the frames are typed as ws documents them.
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => connection.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary));
    socket.on('close', () => connection.closed());
    socket.on('error', (err: Error) => log.info({ err, session_id: sessionId }, 'media: signalling socket error'));
  });
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
