import type { WakeBus } from '../store/wake-bus.js';
import { sessionWakeKey, userWakeKey } from '../store/repositories/session.repository.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { MethodSpec, RateLimit, TokenKind } from '../contract/methods.js';
import type { AppContext } from '../http/context.js';
import { enforceRateLimit, principalOf } from '../http/auth.js';
import { Envelope, ok } from '../http/envelope.js';
import { ApiError, apiError } from '../contract/errors.js';
import type { Caller } from '../domain/meeting/meeting.service.js';
import type { Meeting } from '../domain/meeting/meeting.js';
import { guestKey, participant, roomKey } from '../domain/meeting/meeting.js';
import { joinAsGuest } from '../domain/meeting/guest-join.js';
import { GUEST_NAME_MAX } from '../domain/meeting/guests.js';
import type { ClientEventRow } from '../store/repositories/session.repository.js';
import { chatWakeKey } from '../store/repositories/chat.repository.js';
import { CHAT_TEXT_MAX, REACTIONS, type ChatInput } from '../domain/meeting/chat.js';
import { messageOf } from '../domain/meeting/chat.service.js';

/**
 * The participant protocol (docs/client-api.md): what the meeting page, room devices and the simulator
 * speak. Authenticated with a user_access_token or the meeting page's credential (a guest's token where
 * `tokens` says so: the calls of the guest's own session); same envelope and error codes as the Open API.
 */
const spec = (id: string, method: MethodSpec['method'], path: string, summary: string, tokens: TokenKind[] = USER, rateLimit: RateLimit = {}): MethodSpec => ({
  id: `client.${id}`,
  resource: 'client',
  method,
  path,
  summary,
  tokens,
  scopes: [],
  fieldScopes: [],
  rateLimit,
  spec: 'docs/client-api.md',
});
/** A signed-in user: through an app (user_access_token) or through the meeting page (its page credential). */
const USER: TokenKind[] = ['user', 'page'];
/** What a guest's token may call. */
const USER_OR_GUEST: TokenKind[] = [...USER, 'guest'];
/** Guest joins need no token, so they are counted per address: enough for a room of people behind one NAT. */
const GUEST_JOIN_LIMIT: RateLimit = { perMinute: 30 };

/** Objects that keep fields they do not know (for exports and reports to come) take at most this many. */
const FREE_FORM = { additionalProperties: true, maxProperties: 64 } as const;

const Device = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 32, description: 'desktop, web, ios, android or room' })),
    client_version: Type.Optional(Type.String({ maxLength: 64 })),
    network_type: Type.Optional(Type.String({ maxLength: 32 })),
    os: Type.Optional(Type.String({ maxLength: 64 })),
    ip: Type.Optional(Type.String({ maxLength: 64, description: 'the client\'s own (LAN) address' })),
    proxy: Type.Optional(Type.Boolean({ description: 'media goes through a proxy' })),
    location: Type.Optional(Type.String({ maxLength: 64 })),
    protocol: Type.Optional(Type.String({ maxLength: 16, description: 'media transport: udp, tcp …' })),
    microphone: Type.Optional(Type.String({ maxLength: 128 })),
    speaker: Type.Optional(Type.String({ maxLength: 128 })),
    camera: Type.Optional(Type.String({ maxLength: 128 })),
  },
  FREE_FORM,
);
const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 64 }) });
const StartBody = Type.Object({ topic: Type.Optional(Type.String({ maxLength: 255 })), device: Type.Optional(Device) });
const JoinBody = Type.Object({
  meeting_no: Type.String({ pattern: '^[0-9]{9}$' }),
  password: Type.Optional(Type.String({ maxLength: 16 })),
  device: Type.Optional(Device),
});
const GuestJoinBody = Type.Object({
  meeting_no: Type.String({ pattern: '^[0-9]{9}$' }),
  name: Type.String({ maxLength: 4 * GUEST_NAME_MAX, description: `the name others see: 1–${GUEST_NAME_MAX} characters once trimmed` }),
  password: Type.Optional(Type.String({ maxLength: 16 })),
  device: Type.Optional(Device),
});
const MediaBody = Type.Object({ audio: Type.Optional(Type.Boolean()), video: Type.Optional(Type.Boolean()) });
const Percent = Type.Optional(Type.Number({ minimum: 0, maximum: 100 }));
const Loss = Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'fraction of packets lost, 0..1' }));
/** One direction of one medium over the minute. */
const Stream = Type.Object(
  {
    bitrate_kbps: Type.Optional(Type.Number({ minimum: 0 })),
    latency_ms: Type.Optional(Type.Number({ minimum: 0 })),
    jitter_ms: Type.Optional(Type.Number({ minimum: 0 })),
    packet_loss: Loss,
    packet_loss_max: Loss,
    resolution: Type.Optional(Type.Integer({ minimum: 0, description: 'vertical pixels of the largest frame (video, screen)' })),
    framerate: Type.Optional(Type.Number({ minimum: 0 })),
  },
  FREE_FORM,
);
const Directions = Type.Optional(Type.Object({ sent: Type.Optional(Stream), received: Type.Optional(Stream) }, FREE_FORM));
const StatsBody = Type.Object({
  samples: Type.Array(
    Type.Object(
      {
        minute: Type.Integer({ minimum: 0, description: 'unix seconds of the minute the sample covers' }),
        bitrate_kbps: Type.Optional(Type.Number({ minimum: 0 })),
        packet_loss: Loss,
        jitter_ms: Type.Optional(Type.Number({ minimum: 0 })),
        rtt_ms: Type.Optional(Type.Number({ minimum: 0 })),
        cpu: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'client CPU %, average over the minute' })),
        cpu_min: Percent,
        cpu_max: Percent,
        system_cpu: Percent,
        system_cpu_max: Percent,
        audio: Type.Optional(
          Type.Object(
            { sent: Type.Optional(Stream), received: Type.Optional(Stream), mic_volume_db: Type.Optional(Type.Number()), speaker_volume_db: Type.Optional(Type.Number()) },
            FREE_FORM,
          ),
        ),
        video: Directions,
        screen: Directions,
      },
      FREE_FORM,
    ),
    { maxItems: 120 },
  ),
});
const EventsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 25, default: 0, description: 'seconds to wait for an event (long poll)' })),
});

const ChatBody = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: 4 * CHAT_TEXT_MAX, description: `a message to everyone: 1–${CHAT_TEXT_MAX} characters once trimmed, plain text` })),
    reaction: Type.Optional(Type.String({ maxLength: 32, description: `one of ${REACTIONS.join(', ')}` })),
    hand: Type.Optional(Type.Boolean({ description: 'raise (true) or lower (false) the hand' })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
const ChatMessageView = Type.Object({
  seq: Type.Integer(),
  kind: Type.String({ description: 'text, reaction or hand' }),
  content: Type.String({ description: "the text (plain text: show it as text, never as markup), the reaction's name, or up / down" }),
  sender_key: Type.String(),
  sender_name: Type.String(),
  created_at: Type.Integer({ description: 'unix milliseconds' }),
});
const ChatView = Type.Object({ messages: Type.Array(ChatMessageView), next: Type.Integer() });
/** Per session: enough for anyone typing or reacting, not for a script flooding the meeting. */
const CHAT_LIMIT: RateLimit = { perMinute: 60 };

const MeetingView = Type.Object({
  id: Type.String(),
  meeting_no: Type.String(),
  topic: Type.String(),
  status: Type.Integer(),
  host_user_id: Type.Union([Type.String(), Type.Null()]),
  is_host: Type.Boolean(),
});
const SessionView = Type.Object({ session_id: Type.String(), meeting: MeetingView });
const GuestSessionView = Type.Object({
  session_id: Type.String(),
  meeting: MeetingView,
  guest: Type.Object({ id: Type.String(), name: Type.String(), access_token: Type.String(), expires_in: Type.Integer({ description: 'seconds' }) }),
});
const EventsView = Type.Object({
  events: Type.Array(Type.Object({ seq: Type.Integer(), type: Type.String(), created_at: Type.String(), payload: Type.Unknown() })),
  next: Type.Integer(),
});

function meetingView(m: Meeting, userKey: string) {
  const host = m.hostKey ? participant(m, m.hostKey) : undefined;
  return { id: m.id, meeting_no: m.meetingNo, topic: m.topic, status: m.status, host_user_id: host?.userId ?? null, is_host: m.hostKey === userKey };
}

function callerOf(request: FastifyRequest): Caller {
  const p = principalOf(request);
  if (!p.userId) throw apiError('invalidUserToken');
  return { tenantKey: p.tenantKey, userId: p.userId, appId: p.appId, ip: request.ip, ...(p.guest ? { guest: p.guest } : {}) };
}

function eventsView(rows: ClientEventRow[], after: number) {
  return {
    events: rows.map((r) => ({ seq: r.seq, type: r.type, created_at: String(r.created_at), payload: JSON.parse(r.payload) as unknown })),
    next: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
  };
}

/** Reads asked for in this event-loop turn and not started yet, by key, cursor and limit. */
const readsThisTurn = new Map<string, Promise<unknown[]>>();

/**
 * One query for the polls of a feed that ask for the same page in one event-loop turn (a thousand
 * clients coming back at once after a restart, or every page of a meeting woken by one event). The
 * query starts after every poll that shares it subscribed and took its epoch, so it sees all that any of
 * them could have been woken for: sharing loses nothing.
 */
function sharedRead<T>(id: string, read: () => Promise<T[]>): Promise<T[]> {
  let shared = readsThisTurn.get(id) as Promise<T[]> | undefined;
  if (!shared) {
    shared = new Promise<T[]>((resolve, reject) => {
      setImmediate(() => {
        readsThisTurn.delete(id);
        read().then(resolve, reject);
      });
    });
    readsThisTurn.set(id, shared);
  }
  return shared;
}

/**
 * Answers with the key's events after the cursor, waiting up to `waitS` for some to arrive. The wait is
 * pushed, not polled: the store's wake bus resolves it when a transaction that wrote events for the key
 * commits, in this process or (PostgreSQL) any other. When the bus knows the key's newest event is at
 * the cursor, the store is not read at all; while the bus cannot hear other processes (its connection is
 * down) the poll looks for itself once a second.
 */
async function longPoll<T extends { seq: number }>(bus: WakeBus, key: string, after: number, limit: number, read: () => Promise<T[]>, waitS: number, request: FastifyRequest): Promise<T[]> {
  const readId = `${key}|${after}|${limit}`;
  const deadline = Date.now() + waitS * 1000;
  let gone: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (gone = resolve));
  request.raw.once('close', gone);
  try {
    for (;;) {
      const waiter = bus.subscribe([key]);
      try {
        const known = bus.lastSeq(key);
        if (known === undefined || known > after || !bus.reliable()) {
          const epoch = bus.epoch();
          const rows = await sharedRead(readId, read);
          // A short page holds the newest event; an empty one says there is none after the cursor.
          if (rows.length < limit) bus.noteRead(key, rows.length > 0 ? rows[rows.length - 1]!.seq : after, epoch);
          if (rows.length > 0) return rows;
        }
        const left = deadline - Date.now();
        if (left <= 0 || request.raw.destroyed) return [];
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, bus.reliable() ? left : Math.min(left, 1000))));
        await Promise.race([waiter.promise, timeout, closed]);
        clearTimeout(timer);
      } finally {
        waiter.cancel();
      }
    }
  } finally {
    request.raw.off('close', gone);
  }
}

export function clientApiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const route = <B extends TSchema | undefined, Q extends TSchema | undefined, P extends TSchema | undefined>(
    s: MethodSpec,
    schema: { body?: B; querystring?: Q; params?: P; response: TSchema },
    handler: (req: FastifyRequest<{ Body: B extends TSchema ? Static<B> : undefined; Querystring: Q extends TSchema ? Static<Q> : undefined; Params: P extends TSchema ? Static<P> : undefined }>, reply: FastifyReply) => Promise<unknown>,
  ) => {
    app.route({
      method: s.method,
      url: s.path,
      config: { api: s },
      schema: { ...schema, summary: s.summary, tags: ['client'], operationId: s.id, response: { 200: Envelope(schema.response) } },
      handler: async (req, reply) => ok((await handler(req as never, reply)) ?? {}),
    });
  };
  const Empty = Type.Object({});

  /** A meeting password is a guessable secret: joins that give one are throttled per address and meeting number (docs/operations.md). */
  const passwordGuarded = async <T>(req: FastifyRequest, meetingNo: string, password: string | undefined, join: () => Promise<T>): Promise<T> => {
    if (!password) return join();
    const attempt = await ctx.throttle.admit('meeting_password', req.ip, meetingNo);
    try {
      const joined = await join();
      await attempt.succeeded();
      return joined;
    } catch (e) {
      if (e instanceof ApiError && e.errorName === 'meetingPasswordWrong') await attempt.failed();
      throw e;
    }
  };

  route(spec('startMeeting', 'POST', '/client/v1/meetings', 'Start an instant meeting hosted by the caller'), { body: Type.Optional(StartBody), response: SessionView }, async (req) => {
    const caller = callerOf(req);
    const v = await ctx.meetings.startInstant(caller, req.body?.topic, req.body?.device ?? {});
    return { session_id: v.sessionId, meeting: meetingView(v.meeting, `u:${caller.userId}`) };
  });

  route(spec('joinMeeting', 'POST', '/client/v1/meetings/join', "Join a meeting by its number (a guest: rejoin the guest's own meeting)", USER_OR_GUEST), { body: JoinBody, response: SessionView }, async (req) => {
    const caller = callerOf(req);
    const v = await passwordGuarded(req, req.body.meeting_no, req.body.password, () => ctx.meetings.joinByNo(caller, req.body.meeting_no, req.body.password, req.body.device ?? {}, ctx.reserveRules));
    const key = v.meeting.participants.find((p) => p.sessionId === v.sessionId)?.key ?? '';
    return { session_id: v.sessionId, meeting: meetingView(v.meeting, key) };
  });

  const guestJoin = spec('guestJoin', 'POST', '/client/v1/meetings/guest_join', 'Join a meeting whose reserve admits guests, as a guest (no token)', [], GUEST_JOIN_LIMIT);
  route(guestJoin, { body: GuestJoinBody, response: GuestSessionView }, async (req, reply) => {
    await enforceRateLimit(ctx, guestJoin, `ip:${req.ip}`, '', reply);
    const v = await passwordGuarded(req, req.body.meeting_no, req.body.password, () =>
      joinAsGuest(
        { meetings: ctx.meetings, tokens: ctx.tokens, rules: ctx.reserveRules },
        { meetingNo: req.body.meeting_no, name: req.body.name, password: req.body.password, device: req.body.device ?? {}, ip: req.ip },
      ),
    );
    reply.header('cache-control', 'no-store');
    return { session_id: v.sessionId, meeting: meetingView(v.meeting, guestKey(v.guest.id)), guest: { id: v.guest.id, name: v.guest.name, access_token: v.guest.accessToken, expires_in: v.guest.expiresIn } };
  });

  route(spec('joinRoom', 'POST', '/client/v1/rooms/:room_id/join', 'Join a meeting with a room the caller operates (user_type 2)'), { params: Type.Object({ room_id: Type.String({ minLength: 1, maxLength: 100 }) }), body: JoinBody, response: SessionView }, async (req) => {
    const v = await passwordGuarded(req, req.body.meeting_no, req.body.password, () => ctx.bookings.joinRoom(callerOf(req), req.params.room_id, req.body.meeting_no, req.body.password, req.body.device ?? {}));
    return { session_id: v.sessionId, meeting: meetingView(v.meeting, roomKey(req.params.room_id)) };
  });

  route(spec('decline', 'POST', '/client/v1/meetings/:meeting_id/decline', 'Decline a ringing invitation'), { params: Type.Object({ meeting_id: Type.String({ minLength: 1, maxLength: 32 }) }), response: Empty }, async (req) => {
    const caller = callerOf(req);
    await ctx.meetings.decline(caller, caller.tenantKey, req.params.meeting_id);
    return {};
  });

  const sessionAction = (name: string, path: string, summary: string, run: (caller: Caller, sessionId: string) => Promise<void>, tokens?: TokenKind[]) =>
    route(spec(name, 'POST', `/client/v1/sessions/:session_id/${path}`, summary, tokens), { params: SessionParams, response: Empty }, async (req) => {
      await run(callerOf(req), req.params.session_id);
      return {};
    });
  sessionAction('leave', 'leave', 'Leave the meeting', (c, id) => ctx.meetings.leave(c, id), USER_OR_GUEST);
  sessionAction('heartbeat', 'heartbeat', 'Keep the session alive', (c, id) => ctx.meetings.heartbeat(c, id), USER_OR_GUEST);
  sessionAction('shareStart', 'share/start', 'Start sharing the screen', (c, id) => ctx.meetings.share(c, id, true), USER_OR_GUEST);
  sessionAction('shareStop', 'share/stop', 'Stop sharing the screen', (c, id) => ctx.meetings.share(c, id, false), USER_OR_GUEST);
  sessionAction('lock', 'lock', 'Lock the meeting (host only): only invitees can join', (c, id) => ctx.meetings.lock(c, id, true));
  sessionAction('unlock', 'unlock', 'Unlock the meeting (host only)', (c, id) => ctx.meetings.lock(c, id, false));

  const Target = Type.Object({ participant_key: Type.String({ minLength: 1, maxLength: 200, description: 'the participant as the media roster names them' }) });
  route(spec('kickout', 'POST', '/client/v1/sessions/:session_id/kickout', 'Host only: remove a participant from the meeting'), { params: SessionParams, body: Target, response: Empty }, async (req) => {
    await ctx.meetings.hostKickOut(callerOf(req), req.params.session_id, req.body.participant_key);
    return {};
  });
  route(spec('setHost', 'POST', '/client/v1/sessions/:session_id/set_host', 'Host only: hand the host role to another participant'), { params: SessionParams, body: Target, response: Empty }, async (req) => {
    await ctx.meetings.hostSetHost(callerOf(req), req.params.session_id, req.body.participant_key);
    return {};
  });
  sessionAction('end', 'end', 'Host only: end the meeting for everyone', (c, id) => ctx.meetings.hostEnd(c, id));

  // The meeting page's record button: the same rules as the Open API's recording start/stop (host only),
  // reached with the page's own credential, which the Open API refuses.
  for (const [name, start] of [['recordingStart', true], ['recordingStop', false]] as const) {
    route(spec(name, 'POST', `/client/v1/sessions/:session_id/recording/${start ? 'start' : 'stop'}`, `Host only: ${start ? 'start' : 'stop'} recording the meeting`), { params: SessionParams, response: Empty }, async (req) => {
      const { meeting_id } = await ctx.meetings.openSession(callerOf(req), req.params.session_id);
      await (start ? ctx.recordings.start(principalOf(req), meeting_id, undefined) : ctx.recordings.stop(principalOf(req), meeting_id));
      return {};
    });
  }

  route(spec('media', 'POST', '/client/v1/sessions/:session_id/media', 'Report microphone and camera use', USER_OR_GUEST), { params: SessionParams, body: MediaBody, response: Empty }, async (req) => {
    await ctx.meetings.media(callerOf(req), req.params.session_id, req.body);
    return {};
  });

  route(spec('stats', 'POST', '/client/v1/sessions/:session_id/stats', 'Report per-minute quality samples', USER_OR_GUEST), { params: SessionParams, body: StatsBody, response: Empty }, async (req) => {
    await ctx.meetings.stats(callerOf(req), req.params.session_id, req.body.samples);
    return {};
  });

  route(spec('sessionEvents', 'GET', '/client/v1/sessions/:session_id/events', 'What this session must react to: kicked out, host changed, meeting ended', USER_OR_GUEST), { params: SessionParams, querystring: EventsQuery, response: EventsView }, async (req) => {
    const s = await ctx.meetings.openSession(callerOf(req), req.params.session_id);
    const after = req.query.after ?? 0;
    const rows = await longPoll(ctx.store.wake, sessionWakeKey(s.id), after, 100, () => ctx.repos.sessions.eventsForSession(s.id, after, 100), req.query.wait ?? 0, req);
    return eventsView(rows, after);
  });

  const chatSend = spec('chatSend', 'POST', '/client/v1/sessions/:session_id/chat', 'Write to the meeting chat: a message to everyone, a reaction, or a raised hand', USER_OR_GUEST);
  route(chatSend, { params: SessionParams, body: ChatBody, response: ChatMessageView }, async (req, reply) => {
    const caller = callerOf(req);
    await enforceRateLimit(ctx, { ...chatSend, rateLimit: CHAT_LIMIT }, `session:${req.params.session_id}`, caller.tenantKey, reply);
    const b = req.body;
    const input: ChatInput = b.text !== undefined ? { kind: 'text', text: b.text } : b.reaction !== undefined ? { kind: 'reaction', reaction: b.reaction } : { kind: 'hand', raised: b.hand === true };
    return ctx.chat.send(caller, req.params.session_id, input);
  });

  route(spec('chat', 'GET', '/client/v1/sessions/:session_id/chat', "The meeting chat from the start (or after a cursor), long-polled like the session's events", USER_OR_GUEST), { params: SessionParams, querystring: EventsQuery, response: ChatView }, async (req) => {
    const s = await ctx.meetings.openSession(callerOf(req), req.params.session_id);
    const after = req.query.after ?? 0;
    const rows = await longPoll(ctx.store.wake, chatWakeKey(s.meeting_id), after, 200, () => ctx.repos.chat.list(s.meeting_id, after, 200), req.query.wait ?? 0, req);
    return { messages: rows.map(messageOf), next: rows.length > 0 ? rows[rows.length - 1]!.seq : after };
  });

  route(spec('userEvents', 'GET', '/client/v1/events', "What the caller's devices must react to: invitations ringing"), { querystring: EventsQuery, response: EventsView }, async (req) => {
    const caller = callerOf(req);
    const after = req.query.after ?? 0;
    const rows = await longPoll(ctx.store.wake, userWakeKey(caller.tenantKey, caller.userId), after, 100, () => ctx.repos.sessions.eventsForUser(caller.tenantKey, caller.userId, after, 100), req.query.wait ?? 0, req);
    return eventsView(rows, after);
  });
}
