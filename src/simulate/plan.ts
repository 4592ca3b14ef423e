/**
 * What happens in each simulated meeting, decided up front as plain data from the seed: when it starts
 * and ends, who joins from what device and when they leave (some early, some drop out and come back),
 * who shares their screen, and whether the host ends it or it ends once the last person has left.
 *
 * Two guarantees keep every plan playable through the meeting rules: the host is there from the start
 * until the closing phase (so the meeting never empties early), and nobody joins once it is closing.
 */
import { deviceFor, type SimDevice } from './devices.js';
import type { Random } from './random.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

export interface Stint {
  join: number;
  leave: number;
}

export interface PlannedParticipant {
  userId: string;
  device: SimDevice;
  audio: boolean;
  video: boolean;
  /** Time in the meeting, in order; more than one when the participant dropped out and re-joined. */
  stints: Stint[];
}

export interface Share {
  /** index into `participants` */
  participant: number;
  from: number;
  to: number;
}

/** A meeting booked ahead through the reserve API, by its host. */
export interface Booking {
  at: number;
  /** the reserve's end_time: whole seconds, a while after the meeting */
  endTime: number;
  /** false: booked with no password (`""`); true: the reserve's own random one */
  password: boolean;
}

export interface MeetingPlan {
  index: number;
  topic: string;
  /** absent for an instant meeting */
  booking?: Booking;
  /** the host starts it */
  start: number;
  /**
   * `host`: the host ends it at `end`, with whoever is still there (their stints end at `end`).
   * `empty`: the last participant leaves at `end` and it ends `emptyGraceMs` later.
   */
  ending: 'host' | 'empty';
  end: number;
  /** `[0]` is the host */
  participants: PlannedParticipant[];
  shares: Share[];
}

export interface PlanOptions {
  meetings: number;
  /** most participants in one meeting (at least 2) */
  maxParticipants: number;
  from: number;
  to: number;
  /** active users of the tenant, in a stable order */
  userIds: string[];
  /** how long a meeting stays open once empty (the server's emptyMeetingGrace) */
  emptyGraceMs: number;
}


const TOPICS = {
  pair: ['1:1', 'Quick sync', 'Pairing session', 'Interview', 'Customer call', 'Mentoring'],
  team: ['Weekly sync', 'Stand-up', 'Design review', 'Sprint planning', 'Retro', 'Project kickoff', 'Roadmap review', 'Incident review', 'Pipeline review', 'Customer demo'],
  crowd: ['All hands', 'Town hall', 'Department meeting', 'Training session', 'Quarterly review'],
};

/** Meetings are booked in round lengths and run a little over or under. */
function drawDuration(rng: Random, longest: number): number {
  const booked = rng.weighted([[15, 2], [30, 4], [45, 1.5], [60, 2.5], [90, 1]] as const);
  const minutes = Math.min(90, Math.max(10, booked + rng.normal(0, 4)));
  return Math.min(longest, Math.round(minutes * MINUTE + rng.between(0, 59) * SECOND));
}

const isWorkingTime = (t: number) => {
  const d = new Date(t);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
};

/** Mostly working hours (UTC) on weekdays, mostly on a quarter hour, when the window allows. */
function drawStart(rng: Random, earliest: number, latest: number): number {
  let t = rng.between(earliest, latest);
  for (let i = 0; i < 8 && !isWorkingTime(t); i++) t = rng.between(earliest, latest);
  if (rng.chance(0.6)) {
    const quarter = Math.round(t / (15 * MINUTE)) * 15 * MINUTE;
    if (quarter >= earliest && quarter <= latest) t = quarter;
  }
  return Math.round(Math.min(latest, t + rng.between(0, 90) * SECOND));
}

/** Smaller meetings are far more common than large ones. */
function drawSize(rng: Random, most: number): number {
  return Math.min(most, 2 + Math.floor(rng.float() ** 2 * (most - 1)));
}

/** Users free at `at` first (people rarely sit in two meetings at once), then anyone. */
function drawPeople(rng: Random, userIds: string[], busyUntil: Map<string, number>, at: number, n: number): string[] {
  const free = userIds.filter((u) => (busyUntil.get(u) ?? 0) <= at);
  const busy = userIds.filter((u) => (busyUntil.get(u) ?? 0) > at);
  return [...rng.sample(free, n), ...rng.sample(busy, Math.max(0, n - free.length))];
}

export function planMeetings(root: Random, o: PlanOptions): MeetingPlan[] {
  // Room for the shortest meeting, its grace and a minute either side.
  const longest = o.to - o.from - o.emptyGraceMs - 2 * MINUTE;
  if (longest < 10 * MINUTE) throw new Error(`the time window must be at least ${Math.ceil((o.emptyGraceMs + 12 * MINUTE) / MINUTE)} minutes long`);
  if (o.userIds.length < 2) throw new Error('the tenant needs at least 2 active users');
  const most = Math.max(2, Math.min(o.maxParticipants, o.userIds.length));
  const drafts = Array.from({ length: o.meetings }, (_, i) => {
    const rng = root.fork('meeting', i);
    const duration = drawDuration(rng, longest);
    return { rng, duration, start: drawStart(rng, o.from, o.to - o.emptyGraceMs - MINUTE - duration) };
  }).sort((a, b) => a.start - b.start);

  const busyUntil = new Map<string, number>();
  return drafts.map(({ rng, duration, start }, index) => {
    const people = drawPeople(rng, o.userIds, busyUntil, start, drawSize(rng, most));
    const plan = planOne(rng, root, index, start, duration, people);
    if (rng.chance(0.35)) plan.booking = book(rng, plan, o);
    for (const p of plan.participants) busyUntil.set(p.userId, p.stints[p.stints.length - 1]!.leave);
    return plan;
  });
}

function planOne(rng: Random, root: Random, index: number, start: number, duration: number, people: string[]): MeetingPlan {
  const end = start + duration;
  const ending = rng.chance(0.6) ? 'host' : 'empty';
  // The closing phase: people trickle out; the last one leaves at `end`.
  const closing = ending === 'empty' ? end - Math.min(3 * MINUTE, duration / 5) : end;
  const participants = people.map((userId, i): PlannedParticipant => {
    const device = deviceFor(root.fork('user', userId), rng);
    const media = { audio: rng.chance(0.93), video: rng.chance(device.type === 'room' ? 0.95 : 0.55) };
    if (i === 0) return { userId, device, ...media, stints: [{ join: start, leave: end }] };
    let join = start + (rng.chance(0.8) ? rng.between(5 * SECOND, Math.min(5 * MINUTE, duration / 6)) : rng.between(5 * MINUTE, duration / 2));
    if (join > closing - 3 * MINUTE) join = start + rng.between(5 * SECOND, MINUTE);
    let leave = end;
    if (rng.chance(0.15) && closing - join > 5 * MINUTE) leave = rng.between(join + 3 * MINUTE, closing - MINUTE);
    const stints = [{ join, leave }];
    // A dropped connection: out for a moment, back in well before the meeting closes.
    const back = Math.min(leave, closing) - MINUTE;
    if (rng.chance(0.12) && back - join > 6 * MINUTE) {
      const drop = rng.between(join + 2 * MINUTE, back - 3 * MINUTE);
      stints.splice(0, 1, { join, leave: drop }, { join: drop + rng.between(20 * SECOND, 150 * SECOND), leave });
    }
    return { userId, device, ...media, stints: stints.map((s) => ({ join: Math.round(s.join), leave: Math.round(s.leave) })) };
  });
  if (ending === 'empty') closeOut(rng, participants, closing, end);
  return {
    index,
    topic: topicFor(rng, participants.length),
    start,
    ending,
    end,
    participants,
    shares: planShares(rng, participants),
  };
}

/** Everyone still there at the close leaves during it, the host too (handing the host role on); one stays until `end`. */
function closeOut(rng: Random, participants: PlannedParticipant[], closing: number, end: number): void {
  const staying = participants.filter((p) => p.stints[p.stints.length - 1]!.leave === end);
  const last = rng.pick(staying);
  for (const p of staying) {
    if (p !== last) p.stints[p.stints.length - 1]!.leave = Math.round(rng.between(closing, end - SECOND));
  }
}

/** Booked from a quarter of an hour to three days ahead (not before the window), lasting a little past the meeting. */
function book(rng: Random, plan: MeetingPlan, o: PlanOptions): Booking {
  return {
    at: Math.round(Math.max(o.from, plan.start - rng.between(15 * MINUTE, 3 * DAY))),
    endTime: Math.ceil((plan.end + o.emptyGraceMs + rng.between(1, 30) * MINUTE) / SECOND) * SECOND,
    password: rng.chance(0.5),
  };
}

function topicFor(rng: Random, size: number): string {
  return rng.pick(size === 2 ? TOPICS.pair : size >= 10 ? TOPICS.crowd : TOPICS.team);
}

/** Up to two screen shares, each inside one stint of its sharer. */
function planShares(rng: Random, participants: PlannedParticipant[]): Share[] {
  const count = rng.weighted([[0, 45], [1, 40], [2, 15]] as const);
  const candidates = participants.flatMap((p, i) => p.stints.filter((s) => s.leave - s.join >= 8 * MINUTE).map((s) => ({ i, s })));
  const shares: Share[] = [];
  for (let k = 0; k < count && candidates.length > 0; k++) {
    const { i, s } = rng.pick(candidates);
    const from = rng.between(s.join + MINUTE, s.join + (s.leave - s.join) / 2);
    const to = from + rng.between(3 * MINUTE, Math.max(3 * MINUTE, Math.min(25 * MINUTE, s.leave - from - MINUTE)));
    shares.push({ participant: i, from: Math.round(from), to: Math.round(to) });
  }
  return shares;
}
