import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, MeetingChatTable } from '../schema.js';
import { WAKE_CHANNEL, type WakeBus, type WakeMark } from '../wake-bus.js';

export type ChatRow = Selectable<MeetingChatTable>;
export type NewChatRow = Omit<ChatRow, 'seq'>;

/** The wake key of a meeting's chat feed. */
export const chatWakeKey = (meetingId: string): string => `c:${meetingId}`;

/**
 * The meeting chat (messages, reactions, raised hands). Writers announce the meeting's chat key on the
 * store's wake bus, so that every process's chat long-polls wake on commit (as client events do).
 */
export class ChatRepository {
  private readonly reading = new Map<string, Promise<ChatRow[]>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly wake?: WakeBus,
  ) {}

  /**
   * Writes in the caller's transaction; hand the mark to `published` once it committed. A reader's cursor
   * is the last seq it saw, so a meeting's messages must commit in seq order: on PostgreSQL a sequence
   * hands out numbers at insert, not at commit, so writers of one meeting take turns (a transaction-scoped
   * advisory lock) and a later number never becomes visible before an earlier one. SQLite has one writer,
   * and one process whose bus hears `published`.
   */
  async append(row: NewChatRow, db: Kysely<Database> = this.db): Promise<{ seq: number; mark: WakeMark }> {
    const key = chatWakeKey(row.meeting_id);
    if (this.dialect === 'postgres') {
      // One statement (one round trip while the turn is held): the turn, the insert, and the notification
      // that wakes every process's long-polls of this meeting's chat on commit.
      const r = await sql<{ seq: string }>`
        with turn as (select pg_advisory_xact_lock(hashtext(${key}))),
        ins as (
          insert into meeting_chat (tenant_key, meeting_id, sender_key, sender_name, kind, content, created_at)
          select ${row.tenant_key}, ${row.meeting_id}, ${row.sender_key}, ${row.sender_name}, ${row.kind}, ${row.content}, ${row.created_at} from turn
          returning seq
        )
        select seq, pg_notify(${WAKE_CHANNEL}, ${key} || ' ' || seq) from ins`.execute(db);
      const seq = Number(r.rows[0]!.seq);
      return { seq, mark: { key, seq } };
    }
    const { seq } = await db.insertInto('meeting_chat').values(row).returning('seq').executeTakeFirstOrThrow();
    return { seq: Number(seq), mark: { key, seq: Number(seq) } };
  }

  published(mark: WakeMark): void {
    this.wake?.published([mark]);
  }

  /**
   * A meeting's messages after a cursor. Everyone in a meeting waits on the same cursor and wakes on the
   * same message, so identical reads in flight at once share one query.
   */
  list(meetingId: string, afterSeq: number, limit: number): Promise<ChatRow[]> {
    const key = `${meetingId}|${afterSeq}|${limit}`;
    let read = this.reading.get(key);
    if (!read) {
      read = this.db
        .selectFrom('meeting_chat')
        .selectAll()
        .where('meeting_id', '=', meetingId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
        .then((rows) => rows.map((r) => ({ ...r, seq: Number(r.seq), created_at: Number(r.created_at) })))
        .finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

}
