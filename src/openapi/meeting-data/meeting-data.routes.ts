import type { FastifyRequest } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';
import { ZonedTime } from '../../domain/export/format.js';
import { meetingListQuery, participantListQuery, qualityListQuery, reservationListQuery, type Fail } from '../../domain/export/queries.js';
import type { ExportKind, QueryOf } from '../../export/kinds.js';
import type { AppContext } from '../../http/context.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { PageSize, PageToken } from '../../http/pagination.js';
import { MeetingListFields, ParticipantListFields, QualityListFields, TimeZoneParam, queryFail, readerOf, reservationListFields, resolveUser } from '../export/export.params.js';
import { MeetingListItem, ParticipantItem, QualityItem, ReservationItem, presentMeetingRow, presentParticipantRow, presentQualityRow, presentReservationRow } from './meeting-data.presenter.js';

/** Paging of the meeting-data queries: 20–100 rows, 20 by default (export.md §10). */
const paging = { page_size: PageSize(20, 100, 20), page_token: PageToken, user_id_type: UserIdTypeParam, time_zone: TimeZoneParam };
type PagingQuery = Static<TObject<typeof paging>>;

const MeetingListGet = Type.Object({
  ...MeetingListFields,
  ...paging,
  include_external_meetings: Type.Optional(Type.Boolean({ description: "also meetings of other tenants the tenant's users joined" })),
  include_webinar: Type.Optional(Type.Boolean({ description: 'openvc has no webinars: changes nothing' })),
});
const ParticipantListGet = Type.Object({
  ...ParticipantListFields,
  ...paging,
  webinar_user_role: Type.Optional(Type.String({ maxLength: 8, description: '"0" guests, "3" webinar audience (openvc has no webinars: nobody)' })),
});
const QualityListGet = Type.Object({ ...QualityListFields, ...paging });
// no user_id_type: people are shown with open_ids of the calling app
const ReservationListGet = Type.Object({ ...reservationListFields(true), page_size: paging.page_size, page_token: paging.page_token, time_zone: TimeZoneParam });

interface TwinDef<K extends ExportKind, Q extends TSchema, Row> {
  id: string;
  query: Q;
  kind: K;
  /** the list's key in `data` and the schema of its items */
  list: string;
  item: TSchema;
  parse: (query: Static<Q>, now: number, fail: Fail) => QueryOf<K>;
  present: (row: Row, time: ZonedTime) => unknown;
  /** a query that lists nobody whatever the data (openvc has no webinar audience) */
  nobody?: (query: Static<Q>) => boolean;
}

/** The exports' JSON twins (export.md §10): the same rows, a page per request. */
export function meetingDataRoutes(r: RouteRegistrar, ctx: AppContext): void {
  const twin = <K extends ExportKind, Q extends TSchema, Row>(d: TwinDef<K, Q, Row>) =>
    r.method(d.id, {
      schema: { querystring: d.query, response: Type.Object({ [d.list]: Type.Array(d.item), has_more: Type.Boolean(), page_token: Type.Optional(Type.String()) }) },
      handler: async (req: FastifyRequest) => {
        const params = req.query as Static<Q>;
        const paging = req.query as PagingQuery;
        const { p, ids, idType, timeZone } = readerOf(ctx, req, paging);
        const fail = queryFail(d.kind);
        const query = await resolveUser(ids, d.parse(params, Date.now(), fail));
        const page = await ctx.exports.page(p, d.kind, query, idType, paging.page_token, paging.page_size ?? 20, fail);
        if (d.nobody?.(params)) return { [d.list]: [], has_more: false, page_token: '' };
        const time = new ZonedTime(timeZone);
        return { [d.list]: (page.rows as Row[]).map((row) => d.present(row, time)), has_more: page.has_more, page_token: page.page_token ?? '' };
      },
    });

  twin({
    id: 'meetingList.get',
    query: MeetingListGet,
    kind: 'meeting_list',
    list: 'meeting_list',
    item: MeetingListItem,
    parse: (q, now, fail) => meetingListQuery(q, now, false, fail),
    present: presentMeetingRow,
  });
  twin({
    id: 'participantList.get',
    query: ParticipantListGet,
    kind: 'participant_list',
    list: 'participants',
    item: ParticipantItem,
    parse: (q, now, fail) => participantListQuery(q, now, fail),
    present: presentParticipantRow,
    nobody: (q) => q.webinar_user_role === '3',
  });
  twin({
    id: 'participantQualityList.get',
    query: QualityListGet,
    kind: 'participant_quality_list',
    list: 'participant_quality_list',
    item: QualityItem,
    parse: (q, now, fail) => qualityListQuery(q, now, fail),
    present: presentQualityRow,
  });
  twin({
    id: 'resourceReservationList.get',
    query: ReservationListGet,
    kind: 'resource_reservation_list',
    list: 'room_reservation_list',
    item: ReservationItem,
    parse: (q, now, fail) => reservationListQuery(q, now, fail),
    present: presentReservationRow,
  });
}
