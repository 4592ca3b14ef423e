/**
 * What the export endpoints and their JSON twins share: request fields, the caller's ID mapper and
 * display time zone, and how each surface answers a query problem (export.md §8 and §10.5).
 */
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { apiError, errorDefs, fieldError, type ErrorName } from '../../contract/errors.js';
import { userIdMapper, UserIdTypeParam, type UserIdMapper, type UserIdType } from '../../domain/identity/user-ids.js';
import { isTimeZone } from '../../domain/export/format.js';
import type { Fail, QueryProblem } from '../../domain/export/queries.js';
import type { Principal } from '../../domain/auth/principal.js';
import type { ExportKind } from '../../export/kinds.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';

const TimeParam = (description: string) => Type.String({ maxLength: 20, description: `${description}, unix seconds` });
const Id = (description: string) => Type.Optional(Type.String({ maxLength: 128, description }));

/** openvc's own addition: the IANA zone times are shown in (the server's exportTimeZone when absent). */
export const TimeZoneParam = Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone of the times shown, e.g. Asia/Shanghai (openvc extension; default: the server setting exportTimeZone)' }));

export const CreateQuery = Type.Object({ user_id_type: UserIdTypeParam, time_zone: TimeZoneParam });

export const MeetingListFields = {
  start_time: TimeParam('window start'),
  end_time: TimeParam('window end'),
  meeting_status: Type.Optional(Type.Integer({ description: '1 ongoing, 2 past (default), 3 future' })),
  meeting_no: Id('filter: the 9-digit meeting number'),
  user_id: Id('filter: a participating user, in user_id_type'),
  room_id: Id('filter: a participating room'),
  meeting_type: Type.Optional(Type.Integer({ description: '1 all (default), 2 video meetings, 3 local screen-casts' })),
};

export const ParticipantListFields = {
  meeting_start_time: TimeParam('the meeting start'),
  meeting_end_time: TimeParam('the meeting end (now for an ongoing meeting)'),
  meeting_status: Type.Optional(Type.Integer({ description: '1 ongoing, 2 past (default), 3 future' })),
  meeting_no: Type.String({ maxLength: 20, description: 'the 9-digit meeting number' }),
  user_id: Id('filter: one user, in user_id_type'),
  room_id: Id('filter: one room'),
};

export const QualityListFields = {
  meeting_start_time: TimeParam('the meeting start, to the minute'),
  meeting_end_time: TimeParam('the meeting end'),
  meeting_no: Type.String({ maxLength: 20, description: 'the 9-digit meeting number' }),
  join_time: TimeParam("the participant's join (from the participant list)"),
  user_id: Id('the participant, when a user (in user_id_type)'),
  room_id: Id('the participant, when a room'),
};

/** export.md §5 (the export's body) and §10.4 (the twin's query, where room_ids is required). */
export const reservationListFields = (roomIdsRequired: boolean) => {
  const roomIds = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, description: 'rooms (omm_…) to export, or with is_exclude to leave out' });
  return {
    room_level_id: Type.String({ maxLength: 64, description: 'the room level (omb_…) whose rooms to export; any other ID names the tenant root' }),
    need_topic: Type.Optional(Type.Boolean({ description: 'show the meeting topic (会议主题); blank otherwise' })),
    start_time: TimeParam('window start (bookings that start in the window)'),
    end_time: TimeParam('window end'),
    room_ids: roomIdsRequired ? roomIds : Type.Optional(roomIds),
    is_exclude: Type.Optional(Type.Boolean({ description: "true: the level's rooms except room_ids" })),
  };
};

/** The reservation list has no user_id_type: people are shown with open_ids of the calling app. */
export const ReservationCreateQuery = Type.Object({ time_zone: TimeZoneParam });

export interface Reader {
  p: Principal;
  ids: UserIdMapper;
  idType: UserIdType;
  timeZone: string;
}

/** The caller, their ID mapper (user_id needs the employee_id field scope) and their display time zone. */
export function readerOf(ctx: AppContext, req: FastifyRequest, query: { user_id_type?: UserIdType; time_zone?: string }): Reader {
  const p = principalOf(req);
  const ids = userIdMapper(p, ctx.repos.directory.forTenant(p.tenantKey, p.appId), query.user_id_type, ctx.publicUrl);
  const timeZone = query.time_zone || ctx.config.exportTimeZone;
  if (!isTimeZone(timeZone)) throw fieldError('time_zone', 'must be an IANA time zone such as Asia/Shanghai or UTC', timeZone);
  return { p, ids, idType: ids.type, timeZone };
}

/** The tenant user a query's user_id names (99992351/60/61/63 when none). */
export async function resolveUser<Q extends object>(ids: UserIdMapper, q: Q): Promise<Q> {
  const userId = (q as { userId?: string }).userId;
  return userId === undefined ? q : { ...q, userId: (await ids.resolve(userId)).user_id };
}

/** `field`: a value out of its range, which the twins' table has no code for: the gateway's 99992402. */
const fail =
  (name: (problem: QueryProblem) => ErrorName | 'field'): Fail =>
  (problem, message) => {
    const n = name(problem);
    if (n === 'field') throw fieldError(problem === 'status' ? 'meeting_status' : problem, message);
    throw apiError(n, `${errorDefs[n].msg}: ${message}`);
  };

/** Exports know only 12100x: what does not exist is 121004, what the caller may not see 121005, the rest 121003. */
export const exportFail: Fail = fail((problem) => {
  switch (problem) {
    case 'no_meeting':
    case 'no_device':
    case 'room':
    case 'level':
      return 'dataNotExist';
    case 'not_visible':
      return 'noPermission';
    default:
      return 'paramError';
  }
});

const QUERY_ERRORS: Record<QueryProblem, ErrorName | 'field'> = {
  time: 'queryStartTime',
  start_in_future: 'queryStartTime',
  range: 'queryTimeRange',
  future_range: 'futureTimeRange',
  meeting_no_invalid: 'meetingNoInvalid',
  meeting_no_length: 'meetingNoLength',
  several_filters: 'severalFilters',
  user_and_room: 'userAndRoom',
  no_participant: 'queryDeviceNotFound',
  status: 'field',
  meeting_type: 'field',
  room: 'roomIdNotSupported',
  level: 'dataNotExist',
  room_ids: 'paramError',
  no_meeting: 'queryMeetingNotFound',
  meeting_not_ended: 'queryMeetingNotFound',
  no_device: 'queryDeviceNotFound',
  not_visible: 'noPermission',
};

/**
 * The twins answer with their 126xxx table. The quality list has no 126015: a room it cannot find is
 * 126010. The reservation list has neither: rooms and levels it cannot find are 121004, as in §8.
 */
export function queryFail(kind: ExportKind): Fail {
  return fail((problem) => {
    if (problem === 'room' && kind === 'participant_quality_list') return 'queryDeviceNotFound';
    if (problem === 'room' && kind === 'resource_reservation_list') return 'dataNotExist';
    return QUERY_ERRORS[problem];
  });
}
