/**
 * Live mode: real clients of a running server, over HTTP and the participant protocol
 * (docs/client-api.md). Each meeting's host starts it, the others join by number; every session turns
 * its media on, heartbeats, and reports quality samples every half minute; some hosts share their
 * screen for the middle third. When the time is up, or the run is aborted (Ctrl-C), everyone leaves.
 */
import { setMaxListeners } from 'node:events';
import type { Runtime } from '../app/runtime.js';
import { ParticipantClient, PROTOCOL_CODE, ProtocolError } from './client.js';
import { randomDevice, type SimDevice } from './devices.js';
import { sessionSamples, type ShareWindow } from './quality.js';
import { Random } from './random.js';
import type { Target } from './target.js';

export interface LiveOptions {
  /** base URL of the running server */
  url: string;
  /** who is in each meeting, host first (see `liveCast`) */
  cast: string[][];
  /** user access token of every user in the cast */
  tokens: Map<string, string>;
  durationMs: number;
  heartbeatMs: number;
  seed: number;
  /** stops the run early; sessions still leave */
  signal?: AbortSignal;
  /** called about once a second while the meetings run */
  onTick?: (s: LiveSummary) => void;
}

export interface LiveSummary {
  meetingIds: string[];
  sessions: number;
  heartbeats: number;
  samples: number;
  left: number;
  errors: number;
  seconds: number;
}

const STATS_EVERY_MS = 30_000;
/** The server's per-request sample limit. */
const MAX_SAMPLES = 120;

/** Who is in each meeting: `participants` distinct users (fewer if the tenant has fewer), host first. */
export function liveCast(seed: number, userIds: string[], meetings: number, participants: number): string[][] {
  const root = new Random(seed);
  return Array.from({ length: meetings }, (_, i) => root.fork('live', i).sample(userIds, Math.min(participants, userIds.length)));
}

/** A fresh user access token for each user, with all of the app's scopes (as `openvc token user`). */
export async function userTokens(rt: Runtime, target: Target, userIds: Iterable<string>): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const userId of new Set(userIds)) {
    tokens.set(userId, (await rt.tokens.issueUserTokens(target.app, userId, target.app.scopes, 'v1', Date.now())).accessToken);
  }
  return tokens;
}

/** Waits `ms`, or less when the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Session {
  client: ParticipantClient;
  id: string;
  device: SimDevice;
  media: { audio: boolean; video: boolean };
  /** the session's own stream; its samples are drawn afresh from it each time, so earlier minutes repeat */
  rng: Random;
  since: number;
  /** the last minute a sample was sent for (unix s); it is sent again while it lasts */
  sentMinute: number;
  /** the server ended it (meeting over, kicked out, dropped) */
  over: boolean;
  /** the screen shares of its meeting so far (shared by the meeting's sessions; an open one ends at Infinity) */
  shares: { from: number; to: number; by: string }[];
}

export async function runLive(o: LiveOptions): Promise<LiveSummary> {
  return new LiveRun(o).run();
}

class LiveRun {
  private readonly started = Date.now();
  private readonly deadline: number;
  /** fires when the time is up early: aborted by the caller, or a meeting could not start */
  private readonly stop = new AbortController();
  private readonly summary: LiveSummary = { meetingIds: [], sessions: 0, heartbeats: 0, samples: 0, left: 0, errors: 0, seconds: 0 };
  private readonly sessions: Session[] = [];

  constructor(private readonly o: LiveOptions) {
    this.deadline = this.started + o.durationMs;
    // Every waiting session listens for the stop: as many listeners as sessions.
    setMaxListeners(0, this.stop.signal);
  }

  async run(): Promise<LiveSummary> {
    const abort = () => this.stop.abort();
    this.o.signal?.addEventListener('abort', abort, { once: true });
    if (this.o.signal?.aborted) abort();
    const ticker = setInterval(() => this.o.onTick?.(this.snapshot()), 1000);
    let failure: unknown;
    try {
      await Promise.all(
        this.o.cast.map((cast, i) =>
          this.meeting(i, cast).catch((e: unknown) => {
            // A meeting that cannot start or be joined stops the run: the others leave too.
            failure ??= e;
            this.stop.abort();
          }),
        ),
      );
    } finally {
      clearInterval(ticker);
      this.o.signal?.removeEventListener('abort', abort);
      await Promise.all(this.sessions.filter((s) => !s.over).map((s) => this.leave(s)));
    }
    if (failure) throw failure;
    return this.snapshot();
  }

  private snapshot(): LiveSummary {
    return { ...this.summary, seconds: (Date.now() - this.started) / 1000 };
  }

  private async meeting(index: number, cast: string[]): Promise<void> {
    const windows: Session['shares'] = [];
    const host = await this.join(index, cast[0]!, windows);
    const guests: Session[] = [];
    for (const userId of cast.slice(1)) {
      if (this.stop.signal.aborted) break;
      guests.push((await this.join(index, userId, windows, host.meetingNo)).session);
    }
    const shares = new Random(this.o.seed).fork('live', index).chance(0.6);
    await Promise.all([this.attend(host.session, shares), ...guests.map((g) => this.attend(g, false))]);
  }

  /** Starts the meeting (no number yet) or joins it, and turns the media on. */
  private async join(index: number, userId: string, shares: Session['shares'], meetingNo?: string): Promise<{ session: Session; meetingNo: string }> {
    const rng = new Random(this.o.seed).fork('live', index, userId);
    const device = randomDevice(rng);
    const token = this.o.tokens.get(userId);
    if (!token) throw new Error(`no token for user ${userId}`);
    const client = new ParticipantClient(this.o.url, token);
    const joined = await (meetingNo ? client.join(meetingNo, device) : client.start(`Live simulation ${index + 1}`, device)).catch((e: unknown) => {
      // The tokens come from the store flags: a server on another store does not know them.
      const hint = e instanceof ProtocolError && PROTOCOL_CODE.invalidToken.includes(e.code) ? ' (do the store flags name the store of the server at --url?)' : '';
      throw new Error(`${userId} could not ${meetingNo ? 'join' : 'start'} a meeting: ${(e as Error).message}${hint}`);
    });
    if (!meetingNo) this.summary.meetingIds.push(joined.meeting.id);
    const session: Session = { client, id: joined.session_id, device, media: { audio: rng.chance(0.95), video: rng.chance(0.6) }, rng, since: Date.now(), sentMinute: 0, over: false, shares };
    this.sessions.push(session);
    this.summary.sessions++;
    await this.tolerant(session, () => client.media(session.id, session.media));
    return { session, meetingNo: joined.meeting.meeting_no };
  }

  /** Heartbeats until the time is up, with quality samples every half minute; a sharing host shares the middle third. */
  private async attend(s: Session, shares: boolean): Promise<void> {
    const third = this.o.durationMs / 3;
    let sharing = false;
    let nextStats = Date.now() + STATS_EVERY_MS;
    await sleep(s.rng.fork('phase').between(0.2, 1) * this.o.heartbeatMs, this.stop.signal);
    // Every session heartbeats at least once, even one that joined as the time ran out (a busy machine).
    for (let first = true; !this.stop.signal.aborted && !s.over && (first || Date.now() < this.deadline); first = false) {
      if (await this.tolerant(s, () => s.client.heartbeat(s.id))) this.summary.heartbeats++;
      const elapsed = Date.now() - this.started;
      if (shares && !sharing && elapsed >= third && elapsed < 2 * third) {
        sharing = await this.tolerant(s, () => s.client.share(s.id, true));
        if (sharing) s.shares.push({ from: Date.now(), to: Infinity, by: s.id });
      }
      if (sharing && elapsed >= 2 * third) {
        sharing = !(await this.tolerant(s, () => s.client.share(s.id, false)));
        if (!sharing) s.shares[s.shares.length - 1]!.to = Date.now();
      }
      if (Date.now() >= nextStats) {
        await this.sendStats(s);
        nextStats += STATS_EVERY_MS;
      }
      await sleep(Math.min(this.o.heartbeatMs, this.deadline - Date.now()), this.stop.signal);
    }
  }

  private async leave(s: Session): Promise<void> {
    await this.sendStats(s);
    if (await this.tolerant(s, () => s.client.leave(s.id))) this.summary.left++;
  }

  /** The samples of the minutes since the last report, the last of them again (it has grown since). */
  private async sendStats(s: Session): Promise<void> {
    const shares: ShareWindow[] = s.shares.map((x) => ({ from: x.from, to: x.to, mine: x.by === s.id }));
    const fresh = sessionSamples(s.rng.fork('samples'), s.device, s.media, s.since, Date.now(), shares).filter((x) => x.minute >= s.sentMinute);
    for (let i = 0; i < fresh.length; i += MAX_SAMPLES) {
      const chunk = fresh.slice(i, i + MAX_SAMPLES);
      if (!(await this.tolerant(s, () => s.client.stats(s.id, chunk)))) return;
      this.summary.samples += chunk.length;
      s.sentMinute = chunk[chunk.length - 1]!.minute;
    }
  }

  /** A call whose failure is counted, not fatal. False when it failed; a session found over stops there. */
  private async tolerant(s: Session, call: () => Promise<void>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (e) {
      if (e instanceof ProtocolError && e.code === PROTOCOL_CODE.sessionOver) s.over = true;
      else this.summary.errors++;
      return false;
    }
  }
}
