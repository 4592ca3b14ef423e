import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { MediaPlacement, MediaOwner } from './placement.js';
import type { PeerSession } from './peer.js';
import { parseClientMessage } from './signalling.js';

const frame = (data: Buffer | string, isBinary: boolean): Buffer | string => (typeof data === 'string' || isBinary ? data : data.toString('utf8'));

/** Headers of a relayed signalling socket: which node relays it, and which node it is meant for. */
export const RELAY_HEADER = 'x-openvc-relay';
export const NODE_HEADER = 'x-openvc-node';

/** Close codes of the relay (the page reconnects on any close; these say why in logs and tests). */
export const RELAY_CLOSE = {
  /** a relayed socket reached a node that does not carry the meeting (a stale row, a wrong address) */
  misdirected: 4421,
  /** the meeting's node went away: the page reconnects and the meeting moves to a live node */
  nodeGone: 1012,
  /** the store could not be asked, or no node could be reached in time */
  unavailable: 1013,
  tooManyFrames: 4429,
} as const;

export interface PageSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** The local signalling connection (src/media/connection.ts), fed the frames the gate held. */
export interface LocalConnection {
  receive(data: Buffer | string, isBinary: boolean): void;
  closed(): void;
}

export interface GateDeps {
  placement: MediaPlacement;
  authenticate: (sessionId: string, token: string) => Promise<PeerSession>;
  local: () => LocalConnection;
  logger: Logger;
  /** the path of the socket on another node, for a session */
  path: (sessionId: string) => string;
  /** ms the gate keeps trying to reach the meeting's node (a node that just died is dead after `deadMs`) */
  settleMs: number;
  maxFrames: number;
}

/**
 * The first stop of a signalling socket in a cluster (docs/decisions.md "Media placement"). It holds the
 * page's frames until the hello, authenticates it to learn the meeting, asks the placement which node
 * carries that meeting, and then either hands the socket to this process's media server or relays every
 * frame, both ways, to the node's internal address. ICE candidates in those frames are the node's own, so
 * the media (UDP) flows straight between the page and the node.
 *
 * A socket that was itself relayed (`relayedFrom`) is never relayed again: when this node does not carry
 * the meeting it is closed with 4421 and the relaying node asks again. A node that cannot be reached is
 * tried again until its heartbeat is stale and the meeting moves (`settleMs`); a node that goes away
 * under an open relay closes the page's socket (1012), and the page reconnects without leaving.
 */
export class SignallingGate {
  /** frames from the page not yet answered by the meeting's node (replayed if it must be asked again); undefined once it answered */
  private held: { data: Buffer | string; isBinary: boolean }[] | undefined = [];
  private local: LocalConnection | undefined;
  private upstream: WebSocket | undefined;
  private done = false;
  private deciding = false;
  private readonly started = Date.now();
  private session: PeerSession | undefined;
  /** the node that last refused a connection (nothing listening: it died) */
  private refused: string | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly page: PageSocket,
    private readonly relayedFrom: string | undefined,
    private readonly deps: GateDeps,
  ) {}

  receive(data: Buffer | string, isBinary: boolean): void {
    if (this.done) return;
    if (this.local) return this.local.receive(data, isBinary);
    if (this.held) {
      if (this.held.length >= this.deps.maxFrames) return this.finish(RELAY_CLOSE.tooManyFrames, 'too_many_frames');
      this.held.push({ data, isBinary });
    }
    if (this.upstream?.readyState === WebSocket.OPEN) this.upstream.send(frame(data, isBinary));
    if (!this.deciding) {
      this.deciding = true;
      void this.decide();
    }
  }

  closed(): void {
    this.done = true;
    this.local?.closed();
    const up = this.upstream;
    this.upstream = undefined;
    if (up?.readyState === WebSocket.OPEN) up.close(1000, 'page_closed');
    else up?.terminate();
  }

  private toLocal(): void {
    if (this.done) return;
    this.local = this.deps.local();
    const held = this.held ?? [];
    this.held = undefined;
    for (const f of held) this.local.receive(f.data, f.isBinary);
  }

  private async decide(): Promise<void> {
    const first = this.held?.[0];
    let hello;
    try {
      hello = first && !first.isBinary ? parseClientMessage(typeof first.data === 'string' ? first.data : first.data.toString('utf8')) : undefined;
    } catch {
      hello = undefined;
    }
    // Anything but a good hello is refused by the local connection, as on one process.
    if (hello?.type !== 'hello') return this.toLocal();
    try {
      this.session = await this.deps.authenticate(this.sessionId, hello.access_token);
    } catch {
      return this.toLocal();
    }
    await this.route();
  }

  private async route(): Promise<void> {
    if (this.done) return;
    const s = this.session!;
    let owner: MediaOwner;
    try {
      owner = await this.deps.placement.owner(s.tenantKey, s.meetingId, this.refused);
    } catch (err) {
      this.deps.logger.error({ err, session_id: this.sessionId, meeting_id: s.meetingId }, 'media: could not place the meeting');
      return this.finish(RELAY_CLOSE.unavailable, 'placement_failed');
    }
    if (this.done) return;
    if (owner.local) return this.toLocal();
    if (this.relayedFrom !== undefined) {
      this.deps.logger.warn({ session_id: this.sessionId, meeting_id: s.meetingId, relayed_by: this.relayedFrom.slice(0, 64), owner: owner.node.id }, 'media: relayed socket reached a node that does not carry the meeting');
      return this.finish(RELAY_CLOSE.misdirected, 'misdirected');
    }
    this.relay(owner.node.id, owner.node.address);
  }

  private relay(nodeId: string, address: string): void {
    const s = this.session!;
    const url = `${address.replace(/\/$/, '').replace(/^http/, 'ws')}${this.deps.path(this.sessionId)}`;
    const up = new WebSocket(url, { headers: { [RELAY_HEADER]: this.deps.placement.nodeId ?? '', [NODE_HEADER]: nodeId }, handshakeTimeout: 2000, perMessageDeflate: false, maxPayload: 1024 * 1024 });
    this.upstream = up;
    let opened = false;
    let heard = false;
    up.on('open', () => {
      if (this.upstream !== up) return;
      opened = true;
      for (const f of this.held ?? []) up.send(frame(f.data, f.isBinary));
      this.deps.logger.info({ session_id: this.sessionId, meeting_id: s.meetingId, node_id: nodeId }, 'media: signalling relayed to the meeting\'s node');
    });
    up.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.upstream !== up || this.done || isBinary) return;
      // Once the node has answered, what was held has been taken: frames now go straight through.
      if (!heard) {
        heard = true;
        this.held = undefined;
      }
      this.page.send(data.toString('utf8'));
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (this.upstream !== up) return;
      if (err.code === 'ECONNREFUSED') this.refused = nodeId;
      this.deps.logger.warn({ session_id: this.sessionId, meeting_id: s.meetingId, node_id: nodeId, reason: err.message }, "media: could not reach the meeting's node");
    });
    up.on('close', (code: number, reason: Buffer) => {
      if (this.upstream !== up || this.done) return;
      this.upstream = undefined;
      const why = reason.toString('utf8');
      if (!heard && (!opened || code === RELAY_CLOSE.misdirected)) {
        // Not reached, or not the meeting's node after all: ask again (the meeting moves once its node is dead).
        if (Date.now() - this.started > this.deps.settleMs) return this.finish(RELAY_CLOSE.unavailable, 'media_node_unreachable');
        setTimeout(() => void this.route(), 250).unref();
        return;
      }
      // An application close (unauthorized, kicked out, …) passes through; anything else means the node went away.
      if (code >= 4000 && code < 5000) return this.finish(code, why);
      this.deps.logger.warn({ session_id: this.sessionId, meeting_id: s.meetingId, node_id: nodeId, code }, 'media: the meeting\'s node closed the relay');
      this.finish(RELAY_CLOSE.nodeGone, 'media_node_gone');
    });
  }

  private finish(code: number, reason: string): void {
    if (this.done) return;
    this.done = true;
    const up = this.upstream;
    this.upstream = undefined;
    if (up) up.terminate();
    this.local?.closed();
    this.page.close(code, reason);
  }
}
