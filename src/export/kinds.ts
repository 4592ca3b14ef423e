/**
 * Every export kind: its sheet and where its rows come from. A new kind is one more entry: a sheet in
 * src/domain/export/sheets.ts and a row source in ./row-sources.ts.
 */
import type { Fail, MeetingListQuery, ParticipantListQuery, QualityListQuery, ReservationListQuery } from '../domain/export/queries.js';
import { meetingListSheet, participantListSheet, qualityListSheet, reservationListSheet, type SheetDef } from '../domain/export/sheets.js';
import type { MeetingRow, ParticipantRow, QualityRow, ReservationRow } from '../domain/export/rows.js';
import type { MeetingDataRepository } from '../store/repositories/meeting-data.repository.js';
import type { ReservationDataRepository } from '../store/repositories/reservation-data.repository.js';
import { meetingListSource, participantListSource, qualityListSource, reservationListSource, type ReadContext, type RowSource } from './row-sources.js';

/** The reads row sources draw on. */
export interface ExportData {
  meetings: MeetingDataRepository;
  reservations: ReservationDataRepository;
}

export interface ExportKindDef<Query, Row> {
  sheet: SheetDef<Row>;
  /** Checks what the query names (through `fail`) and returns its rows. */
  open(data: ExportData, ctx: ReadContext, query: Query, fail: Fail): Promise<RowSource<Row>>;
}

export interface ExportKinds {
  meeting_list: ExportKindDef<MeetingListQuery, MeetingRow>;
  participant_list: ExportKindDef<ParticipantListQuery, ParticipantRow>;
  participant_quality_list: ExportKindDef<QualityListQuery, QualityRow>;
  resource_reservation_list: ExportKindDef<ReservationListQuery, ReservationRow>;
}

export type ExportKind = keyof ExportKinds;
export type QueryOf<K extends ExportKind> = Parameters<ExportKinds[K]['open']>[2];

export const exportKinds: ExportKinds = {
  meeting_list: { sheet: meetingListSheet, open: (d, ctx, q, fail) => meetingListSource(d.meetings, ctx, q, fail) },
  participant_list: { sheet: participantListSheet, open: (d, ctx, q, fail) => participantListSource(d.meetings, ctx, q, fail) },
  participant_quality_list: { sheet: qualityListSheet, open: (d, ctx, q, fail) => qualityListSource(d.meetings, ctx, q, fail) },
  resource_reservation_list: { sheet: reservationListSheet, open: (d, ctx, q, fail) => reservationListSource(d.reservations, ctx, q, fail) },
};

export const isExportKind = (kind: string): kind is ExportKind => Object.hasOwn(exportKinds, kind);
