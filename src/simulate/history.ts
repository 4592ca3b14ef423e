/**
 * History mode: plays planned meetings through the reserve commands and MeetingService on a clock the
 * simulator sets, so the store holds exactly what real meetings leave behind — reserves, meetings and
 * participants, sessions with their devices and quality samples, outbox events, finished jobs — dated
 * inside the requested window.
 *
 * All meetings share one timeline, replayed in time order, so the clock only moves forward and
 * overlapping meetings interleave as they would on a server.
 */
import type { Kysely } from 'kysely';
import type { Runtime } from '../app/runtime.js';
import type { Database } from '../store/schema.js';
import { OutboxRepository, type NewOutboxEvent } from '../store/repositories/outbox.repository.js';
import { MeetingService, type Caller, type ReserveRules } from '../domain/meeting/meeting.service.js';
import { MEETING_STATUS, userKey } from '../domain/meeting/meeting.js';
import { endMeetingOfReserve, reserveRules } from '../domain/meeting/reserved-meetings.js';
import { applyReserve } from '../domain/reserve/reserve.service.js';
import { registerReserveJobs } from '../app/jobs/reserve-jobs.js';
import type { Principal } from '../domain/auth/principal.js';
import { userIdMapper } from '../domain/identity/user-ids.js';
import { publicUrlOf } from '../config/config.js';
import { JobRunner } from '../jobs/runner.js';
import { registerMeetingJobs } from '../app/jobs/meeting-jobs.js';
import { planMeetings, type MeetingPlan } from './plan.js';
import { sessionSamples } from './quality.js';
import { publicIpOf } from './devices.js';
import { Random } from './random.js';
import type { Target } from './target.js';

/** The simulator's clock: MeetingService and the job runner read it, the timeline sets it. */
class SimClock {
  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  set(t: number): void {
    this.t = t;
  }
}

/**
 * Counts the outbox events the simulated meetings write, for the summary. (A transaction rolled back
 * after its append would be counted too; here only a clash of random meeting numbers does that.)
 */
class CountingOutbox extends OutboxRepository {
  count = 0;

  override async append(events: NewOutboxEvent[], db?: Kysely<Database>): Promise<void> {
    await super.append(events, db);
    this.count += events.length;
  }
}

export interface HistoryOptions {
  meetings: number;
  /** most participants per meeting; each has 2..M */
  participants: number;
  /** unix ms window the meetings fall in */
  from: number;
  to: number;
  seed: number;
  /** called after each meeting has ended, with how many have */
  onMeeting?: (done: number) => void;
}

export interface HistorySummary {
  meetings: number;
  /** of them booked through the reserve API first */
  reserved: number;
  sessions: number;
  samples: number;
  events: number;
  seconds: number;
}

type Step =
  | { kind: 'book' }
  | { kind: 'join'; p: number; stint: number }
  | { kind: 'media'; p: number }
  | { kind: 'share'; p: number; on: boolean }
  | { kind: 'leave'; p: number }
  | { kind: 'end' }
  | { kind: 'close' };

interface Action {
  at: number;
  meeting: number;
  step: Step;
}

/** Within one millisecond of one meeting: the booking first, joins before what follows them, the end last. */
const ORDER: Record<Step['kind'], number> = { book: 0, join: 1, media: 2, share: 3, leave: 4, end: 5, close: 6 };

/** Every plan's steps on one timeline. */
function timeline(plans: MeetingPlan[], emptyGraceMs: number): Action[] {
  const actions: Action[] = [];
  for (const plan of plans) {
    const add = (at: number, step: Step) => actions.push({ at, meeting: plan.index, step });
    if (plan.booking) add(plan.booking.at, { kind: 'book' });
    plan.participants.forEach((p, i) => {
      p.stints.forEach((s, stint) => {
        add(s.join, { kind: 'join', p: i, stint });
        if (p.audio || p.video) add(s.join + 2000, { kind: 'media', p: i });
        // With the host ending it, whoever is still there leaves with the end.
        if (!(plan.ending === 'host' && s.leave === plan.end)) add(s.leave, { kind: 'leave', p: i });
      });
    });
    for (const s of plan.shares) {
      add(s.from, { kind: 'share', p: s.participant, on: true });
      add(s.to, { kind: 'share', p: s.participant, on: false });
    }
    if (plan.ending === 'host') add(plan.end, { kind: 'end' });
    else add(plan.end + emptyGraceMs, { kind: 'close' });
  }
  // Array.prototype.sort is stable: equal keys keep the order they were planned in.
  return actions.sort((a, b) => a.at - b.at || a.meeting - b.meeting || ORDER[a.step.kind] - ORDER[b.step.kind]);
}

interface OpenSession {
  id: string;
  since: number;
  stint: number;
}

interface Running {
  plan: MeetingPlan;
  /** known once the meeting has started */
  id: string | undefined;
  meetingNo: string;
  /** a reserve's password, given on every join */
  password: string | undefined;
  /** per participant, while they are in the meeting */
  sessions: (OpenSession | undefined)[];
}

export async function simulateHistory(rt: Runtime, target: Target, o: HistoryOptions): Promise<HistorySummary> {
  const started = performance.now();
  const emptyGraceMs = rt.config.emptyMeetingGrace * 1000;
  const root = new Random(o.seed);
  const plans = planMeetings(root, { meetings: o.meetings, maxParticipants: o.participants, from: o.from, to: o.to, userIds: target.userIds, emptyGraceMs });
  const replay = new Replay(rt, target, root, emptyGraceMs, o.onMeeting);
  for (const action of timeline(plans, emptyGraceMs)) await replay.perform(plans[action.meeting]!, action);
  const { ended, reserved, sessions, samples } = replay.counts;
  return { meetings: ended, reserved, sessions, samples, events: replay.events, seconds: (performance.now() - started) / 1000 };
}

/** Performs the timeline's steps, as the clients and apps of the planned meetings would. */
class Replay {
  readonly counts = { ended: 0, reserved: 0, sessions: 0, samples: 0 };
  private readonly clock: SimClock;
  private readonly outbox: CountingOutbox;
  private readonly meetings: MeetingService;
  private readonly jobs: JobRunner;
  private readonly rules: ReserveRules;
  private readonly running = new Map<number, Running>();

  constructor(
    private readonly rt: Runtime,
    private readonly target: Target,
    private readonly root: Random,
    emptyGraceMs: number,
    private readonly onMeeting: ((ended: number) => void) | undefined,
  ) {
    const { config, store, repos, logger } = rt;
    this.clock = new SimClock(0);
    this.outbox = new CountingOutbox(store.db);
    this.meetings = new MeetingService(
      store.db,
      { ...repos, outbox: this.outbox },
      { heartbeatTimeoutMs: config.heartbeatTimeout * 1000, emptyGraceMs, ringTimeoutMs: config.ringTimeout * 1000, participantLimit: config.participantLimit },
      this.clock,
    );
    // The empty-meeting end and reserve expiry run as the durable jobs they are on a server, on the simulated clock.
    this.jobs = new JobRunner(repos.jobs, logger, { clock: this.clock });
    registerMeetingJobs(this.jobs, this.meetings);
    registerReserveJobs({ jobs: this.jobs, repos }, endMeetingOfReserve(repos, this.meetings));
    this.rules = reserveRules(repos);
  }

  get events(): number {
    return this.outbox.count;
  }

  async perform(plan: MeetingPlan, { at, meeting, step }: Action): Promise<void> {
    this.clock.set(at);
    if (step.kind === 'book') return this.book(plan, at);
    const m = this.running.get(meeting);
    if (step.kind === 'join' && !m) return this.start(plan, at);
    if (!m) throw new Error(`meeting ${meeting} is not running at ${new Date(at).toISOString()}`);
    switch (step.kind) {
      case 'join': {
        const who = plan.participants[step.p]!;
        // A reserve's number opens its meeting on the first join, as on the server.
        const v = await this.meetings.joinByNo(this.caller(who.userId), m.meetingNo, m.password, who.device, this.rules);
        m.id = v.meeting.id;
        m.sessions[step.p] = { id: v.sessionId, since: at, stint: step.stint };
        this.counts.sessions++;
        return;
      }
      case 'media': {
        const who = plan.participants[step.p]!;
        return this.meetings.media(this.caller(who.userId), m.sessions[step.p]!.id, { audio: who.audio, video: who.video });
      }
      case 'share':
        return this.meetings.share(this.caller(plan.participants[step.p]!.userId), m.sessions[step.p]!.id, step.on);
      case 'leave':
        await this.flush(m, step.p, at);
        await this.meetings.leave(this.caller(plan.participants[step.p]!.userId), m.sessions[step.p]!.id);
        m.sessions[step.p] = undefined;
        return;
      case 'end':
        for (const [p, s] of m.sessions.entries()) if (s) await this.flush(m, p, at);
        await this.meetings.end(this.target.tenantKey, m.id!, userKey(plan.participants[0]!.userId));
        return this.ended(meeting);
      case 'close': {
        await this.jobs.runDue();
        const after = await this.rt.repos.meetings.load(this.target.tenantKey, m.id!);
        if (after?.meeting.status !== MEETING_STATUS.ended) throw new Error(`meeting ${m.id!} did not end once empty`);
        return this.ended(meeting);
      }
    }
  }

  /** The host books the meeting through the reserve API, as a user-token app would. */
  private async book(plan: MeetingPlan, at: number): Promise<void> {
    const { app, tenantKey } = this.target;
    const p: Principal = { kind: 'user', appId: app.appId, tenantKey, appScopes: app.scopes, userId: plan.participants[0]!.userId, grantedScopes: app.scopes };
    const ids = userIdMapper(p, this.rt.repos.directory.forTenant(tenantKey, app.appId), undefined, publicUrlOf(this.rt.config));
    const booking = plan.booking!;
    const input = { end_time: String(booking.endTime / 1000), meeting_settings: { topic: plan.topic, ...(booking.password ? {} : { password: '' }) } };
    const { reserve } = await applyReserve({ reserves: this.rt.repos.reserves, jobs: this.rt.repos.jobs }, p, ids, input, at);
    this.running.set(plan.index, { plan, id: undefined, meetingNo: reserve.meeting_no, password: reserve.password || undefined, sessions: [] });
    this.counts.reserved++;
  }

  /** The host starts an instant meeting. */
  private async start(plan: MeetingPlan, at: number): Promise<void> {
    const host = plan.participants[0]!;
    const v = await this.meetings.startInstant(this.caller(host.userId), plan.topic, host.device);
    this.running.set(plan.index, { plan, id: v.meeting.id, meetingNo: v.meeting.meetingNo, password: undefined, sessions: [{ id: v.sessionId, since: at, stint: 0 }] });
    this.counts.sessions++;
  }

  /** Sends the session's quality samples, as a client does before it goes. */
  private async flush(m: Running, p: number, at: number): Promise<void> {
    const s = m.sessions[p]!;
    const who = m.plan.participants[p]!;
    const shares = m.plan.shares.map((x) => ({ from: x.from, to: x.to, mine: x.participant === p }));
    const rows = sessionSamples(this.root.fork('samples', m.plan.index, p, s.stint), who.device, who, s.since, at, shares);
    await this.meetings.stats(this.caller(who.userId), s.id, rows);
    this.counts.samples += rows.length;
  }

  private ended(meeting: number): void {
    this.running.delete(meeting);
    this.counts.ended++;
    this.onMeeting?.(this.counts.ended);
  }

  private caller(userId: string): Caller {
    return { tenantKey: this.target.tenantKey, userId, appId: this.target.app.appId, ip: publicIpOf(userId) };
  }
}
