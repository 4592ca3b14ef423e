import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories/index.js';
import { MEETING_STATUS, PARTICIPANT_STATUS } from '../domain/meeting/meeting.js';
import { MediaPeer, SOURCES, type PeerEvents, type PeerOptions, type PeerSession, type PeerSocket, type Publication } from './peer.js';
import type { RosterEntry, TrackInfo } from './signalling.js';

/** Told when a publication starts or stops carrying media (the recorder writes a file per span). */
export interface PublicationListener {
  started(p: Publication): void;
  stopped(p: Publication): void;
}

export interface RoomDeps {
  repos: Repositories;
  logger: Logger;
  peer: PeerOptions;
  /** ms between re-reads of the meeting, for changes this process was not told about */
  refreshMs: number;
  /** After each re-read: whether the meeting records now (a cluster's capture follows the meeting's node). */
  onRecording?: (room: MediaRoom, recording: boolean) => void;
}

/** Why a session ended, as its row says, for the page's `bye`. */
const BYE: Record<string, string> = { left: 'left', kicked: 'kicked_out', meeting_ended: 'meeting_ended', replaced: 'replaced', network: 'heartbeat_timeout' };

/**
 * One meeting's router: every peer publishes up to three tracks, and each peer receives every other
 * peer's audio and as much video as `maxVideoStreams` allows (screens first, then cameras in the order
 * their owners connected). Video beyond that is not forwarded, and the page is told which.
 */
export class MediaRoom implements PeerEvents {
  readonly peers = new Map<string, MediaPeer>();
  tenantKey: string | undefined;
  private readonly active = new Set<Publication>();
  private readonly listeners = new Set<PublicationListener>();
  private readonly names = new Map<string, string>();
  private roster: { hostKey: string | null; recording: boolean; people: Omit<RosterEntry, 'media' | 'audio' | 'video' | 'screen'>[] } = { hostKey: null, recording: false, people: [] };
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly meetingId: string,
    private readonly deps: RoomDeps,
    private readonly onIdle: (room: MediaRoom) => void,
  ) {}

  attach(session: PeerSession, socket: PeerSocket): MediaPeer {
    this.tenantKey = session.tenantKey;
    const before = this.peers.get(session.id);
    if (before) this.detach(before, 'another_connection', 4409);
    const peer = new MediaPeer(session, socket, this, this.deps.peer, this.deps.logger);
    this.peers.set(session.id, peer);
    // Allocation makes the first offer when there is something to receive already; otherwise make it here.
    this.allocate();
    if (!peer.negotiating) void peer.negotiate();
    this.refresh();
    if (!this.timer) {
      this.timer = setInterval(() => this.refresh(), this.deps.refreshMs);
      this.timer.unref();
    }
    return peer;
  }

  /** Takes a peer out of the room; `bye` is sent to its page when it is still there. */
  detach(peer: MediaPeer, bye?: string, code?: number): void {
    if (this.peers.get(peer.session.id) !== peer) {
      peer.close(bye, code);
      return;
    }
    this.peers.delete(peer.session.id);
    peer.close(bye, code);
    this.allocate();
    this.refresh();
    this.idleCheck();
  }

  setState(peer: MediaPeer, state: { audio: boolean; video: boolean; screen: boolean }): void {
    if (peer.setState(state)) {
      this.allocate();
      this.broadcastRoster();
    }
  }

  // PeerEvents ----------------------------------------------------------------------------------

  published(_p: Publication): void {
    this.allocate();
  }

  stateChanged(_peer: MediaPeer): void {
    this.allocate();
  }

  connected(peer: MediaPeer): void {
    for (const o of peer.outlets) o.publication?.requestKeyframe();
  }

  failed(peer: MediaPeer, reason: string): void {
    this.deps.logger.warn({ session_id: peer.session.id, meeting_id: this.meetingId, reason }, 'media: peer connection dropped');
    this.detach(peer, 'media_failed', 4500);
  }

  // Capture ------------------------------------------------------------------------------------

  addListener(l: PublicationListener): void {
    this.listeners.add(l);
    for (const p of this.active) l.started(p);
  }

  removeListener(l: PublicationListener): void {
    this.listeners.delete(l);
    this.idleCheck();
  }

  // Forwarding ---------------------------------------------------------------------------------

  /** Publications that carry media now, in forwarding priority: screens, then cameras, then audio. */
  private ordered(): Publication[] {
    const all = [...this.peers.values()].flatMap((peer) => SOURCES.flatMap((s) => (peer.active(s) ? [peer.publications.get(s)!] : [])));
    const rank = { screen: 0, video: 1, audio: 2 } as const;
    return all.sort((a, b) => rank[a.source] - rank[b.source]);
  }

  /** Recomputes what every peer receives, renegotiating the peers that need more transceivers. */
  allocate(): void {
    if (this.closed) return;
    const publications = this.ordered();
    const now = new Set(publications);
    for (const p of [...this.active]) {
      if (now.has(p)) continue;
      this.active.delete(p);
      for (const l of this.listeners) l.stopped(p);
    }
    for (const p of publications) {
      if (this.active.has(p)) continue;
      this.active.add(p);
      for (const l of this.listeners) l.started(p);
    }
    const max = this.deps.peer.maxVideoStreams;
    for (const sub of this.peers.values()) {
      const wanted = new Set<Publication>();
      const paused: TrackInfo[] = [];
      let videos = 0;
      for (const p of publications) {
        if (p.peer === sub) continue;
        if (p.source === 'audio') wanted.add(p);
        else if (videos < max) {
          wanted.add(p);
          videos++;
        } else paused.push({ mid: null, participant_key: p.peer.session.participantKey, source: p.source, paused: 'too_many_videos' });
      }
      for (const o of sub.outlets) if (o.publication && !wanted.has(o.publication)) sub.assign(o, null);
      let created = false;
      for (const p of wanted) {
        if ([...p.outlets].some((o) => sub.outlets.includes(o))) continue;
        const got = sub.outletFor(p.source === 'audio' ? 'audio' : 'video');
        sub.assign(got.outlet, p);
        created ||= got.created;
      }
      sub.paused = paused;
      if (created) void sub.negotiate();
      else sub.sendTracks();
    }
  }

  // Roster and session lifecycle ---------------------------------------------------------------

  /**
   * Re-reads the meeting: peers whose session is over are closed with the reason, everyone gets the
   * roster. Calls while one runs fold into one more run.
   */
  refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.readMeeting()
      .catch((err: unknown) => this.deps.logger.warn({ err, meeting_id: this.meetingId }, 'media: could not re-read the meeting'))
      .finally(() => {
        this.refreshing = undefined;
        if (this.refreshAgain && !this.closed) {
          this.refreshAgain = false;
          this.refresh();
        }
      });
  }

  private async readMeeting(): Promise<void> {
    if (!this.tenantKey || this.peers.size === 0) return;
    const { repos } = this.deps;
    const [meeting, open] = await Promise.all([repos.meetings.find(this.tenantKey, this.meetingId), repos.sessions.openInMeeting(this.meetingId)]);
    const openIds = new Set(open.map((s) => s.id));
    for (const peer of [...this.peers.values()]) {
      if (openIds.has(peer.session.id) && meeting?.status !== MEETING_STATUS.ended) continue;
      const row = await repos.sessions.get(peer.session.id);
      this.detach(peer, BYE[row?.leave_reason ?? ''] ?? 'meeting_ended', 4000);
    }
    if (!meeting) return;
    const people = [];
    for (const p of meeting.participants) {
      if (p.status !== PARTICIPANT_STATUS.inMeeting) continue;
      people.push({ participant_key: p.key, user_id: p.userId, name: await this.nameOf(p.key, p.name, p.userId, p.tenantKey ?? meeting.tenantKey), is_host: p.key === meeting.hostKey });
    }
    this.roster = { hostKey: meeting.hostKey, recording: meeting.recording, people };
    this.broadcastRoster();
    this.deps.onRecording?.(this, meeting.recording);
  }

  private async nameOf(key: string, name: string | null, userId: string | null, tenantKey: string): Promise<string> {
    if (name) return name;
    const known = this.names.get(key);
    if (known) return known;
    const user = userId ? await this.deps.repos.directory.forTenant(tenantKey, '').userByUserId(userId) : undefined;
    const found = user?.name ?? userId ?? key;
    this.names.set(key, found);
    return found;
  }

  private broadcastRoster(): void {
    const byKey = new Map([...this.peers.values()].map((p) => [p.session.participantKey, p]));
    const participants: RosterEntry[] = this.roster.people.map((p) => {
      const peer = byKey.get(p.participant_key);
      return { ...p, media: peer !== undefined, audio: peer?.state.audio ?? false, video: peer?.state.video ?? false, screen: peer?.state.screen ?? false };
    });
    for (const peer of this.peers.values()) peer.send({ type: 'roster', host_key: this.roster.hostKey, recording: this.roster.recording, participants });
  }

  private idleCheck(): void {
    if (this.peers.size > 0 || this.listeners.size > 0 || this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.onIdle(this);
  }

  /** Closes every peer (the server is stopping). */
  shutdown(bye: string): void {
    for (const peer of [...this.peers.values()]) this.detach(peer, bye, 1001);
    clearInterval(this.timer);
  }

  stats(): { peers: number; publications: number; forwarded: number } {
    let forwarded = 0;
    for (const p of this.active) forwarded += p.outlets.size;
    return { peers: this.peers.size, publications: this.active.size, forwarded };
  }
}
