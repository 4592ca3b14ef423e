import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories/index.js';
import type { MeetingCapture } from './capture.js';
import type { MediaPeer, PeerOptions, PeerSession, PeerSocket } from './peer.js';
import type { MediaRoom } from './room.js';
import type { TrackRecorder } from './recorder.js';

/** werift and what uses it, loaded with the first peer or capture: CLI commands never pay for it. */
interface Engine {
  MediaRoom: typeof MediaRoom;
  recorder: TrackRecorder;
}

export interface MediaOptions extends PeerOptions {
  /** ms between re-reads of a meeting's sessions (changes made by other processes) */
  refreshMs: number;
}

/**
 * The SFU of this process: a router per meeting with media here, created on the first peer (or the
 * first capture) and dropped when the last one leaves. A meeting's media lives in one process: with
 * several processes, a load balancer must send a meeting's sockets to the same one.
 */
export class MediaServer {
  private readonly rooms = new Map<string, MediaRoom>();
  private engine: Engine | undefined;
  private loading: Promise<Engine> | undefined;
  /** what the recording service calls to write a meeting's tracks */
  readonly capture: MeetingCapture = {
    start: async (meetingId, dir) => (await this.load()).recorder.start(meetingId, dir),
    stop: async (meetingId) => this.engine?.recorder.stop(meetingId),
  };

  constructor(
    private readonly repos: Repositories,
    private readonly logger: Logger,
    private readonly options: MediaOptions,
  ) {}

  private load(): Promise<Engine> {
    this.loading ??= Promise.all([import('./room.js'), import('./recorder.js')]).then(([room, recorder]) => {
      this.engine = { MediaRoom: room.MediaRoom, recorder: new recorder.TrackRecorder(this, this.logger) };
      return this.engine;
    });
    return this.loading;
  }

  /** The meeting's router, created if needed; only once the engine is loaded (attach, capture). */
  room(meetingId: string): MediaRoom {
    if (!this.engine) throw new Error('the media engine is not loaded');
    let room = this.rooms.get(meetingId);
    if (!room) {
      room = new this.engine.MediaRoom(meetingId, { repos: this.repos, logger: this.logger, peer: this.options, refreshMs: this.options.refreshMs }, (r) => {
        if (this.rooms.get(r.meetingId) === r) this.rooms.delete(r.meetingId);
      });
      this.rooms.set(meetingId, room);
    }
    return room;
  }

  async attach(session: PeerSession, socket: PeerSocket): Promise<MediaPeer> {
    await this.load();
    return this.room(session.meetingId).attach(session, socket);
  }

  /** Takes a peer out; with `bye`, its page is told why and its socket closed with `code`. */
  detach(peer: MediaPeer, bye?: string, code?: number): void {
    const room = this.rooms.get(peer.session.meetingId);
    if (room) room.detach(peer, bye, code);
    else peer.close(bye, code);
  }

  setState(peer: MediaPeer, state: { audio: boolean; video: boolean; screen: boolean }): void {
    this.rooms.get(peer.session.meetingId)?.setState(peer, state);
  }

  /** A meeting changed in this process: its room re-reads who is still in it. */
  meetingChanged(meetingId: string): void {
    this.rooms.get(meetingId)?.refresh();
  }

  stats(): { rooms: number; peers: number; publications: number; forwarded: number } {
    const total = { rooms: this.rooms.size, peers: 0, publications: 0, forwarded: 0 };
    for (const room of this.rooms.values()) {
      const s = room.stats();
      total.peers += s.peers;
      total.publications += s.publications;
      total.forwarded += s.forwarded;
    }
    return total;
  }

  /** Stops captures (completing their files) and closes every peer. */
  async close(): Promise<void> {
    await this.engine?.recorder.stopAll();
    for (const room of [...this.rooms.values()]) room.shutdown('server_stopping');
    this.rooms.clear();
  }
}
