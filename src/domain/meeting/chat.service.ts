import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import type { ChatRow } from '../../store/repositories/chat.repository.js';
import { apiError } from '../../contract/errors.js';
import { chatEntry, type ChatInput } from './chat.js';
import { meetingImEvent } from './meeting-events.js';
import { PARTICIPANT_STATUS, participant } from './meeting.js';
import type { Caller, MeetingService } from './meeting.service.js';

export interface ChatMessage {
  seq: number;
  kind: string;
  content: string;
  sender_key: string;
  sender_name: string;
  created_at: number;
}

/**
 * The meeting chat (docs/client-api.md "Chat"): a participant in the meeting writes to everyone; what is
 * written is kept with the meeting, so that anyone who joins later reads it from the start. A text message
 * of a reserved meeting is also an event for subscribed apps (`vc.meeting.send_meeting_im_v1`), written in
 * the message's transaction.
 */
export class ChatService {
  private committed: (() => void) | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Repositories,
    private readonly meetings: MeetingService,
    private readonly clock: { now(): number } = Date,
  ) {}

  /** Called after each commit that wrote an event (the dispatcher sends it at once). */
  onEventsCommitted(listener: () => void): void {
    this.committed = listener;
  }

  /** Sends from the caller's session, which must be in the meeting now. */
  async send(caller: Caller, sessionId: string, input: ChatInput): Promise<ChatMessage> {
    const entry = chatEntry(input);
    const s = await this.meetings.openSession(caller, sessionId);
    if (s.left_at !== null) throw apiError('participantStatusUnexpected', 'you are no longer in the meeting');
    const m = await this.repos.meetings.find(s.tenant_key, s.meeting_id);
    if (!m || m.status !== 2) throw apiError('meetingStatusUnexpected', 'the meeting is not in progress');
    const p = participant(m, s.participant_key);
    if (!p || p.status !== PARTICIPANT_STATUS.inMeeting || p.sessionId !== s.id) throw apiError('participantStatusUnexpected', 'you are no longer in the meeting');
    const name = p.name ?? (p.userId ? ((await this.repos.directory.forTenant(p.tenantKey ?? m.tenantKey, '').userByUserId(p.userId))?.name ?? p.userId) : p.key);
    const at = this.clock.now();
    const event = entry.kind === 'text' ? meetingImEvent(m, p, entry.content, at) : undefined;
    const row = { tenant_key: m.tenantKey, meeting_id: m.id, sender_key: p.key, sender_name: name, kind: entry.kind, content: entry.content, created_at: at };
    // Alone, the message is one statement; with its event, one transaction.
    const written = event
      ? await this.db.transaction().execute(async (trx) => {
          const w = await this.repos.chat.append(row, trx);
          await this.repos.outbox.append([event], trx);
          return w;
        })
      : await this.repos.chat.append(row);
    this.repos.chat.published(written.mark);
    if (event) this.committed?.();
    return messageOf({ ...row, seq: written.seq });
  }
}

export function messageOf(r: ChatRow): ChatMessage {
  return { seq: r.seq, kind: r.kind, content: r.content, sender_key: r.sender_key, sender_name: r.sender_name, created_at: r.created_at };
}
