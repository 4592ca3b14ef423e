import { Type } from '@sinclair/typebox';
import type { UserIdMapper } from '../../domain/identity/user-ids.js';
import { USER_TYPE } from '../../domain/meeting/meeting.js';
import { wholeMinutes, type DailyReport } from '../../domain/report/report.js';
import type { TopUserRow } from '../../store/repositories/report.repository.js';

/** report.md §2–3: every count and duration is a string, `user_type` an integer. */
export const MeetingReport = Type.Object({
  total_meeting_count: Type.String(),
  total_meeting_duration: Type.String({ description: 'seconds' }),
  total_participant_count: Type.String(),
  daily_report: Type.Array(
    Type.Object({
      date: Type.String({ description: 'unix seconds of the day’s 00:00 (UTC+8)' }),
      meeting_count: Type.String(),
      meeting_duration: Type.String({ description: 'seconds' }),
      participant_count: Type.String(),
    }),
  ),
});

export const TopUser = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user_type: Type.Integer({ description: '1 Feishu user, 2 Rooms' }),
  meeting_count: Type.String(),
  meeting_duration: Type.String({ description: 'minutes' }),
});

export function presentDailyReport(r: DailyReport) {
  return {
    total_meeting_count: String(r.totals.meetingCount),
    total_meeting_duration: String(r.totals.durationS),
    total_participant_count: String(r.totals.participantCount),
    daily_report: r.days.map((d) => ({
      date: String(d.date),
      meeting_count: String(d.meetingCount),
      meeting_duration: String(d.durationS),
      participant_count: String(d.participantCount),
    })),
  };
}

/** A user in the caller's ID type; a room keeps its room ID (it has no user IDs). */
export function presentTopUser(u: TopUserRow, ids: UserIdMapper) {
  return {
    id: u.userType === USER_TYPE.lark ? ids.present(u.userId) : u.userId,
    name: u.name,
    user_type: u.userType,
    meeting_count: String(u.meetingCount),
    meeting_duration: String(wholeMinutes(u.durationS)),
  };
}
