import {
  MediaStreamTrack,
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  type RtcpPacket,
  RTCPeerConnection,
  useNACK,
  useOPUS,
  usePLI,
  useSdesMid,
  useVP8,
  type RTCRtpTransceiver,
} from 'werift';
import type { Logger } from 'pino';
import { Refusal, type ServerMessage, type TrackInfo } from './signalling.js';
import type { IceConfig } from './ice-servers.js';

export type Source = 'audio' | 'video' | 'screen';
export const SOURCES: readonly Source[] = ['audio', 'video', 'screen'];

/** How a peer talks back to its page; the WebSocket route provides it. */
export interface PeerSocket {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

/** The session a peer carries media for. */
export interface PeerSession {
  id: string;
  meetingId: string;
  tenantKey: string;
  participantKey: string;
  userId: string | null;
}

/** One upstream track of a peer: its microphone, camera or screen. */
export interface Publication {
  peer: MediaPeer;
  source: Source;
  track: MediaStreamTrack;
  /** the downstream outlets this track is written to */
  outlets: Set<Outlet>;
  /** Asks the publisher for a keyframe; at most one request per 300 ms unless `force`d. */
  requestKeyframe(force?: boolean): void;
}

/** One downstream transceiver of a subscriber; carries one publication at a time, or nothing. */
export interface Outlet {
  kind: 'audio' | 'video';
  transceiver: RTCRtpTransceiver;
  track: MediaStreamTrack;
  publication: Publication | null;
}

export interface PeerOptions {
  /** extra host addresses ICE offers (loopback is not gathered otherwise) */
  iceHosts: string[];
  /** ms the page has to answer an offer */
  answerTimeoutMs: number;
  /** most video streams forwarded to one participant (the page is told) */
  maxVideoStreams: number;
  /** the STUN/TURN servers (with fresh TURN credentials) a session's page gets with each media connection */
  iceConfig(sessionId: string): IceConfig;
}

/** What the room learns from a peer. */
export interface PeerEvents {
  published(p: Publication): void;
  stateChanged(peer: MediaPeer): void;
  connected(peer: MediaPeer): void;
  failed(peer: MediaPeer, reason: string): void;
}

const KEYFRAME_GAP_MS = 300;
/** Silence from a page after which its packets mean its network is back (its microphone alone sends 50 a second). */
const RESUME_GAP_MS = 1000;
/** After a resume, keyframes are asked for again this much later, in case the first requests met a sender not yet sending. */
const RESUME_RETRY_MS = 700;
const FAILED_GRACE_MS = 5000;

/**
 * One session's WebRTC connection to the SFU: three upstream transceivers (microphone, camera, screen)
 * that the page fills, and as many downstream ones as the room forwards to it. The server makes every
 * offer; a change while an offer is out waits for its answer and goes in the next offer.
 */
export class MediaPeer {
  readonly pc: RTCPeerConnection;
  readonly upstream: Record<Source, RTCRtpTransceiver>;
  readonly outlets: Outlet[] = [];
  readonly publications = new Map<Source, Publication>();
  /** what the page says it sends now */
  state = { audio: false, video: false, screen: false };
  closed = false;
  /** paused video the page must be told about (set by the room's allocation) */
  paused: TrackInfo[] = [];
  private offerOut = false;
  private renegotiate = false;
  private answerTimer: NodeJS.Timeout | undefined;
  private pendingLocal: ServerMessage[] = [];
  private pendingRemote: { candidate: string; sdpMid?: string; sdpMLineIndex?: number }[] = [];
  private offered = false;
  private lastTracks = '';
  private lastHeard = 0;

  constructor(
    readonly session: PeerSession,
    private readonly socket: PeerSocket,
    private readonly events: PeerEvents,
    private readonly options: PeerOptions,
    private readonly logger: Logger,
  ) {
    this.pc = new RTCPeerConnection({
      codecs: {
        audio: [useOPUS()],
        video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] })],
      },
      headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
      iceAdditionalHostAddresses: options.iceHosts,
      iceUseIpv6: false,
      iceUseTcp: false,
      // werift always looks for a server-reflexive address, asking stun.l.google.com unless told of
      // another STUN server; offline that stalls an offer for 5 s. The discard port on loopback answers
      // nothing, and with no wait for it the host candidates go out at once.
      iceServers: [{ urls: 'stun:127.0.0.1:9' }],
      iceStunGatherTimeout: 0,
    });
    this.upstream = {
      audio: this.pc.addTransceiver('audio', { direction: 'recvonly' }),
      video: this.pc.addTransceiver('video', { direction: 'recvonly' }),
      screen: this.pc.addTransceiver('video', { direction: 'recvonly' }),
    };
    for (const source of SOURCES) {
      const transceiver = this.upstream[source];
      transceiver.onTrack.subscribe((track) => this.onUpstreamTrack(source, track, transceiver));
      transceiver.receiver.onRtcp.subscribe((p) => this.onFeedback(p));
    }
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c || this.closed) return;
      const json = c.toJSON();
      this.sendLocal({ type: 'candidate', candidate: { candidate: json.candidate ?? '', ...(json.sdpMid != null ? { sdpMid: json.sdpMid } : {}), ...(json.sdpMLineIndex != null ? { sdpMLineIndex: json.sdpMLineIndex } : {}) } });
    });
    this.pc.connectionStateChange.subscribe((s) => {
      if (this.closed) return;
      if (s === 'connected') this.events.connected(this);
      // werift reports `failed` now and then on the way to `connected`: only a lasting failure counts.
      if (s === 'failed') {
        setTimeout(() => {
          if (!this.closed && this.pc.connectionState === 'failed') this.events.failed(this, 'the media connection failed');
        }, FAILED_GRACE_MS).unref();
      }
    });
  }

  private onUpstreamTrack(source: Source, track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void {
    if (this.closed || this.publications.has(source)) return;
    let lastKeyframe = 0;
    const publication: Publication = {
      peer: this,
      source,
      track,
      outlets: new Set(),
      requestKeyframe: (force = false) => {
        const now = Date.now();
        if (source === 'audio' || track.ssrc === undefined || (!force && now - lastKeyframe < KEYFRAME_GAP_MS)) return;
        lastKeyframe = now;
        transceiver.receiver.sendRtcpPLI(track.ssrc).catch(() => {});
      },
    };
    track.onReceiveRtp.subscribe((rtp) => {
      this.heard();
      for (const outlet of publication.outlets) outlet.track.writeRtp(rtp);
    });
    this.publications.set(source, publication);
    this.events.published(publication);
  }

  /**
   * A subscriber asks for a keyframe (PLI, which is what browsers send for VP8): the publisher of that outlet is asked in turn.
   * werift hands a PLI to whichever local sender or receiver owns its *sender* SSRC (the page's own
   * upstream stream, usually), not to the sender it is about, so every RTCP packet of the peer passes here.
   */
  private onFeedback(packet: RtcpPacket): void {
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const fb = packet.feedback;
    if (!(fb instanceof PictureLossIndication)) return;
    for (const o of this.outlets) if (o.transceiver.sender.ssrc === fb.mediaSsrc) o.publication?.requestKeyframe();
  }

  /**
   * Media from the page after a silence: its network is back (ICE resumes on its own after a short
   * outage). Its decoders and those of its video's receivers would wait for the next keyframe the
   * browsers send of their own accord, seconds away, so every video it sends and receives is asked for one now.
   */
  private heard(): void {
    const now = Date.now();
    const silent = this.lastHeard !== 0 && now - this.lastHeard > RESUME_GAP_MS;
    this.lastHeard = now;
    if (!silent) return;
    const ask = () => {
      if (this.closed) return;
      for (const p of this.publications.values()) p.requestKeyframe(true);
      for (const o of this.outlets) o.publication?.requestKeyframe(true);
    };
    ask();
    setTimeout(ask, RESUME_RETRY_MS).unref();
  }

  /** Whether the publication of `source` carries media now, as far as the page said. */
  active(source: Source): boolean {
    return this.state[source] && this.publications.has(source);
  }

  /** A downstream outlet for `kind`, reusing a free one; `created` says the offer must be renewed. */
  outletFor(kind: 'audio' | 'video'): { outlet: Outlet; created: boolean } {
    const free = this.outlets.find((o) => o.kind === kind && o.publication === null);
    if (free) return { outlet: free, created: false };
    const track = new MediaStreamTrack({ kind });
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly' });
    transceiver.sender.onRtcp.subscribe((p) => this.onFeedback(p));
    // The moment DTLS is up is the first moment this outlet can carry a keyframe.
    transceiver.sender.onReady.subscribe(() => outlet.publication?.requestKeyframe(true));
    const outlet: Outlet = { kind, transceiver, track, publication: null };
    this.outlets.push(outlet);
    return { outlet, created: true };
  }

  /** Points `outlet` at `publication` (or at nothing). */
  assign(outlet: Outlet, publication: Publication | null): void {
    if (outlet.publication === publication) return;
    outlet.publication?.outlets.delete(outlet);
    outlet.publication = publication;
    if (!publication) return;
    // A new source on a running sender: continue its sequence numbers and timestamps.
    outlet.transceiver.sender.replaceRTP({ sequenceNumber: 0, timestamp: 0 }, true);
    publication.outlets.add(outlet);
    publication.requestKeyframe();
  }

  /** The page's view of its downstream transceivers. */
  trackMap(): TrackInfo[] {
    const live: TrackInfo[] = this.outlets.flatMap((o) =>
      o.publication && o.transceiver.mid !== null ? [{ mid: o.transceiver.mid, participant_key: o.publication.peer.session.participantKey, source: o.publication.source }] : [],
    );
    return [...live, ...this.paused];
  }

  /** An offer is out (or being made) and not yet answered. */
  get negotiating(): boolean {
    return this.offerOut;
  }

  /** Tells the page what its transceivers carry, when that changed (or always, with an offer). */
  sendTracks(force = false): void {
    if (!this.offered || this.closed) return;
    const tracks = this.trackMap();
    const text = JSON.stringify(tracks);
    if (!force && text === this.lastTracks) return;
    this.lastTracks = text;
    this.socket.send({ type: 'tracks', tracks });
  }

  /** Sends a fresh offer, or marks one as due once the outstanding offer is answered. */
  async negotiate(): Promise<void> {
    if (this.closed) return;
    if (this.offerOut) {
      this.renegotiate = true;
      return;
    }
    this.offerOut = true;
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
    } catch (err) {
      this.logger.warn({ err, session_id: this.session.id }, 'media: could not create an offer');
      this.events.failed(this, 'the server could not create an offer');
      return;
    }
    if (this.closed) return;
    if (!this.offered) {
      this.offered = true;
      const mid = (s: Source) => this.upstream[s].mid ?? '';
      this.socket.send({ type: 'ready', session_id: this.session.id, meeting_id: this.session.meetingId, participant_key: this.session.participantKey, slots: { audio: mid('audio'), video: mid('video'), screen: mid('screen') }, max_video_streams: this.options.maxVideoStreams, ...this.options.iceConfig(this.session.id) });
    }
    this.sendTracks(true);
    this.socket.send({ type: 'offer', sdp: this.pc.localDescription!.sdp });
    for (const m of this.pendingLocal.splice(0)) this.socket.send(m);
    this.answerTimer = setTimeout(() => this.events.failed(this, `no answer to the offer within ${this.options.answerTimeoutMs} ms`), this.options.answerTimeoutMs);
    this.answerTimer.unref();
  }

  async answer(sdp: string): Promise<void> {
    if (!this.offerOut) throw new Refusal('out_of_order', 'there is no offer to answer');
    clearTimeout(this.answerTimer);
    const problem = answerProblem(this.pc.localDescription?.sdp ?? '', sdp);
    if (problem) throw new Refusal('negotiation_failed', `the answer does not fit the offer (${problem}); the media connection is closed`);
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      throw new Refusal('negotiation_failed', `the answer could not be applied (${(err as Error).message}); the media connection is closed`);
    }
    this.offerOut = false;
    for (const c of this.pendingRemote.splice(0)) await this.addCandidate(c);
    for (const o of this.outlets) o.publication?.requestKeyframe();
    if (this.renegotiate) {
      this.renegotiate = false;
      await this.negotiate();
    }
  }

  async candidate(c: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null): Promise<void> {
    if (!c || c.candidate === '') return;
    const init = { candidate: c.candidate, ...(c.sdpMid != null ? { sdpMid: c.sdpMid } : {}), ...(c.sdpMLineIndex != null ? { sdpMLineIndex: c.sdpMLineIndex } : {}) };
    if (!this.pc.remoteDescription) {
      if (!this.offered) throw new Refusal('out_of_order', 'a candidate before any offer');
      this.pendingRemote.push(init);
      return;
    }
    await this.addCandidate(init);
  }

  private async addCandidate(init: { candidate: string; sdpMid?: string; sdpMLineIndex?: number }): Promise<void> {
    try {
      await this.pc.addIceCandidate(init);
    } catch {
      throw new Refusal('malformed', 'the candidate could not be used');
    }
  }

  setState(state: { audio: boolean; video: boolean; screen: boolean }): boolean {
    const changed = SOURCES.some((s) => this.state[s] !== state[s]);
    this.state = { audio: state.audio, video: state.video, screen: state.screen };
    return changed;
  }

  send(message: ServerMessage): void {
    if (!this.closed) this.socket.send(message);
  }

  private sendLocal(message: ServerMessage): void {
    if (this.offered) this.socket.send(message);
    else this.pendingLocal.push(message);
  }

  /** Stops the connection; `bye` tells the page why (omitted when the page went away itself). */
  close(bye?: string, code = 1000): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.answerTimer);
    for (const o of this.outlets) o.publication?.outlets.delete(o);
    for (const p of this.publications.values()) p.outlets.clear();
    if (bye) {
      this.socket.send({ type: 'bye', reason: bye });
      this.socket.close(code, bye.slice(0, 100));
    }
    this.pc.close().catch(() => {});
  }
}

const mids = (sdp: string) => [...sdp.matchAll(/^a=mid:(\S+)\r?$/gm)].map((m) => m[1]);

/**
 * What makes an answer unusable for the offer it answers, if anything. werift applies almost any text
 * and breaks later; an answer must be SDP with the offer's media sections, in order.
 */
export function answerProblem(offer: string, answer: string): string | undefined {
  if (!/^v=0\r?\n/.test(answer)) return 'not SDP';
  const sections = (sdp: string) => (sdp.match(/^m=/gm) ?? []).length;
  if (sections(answer) !== sections(offer)) return `${sections(answer)} media sections for ${sections(offer)} offered`;
  if (mids(answer).join(' ') !== mids(offer).join(' ')) return 'media sections out of order';
  if (!/^a=fingerprint:/m.test(answer) || !/^a=ice-ufrag:/m.test(answer)) return 'no DTLS fingerprint or ICE credentials';
  return undefined;
}
