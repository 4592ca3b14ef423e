import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories/index.js';
import type { MeetingCapture } from './capture.js';
import type { MediaPeer, PeerOptions, PeerSession, PeerSocket } from './peer.js';
import type { MediaRoom } from './room.js';
import type { TrackRecorder } from './recorder.js';
import { MediaPlacement } from './placement.js';

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
 * several processes on PostgreSQL, `placement` says which (src/media/placement.ts), the signalling socket
 * is relayed there (src/media/relay.ts), and the recording capture follows the meeting to its node.
 */
export class MediaServer {
  private readonly rooms = new Map<string, MediaRoom>();
  private engine: Engine | undefined;
  private loading: Promise<Engine> | undefined;
  /** what the recording service calls to write a meeting's tracks */
  readonly capture: MeetingCapture = {
    start: async (meetingId, dir, since) => {
      // In a cluster only the meeting's node writes its tracks; it starts when its room sees the recording.
      if (this.placement.clustered && !this.rooms.has(meetingId)) {
        this.logger.info({ meeting_id: meetingId }, "media: capture left to the meeting's node");
        return;
      }
      await (await this.load()).recorder.start(meetingId, dir, since);
    },
    stop: async (meetingId) => this.engine?.recorder.stop(meetingId),
  };
  private readonly recordingSeen = new WeakMap<MediaRoom, boolean>();
  /** Where meetings' media is carried; one process (SQLite) carries all of it. */
  placement: MediaPlacement;

  constructor(
    private readonly repos: Repositories,
    private readonly logger: Logger,
    private readonly options: MediaOptions,
  ) {
    this.placement = MediaPlacement.local(logger);
  }

  private load(): Promise<Engine> {
    this.loading ??= Promise.all([import('./room.js'), import('./recorder.js')]).then(([room, recorder]) => {
      this.engine = { MediaRoom: room.MediaRoom, recorder: new recorder.TrackRecorder(this, this.logger) };
      return this.engine;
    });
    return this.loading;
  }

  /** Loads the media engine now: a cluster node takes over a meeting without first loading werift. */
  async preload(): Promise<void> {
    await this.load();
  }

  /** The meeting's router, created if needed; only once the engine is loaded (attach, capture). */
  room(meetingId: string): MediaRoom {
    if (!this.engine) throw new Error('the media engine is not loaded');
    let room = this.rooms.get(meetingId);
    if (!room) {
      const onRecording = this.placement.clustered ? (r: MediaRoom, recording: boolean) => void this.followRecording(r, recording) : undefined;
      room = new this.engine.MediaRoom(meetingId, { repos: this.repos, logger: this.logger, peer: this.options, refreshMs: this.options.refreshMs, ...(onRecording ? { onRecording } : {}) }, (r) => {
        if (this.rooms.get(r.meetingId) === r) this.rooms.delete(r.meetingId);
      });
      this.rooms.set(meetingId, room);
    }
    return room;
  }

  /**
   * Cluster: the node carrying a meeting captures it. A recording started or stopped through another
   * process (or begun before this node took the meeting over) is picked up when the room re-reads the
   * meeting, appending to the recording's raw directory.
   */
  private async followRecording(room: MediaRoom, recording: boolean): Promise<void> {
    const recorder = this.engine?.recorder;
    if (!recorder || !room.tenantKey) return;
    // Stops follow a change the room saw (recording, then not): a capture started for other reasons stays.
    const before = this.recordingSeen.get(room);
    this.recordingSeen.set(room, recording);
    try {
      if (recording && !recorder.capturing(room.meetingId)) {
        const open = await this.repos.recordings.open(room.tenantKey, room.meetingId);
        if (open && !recorder.capturing(room.meetingId) && this.rooms.get(room.meetingId) === room) {
          await recorder.start(room.meetingId, open.raw_dir, open.started_at);
          this.logger.info({ meeting_id: room.meetingId, recording_id: open.id }, "media: capture started on the meeting's node");
        }
      } else if (!recording && before === true && recorder.capturing(room.meetingId)) {
        await recorder.stop(room.meetingId);
        this.logger.info({ meeting_id: room.meetingId }, "media: capture stopped on the meeting's node");
      }
    } catch (err) {
      this.logger.error({ err, meeting_id: room.meetingId }, 'media capture failed');
    }
  }

  /**
   * Cluster: rooms of meetings that moved to another node while this one was out of touch (its heartbeat
   * went stale) are closed; their pages reconnect and are relayed to the meeting's node.
   */
  async evictMoved(): Promise<void> {
    if (!this.placement.clustered) return;
    for (const room of [...this.rooms.values()]) {
      if (room.peers.size === 0 || (await this.placement.isLocal(room.tenantKey, room.meetingId))) continue;
      this.logger.warn({ meeting_id: room.meetingId, peers: room.peers.size }, 'media: meeting moved to another node; closing its peers here');
      await this.engine?.recorder.stop(room.meetingId);
      room.shutdown('media_moved');
    }
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
