import type { Logger } from 'pino';
import type { MediaPeer, PeerSession, PeerSocket } from './peer.js';
import type { MediaServer } from './media-server.js';
import { parseClientMessage, Refusal, type ClientMessage } from './signalling.js';

/** WebSocket close codes of the media socket (4xxx: application-defined). */
export const CLOSE = { badHello: 4400, unauthorized: 4401, notInMeeting: 4403, helloTimeout: 4408, tooManyErrors: 4429, mediaFailed: 4500 } as const;

export interface ConnectionOptions {
  /** ms a socket may stay open without a valid hello */
  helloTimeoutMs: number;
  /** refused messages a socket may send before it is closed */
  maxRefusals: number;
  /** largest accepted frame, in bytes */
  maxMessageBytes: number;
}

/** Turns the hello's token into the session it may carry media for; throws a Refusal otherwise. */
export type Authenticate = (sessionId: string, token: string) => Promise<PeerSession>;

/**
 * One signalling socket: the hello first, then answers, candidates and state, handled strictly one
 * after another. A message that breaks a rule gets an `error` back and a log line (never its content:
 * the hello carries a token); only problems with the hello itself, or a flood of refusals, close the
 * socket. Nothing a socket sends touches another session's media.
 */
export class SignallingConnection {
  private peer: MediaPeer | undefined;
  private queue: Promise<void> = Promise.resolve();
  private refusals = 0;
  private done = false;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly sessionId: string,
    private readonly socket: PeerSocket,
    private readonly media: MediaServer,
    private readonly authenticate: Authenticate,
    private readonly options: ConnectionOptions,
    private readonly logger: Logger,
  ) {
    this.helloTimer = setTimeout(() => this.refuseAndClose(new Refusal('out_of_order', 'no hello in time'), CLOSE.helloTimeout), options.helloTimeoutMs);
    this.helloTimer.unref();
  }

  /** A frame arrived; handled after the ones before it. */
  receive(data: Buffer | string, isBinary: boolean): void {
    if (this.done) return;
    this.queue = this.queue.then(() => this.handle(data, isBinary));
  }

  /** The socket closed from the page's side (or the network's). */
  closed(): void {
    this.done = true;
    clearTimeout(this.helloTimer);
    if (this.peer) this.media.detach(this.peer);
  }

  private async handle(data: Buffer | string, isBinary: boolean): Promise<void> {
    if (this.done) return;
    let type = 'unknown';
    try {
      if (isBinary) throw new Refusal('malformed', 'binary frames are not part of the protocol');
      const text = typeof data === 'string' ? data : data.toString('utf8');
      if (Buffer.byteLength(text) > this.options.maxMessageBytes) throw new Refusal('too_large', `messages are limited to ${this.options.maxMessageBytes} bytes`);
      const message = parseClientMessage(text);
      type = message.type;
      await this.dispatch(message);
    } catch (e) {
      if (!(e instanceof Refusal)) {
        this.logger.error({ err: e, session_id: this.sessionId, message_type: type }, 'media: signalling message failed');
        this.refuse(new Refusal('negotiation_failed', 'the server could not handle the message'), type);
        if (this.peer) this.media.detach(this.peer, 'media_failed', CLOSE.mediaFailed);
        return;
      }
      if (!this.peer && (type === 'hello' || e.code === 'unauthorized' || e.code === 'not_in_meeting' || e.code === 'out_of_order')) {
        this.refuseAndClose(e, e.code === 'unauthorized' ? CLOSE.unauthorized : e.code === 'not_in_meeting' ? CLOSE.notInMeeting : CLOSE.badHello, type);
        return;
      }
      this.refuse(e, type);
      // A failed negotiation leaves the connection unusable: the page may reconnect and start afresh.
      if (e.code === 'negotiation_failed' && this.peer) this.media.detach(this.peer, 'media_failed', CLOSE.mediaFailed);
    }
  }

  private async dispatch(m: ClientMessage): Promise<void> {
    if (m.type === 'hello') {
      if (this.peer) throw new Refusal('out_of_order', 'hello was already said');
      const session = await this.authenticate(this.sessionId, m.access_token);
      clearTimeout(this.helloTimer);
      if (this.done) return;
      this.peer = await this.media.attach(session, this.socket);
      if (this.done) {
        this.media.detach(this.peer);
        return;
      }
      this.logger.info({ session_id: this.sessionId, meeting_id: session.meetingId }, 'media: peer connected');
      return;
    }
    if (!this.peer) throw new Refusal('out_of_order', `${m.type} before hello`);
    if (this.peer.closed) throw new Refusal('out_of_order', 'the media connection is closed');
    switch (m.type) {
      case 'answer':
        await this.peer.answer(m.sdp);
        return;
      case 'candidate':
        await this.peer.candidate(m.candidate);
        return;
      case 'state':
        this.media.setState(this.peer, m);
        return;
    }
  }

  private refuse(e: Refusal, type: string): void {
    this.refusals++;
    this.logger.warn({ session_id: this.sessionId, message_type: type, code: e.code, reason: e.message }, 'media: signalling message refused');
    this.socket.send({ type: 'error', code: e.code, message: e.message });
    if (this.refusals > this.options.maxRefusals) this.refuseAndClose(new Refusal('malformed', 'too many refused messages'), CLOSE.tooManyErrors, type);
  }

  private refuseAndClose(e: Refusal, code: number, type = 'none'): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.helloTimer);
    this.logger.warn({ session_id: this.sessionId, message_type: type, code: e.code, reason: e.message }, 'media: signalling socket closed');
    this.socket.send({ type: 'error', code: e.code, message: e.message });
    this.socket.close(code, e.code);
    if (this.peer) this.media.detach(this.peer);
  }
}
