import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import { ConcurrentUpdate } from '../../store/repositories/meeting.repository.js';
import type { NewOutboxEvent } from '../../store/repositories/outbox.repository.js';
import { apiError } from '../../contract/errors.js';
import type { Meeting, MeetingEvent } from './meeting.js';
import { outboxEvents } from './meeting-events.js';
import type { AfterCommit, MeetingEffects } from './meeting-effects.js';

/** A change of a meeting: what it did (its events) and what its caller gets. */
export type MeetingChange<T> = (m: Meeting, at: number, trx: Kysely<Database>) => Promise<{ events: MeetingEvent[]; result: T }> | { events: MeetingEvent[]; result: T };

/** Told what a commit did, after it committed. */
export interface CommitListener {
  /** a commit wrote meeting events (the dispatcher sends them at once) */
  eventsCommitted(): void;
  /** a meeting changed and the work after its commit is done */
  meetingChanged(tenantKey: string, meetingId: string): void;
}

interface QueuedChange {
  change: MeetingChange<unknown>;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

/** Most changes of one meeting committed in one transaction. */
const MAX_GROUP = 50;

/** The one way an existing meeting changes: queued per meeting, committed in groups, lost races retried. */
export class MeetingCommitQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Pick<Repositories, 'meetings' | 'outbox'>,
    private readonly effects: MeetingEffects,
    private readonly listener: CommitListener,
    private readonly clock: { now(): number },
  ) {}

  /** tenant + meeting id → changes asked for while an earlier group of that meeting commits (see mutate) */
  private readonly waitingChanges = new Map<string, QueuedChange[]>();

  /**
   * Loads the meeting, runs `change` on it and commits everything it caused, retrying lost races.
   * `change` must do its reads through `trx`: on SQLite the transaction holds the only connection.
   *
   * Changes of one meeting asked for in this process while an earlier one is being committed are
   * committed together, in the order asked, in one transaction (a group commit): the meeting is loaded
   * and saved once for all of them, while each change's events and side effects are made from the
   * meeting as that change left it. A busy meeting's rate is then no longer bounded by one
   * transaction's round trips per change. Should any change of a group fail, the group is rolled back
   * and its changes are committed one by one, so a refused change fails alone.
   */
  mutate<T>(tenantKey: string, meetingId: string, change: MeetingChange<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const key = `${tenantKey}\u0000${meetingId}`;
      const waiting = this.waitingChanges.get(key);
      const item: QueuedChange = { change: change as MeetingChange<unknown>, resolve: resolve as (v: unknown) => void, reject };
      if (waiting) return void waiting.push(item);
      this.waitingChanges.set(key, [item]);
      void this.commitQueued(key, tenantKey, meetingId);
    });
  }

  /** Commits a meeting's queued changes, a group at a time, until none are left. */
  private async commitQueued(key: string, tenantKey: string, meetingId: string): Promise<void> {
    const waiting = this.waitingChanges.get(key)!;
    try {
      while (waiting.length > 0) {
        const group = waiting.splice(0, MAX_GROUP);
        // commitGroup answers every caller itself; this only keeps a fault of its own from leaving them waiting.
        await this.commitGroup(tenantKey, meetingId, group).catch((e: unknown) => {
          for (const item of group) item.reject(e);
        });
      }
    } finally {
      this.waitingChanges.delete(key);
    }
  }

  private async commitGroup(tenantKey: string, meetingId: string, group: QueuedChange[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const steps: { result: unknown; after: AfterCommit[] }[] = [];
      let produced = 0;
      let saved: { meeting: Meeting; version: number; snapshot: Map<string, string> } | undefined;
      try {
        await this.db.transaction().execute(async (trx) => {
          const loaded = await this.repos.meetings.load(tenantKey, meetingId, trx);
          if (!loaded) throw apiError('meetingNotExist', `meeting ${meetingId} does not exist`);
          const m = loaded.meeting;
          const outbox: NewOutboxEvent[] = [];
          for (const { change } of group) {
            const sessionsBefore = new Map(m.participants.map((p) => [p.key, p.sessionId]));
            const at = this.clock.now();
            const { events, result } = await change(m, at, trx);
            outbox.push(...outboxEvents(m, events));
            steps.push({ result, after: await this.effects.apply(m, events, at, sessionsBefore, trx) });
            produced += events.length;
          }
          saved = { meeting: m, version: loaded.version + 1, snapshot: await this.repos.meetings.save(loaded, trx) };
          await this.repos.outbox.append(outbox, trx);
        });
      } catch (e) {
        if (e instanceof ConcurrentUpdate && attempt < 20) continue;
        if (group.length === 1) return group[0]!.reject(e);
        // One change of the group failed (or the group could not be saved): each on its own, so only its caller hears of it.
        for (const item of group) await this.commitGroup(tenantKey, meetingId, [item]);
        return;
      }
      // Committed: the next change of this meeting need not read its participants back.
      if (saved) this.repos.meetings.remember(saved.meeting, saved.version, saved.snapshot);
      if (produced > 0) this.listener.eventsCommitted();
      // Not awaited: work after the commit may itself change this meeting, which queues behind this group.
      void (async () => {
        for (const [i, step] of steps.entries()) {
          try {
            for (const work of step.after) await work();
            group[i]!.resolve(step.result);
          } catch (e) {
            group[i]!.reject(e);
          }
        }
        this.listener.meetingChanged(tenantKey, meetingId);
      })();
      return;
    }
  }
}
