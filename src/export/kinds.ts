/**
 * Every export kind: its sheet and where its rows come from. A new kind (the room reservation list,
 * once room bookings exist) is one more entry: a sheet in src/domain/export/sheets.ts and a row source
 * in ./row-sources.ts.
 */
import type { Fail, MeetingListQuery, ParticipantListQuery, QualityListQuery } from '../domain/export/queries.js';
import { meetingListSheet, participantListSheet, qualityListSheet, type SheetDef } from '../domain/export/sheets.js';
import type { MeetingRow, ParticipantRow, QualityRow } from '../domain/export/rows.js';
import type { MeetingDataRepository } from '../store/repositories/meeting-data.repository.js';
import { meetingListSource, participantListSource, qualityListSource, type ReadContext, type RowSource } from './row-sources.js';

export interface ExportKindDef<Query, Row> {
  sheet: SheetDef<Row>;
  /** Checks what the query names (through `fail`) and returns its rows. */
  open(data: MeetingDataRepository, ctx: ReadContext, query: Query, fail: Fail): Promise<RowSource<Row>>;
}

export interface ExportKinds {
  meeting_list: ExportKindDef<MeetingListQuery, MeetingRow>;
  participant_list: ExportKindDef<ParticipantListQuery, ParticipantRow>;
  participant_quality_list: ExportKindDef<QualityListQuery, QualityRow>;
}

export type ExportKind = keyof ExportKinds;
export type QueryOf<K extends ExportKind> = Parameters<ExportKinds[K]['open']>[2];

export const exportKinds: ExportKinds = {
  meeting_list: { sheet: meetingListSheet, open: (data, ctx, q) => meetingListSource(data, ctx, q) },
  participant_list: { sheet: participantListSheet, open: participantListSource },
  participant_quality_list: { sheet: qualityListSheet, open: qualityListSource },
};

export const isExportKind = (kind: string): kind is ExportKind => Object.hasOwn(exportKinds, kind);
