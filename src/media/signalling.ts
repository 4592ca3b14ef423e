import type { IceConfig } from './ice-servers.js';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The messages of the media signalling socket (docs/client-api.md "Media"). The server always makes the
 * offers, so a client only answers: there is no glare to resolve, and a message out of turn is simply wrong.
 */
const Candidate = Type.Object(
  {
    candidate: Type.String({ maxLength: 1024 }),
    sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1024 }), Type.Null()])),
    usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
  },
  { additionalProperties: false },
);

const Messages = {
  /** First message: who is speaking. The token travels here, never in the URL. */
  hello: Type.Object({ type: Type.Literal('hello'), access_token: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
  /** The answer to the server's latest offer. */
  answer: Type.Object({ type: Type.Literal('answer'), sdp: Type.String({ minLength: 1, maxLength: 200_000 }) }, { additionalProperties: false }),
  /** A trickled ICE candidate; `null` ends the client's candidates. */
  candidate: Type.Object({ type: Type.Literal('candidate'), candidate: Type.Union([Candidate, Type.Null()]) }, { additionalProperties: false }),
  /** What the client sends now: microphone on, camera on, screen shared. */
  state: Type.Object({ type: Type.Literal('state'), audio: Type.Boolean(), video: Type.Boolean(), screen: Type.Boolean() }, { additionalProperties: false }),
};
export const ClientMessage = Type.Union(Object.values(Messages));
export type ClientMessage = Static<typeof ClientMessage>;

// One checker per type, so that an error names the field at fault rather than "no union member".
const checkers = new Map(Object.entries(Messages).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));

/** A refusal: `code` says which rule the message broke. */
export type RefusalCode = 'malformed' | 'unknown_type' | 'out_of_order' | 'unauthorized' | 'not_in_meeting' | 'too_large' | 'negotiation_failed';

export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and validates one text frame; a Refusal says what is wrong (never echoing the frame itself). */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal('malformed', 'the message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal('malformed', 'the message must be a JSON object');
  const type = (value as { type?: unknown }).type;
  const checker = typeof type === 'string' ? checkers.get(type) : undefined;
  if (!checker) throw new Refusal('unknown_type', `unknown message type ${JSON.stringify(String(type)).slice(0, 40)}`);
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    throw new Refusal('malformed', `${type}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`);
  }
  return value as ClientMessage;
}

/** What a subscriber receives on one of its transceivers (by `mid`). */
export interface TrackInfo {
  /** null for video that is not forwarded (`paused`) */
  mid: string | null;
  participant_key: string;
  source: 'audio' | 'video' | 'screen';
  /** Set when the server does not forward this video: the page shows why. */
  paused?: 'too_many_videos';
}

export interface RosterEntry {
  participant_key: string;
  user_id: string | null;
  name: string;
  is_host: boolean;
  /** connected to the media server now */
  media: boolean;
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export type ServerMessage =
  | { type: 'ready'; session_id: string; meeting_id: string; participant_key: string; slots: { audio: string; video: string; screen: string }; max_video_streams: number } & IceConfig
  | { type: 'offer'; sdp: string }
  | { type: 'candidate'; candidate: { candidate: string; sdpMid?: string; sdpMLineIndex?: number } }
  | { type: 'tracks'; tracks: TrackInfo[] }
  | { type: 'roster'; host_key: string | null; recording: boolean; participants: RosterEntry[] }
  | { type: 'error'; code: RefusalCode; message: string }
  | { type: 'bye'; reason: string };
