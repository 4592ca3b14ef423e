/**
 * The exported sheets, column by column (export.md §9): header, order and how each value reads. A new
 * export kind is a new sheet here plus a row source (src/export/row-sources.ts).
 */
import { duration, maskMobile, withUnit, yesNo, type ZonedTime } from './format.js';
import type { MeetingRow, ParticipantRow, QualityRow, ReservationRow } from './rows.js';
import type { StreamQuality } from './quality.js';

export type CellValue = string | number | null;

export interface Column<Row> {
  header: string;
  cell: (row: Row, time: ZonedTime) => CellValue;
  /** characters; derived from the header when absent */
  width?: number;
}

export interface SheetDef<Row> {
  /** also the downloaded file's name */
  title: string;
  columns: Column<Row>[];
}

const TIME_WIDTH = 32;

export const meetingListSheet: SheetDef<MeetingRow> = {
  title: '会议明细',
  columns: [
    { header: '会议ID', cell: (r) => r.meetingNo, width: 12 },
    { header: '会议主题', cell: (r) => r.topic, width: 30 },
    { header: '会议组织者', cell: (r) => r.organizer.name, width: 16 },
    { header: '部门', cell: (r) => r.organizer.department, width: 16 },
    { header: '用户ID', cell: (r) => r.organizer.id, width: 36 },
    { header: '工号', cell: (r) => r.organizer.employeeNo },
    { header: '邮箱', cell: (r) => r.organizer.email, width: 24 },
    { header: '手机', cell: (r) => maskMobile(r.organizer.mobile), width: 16 },
    { header: '会议开始时间', cell: (r, t) => t.dateTime(r.startAt), width: TIME_WIDTH },
    { header: '会议结束时间', cell: (r, t) => (r.endAt === null ? '' : t.dateTime(r.endAt)), width: TIME_WIDTH },
    { header: '会议持续时间', cell: (r) => duration(r.durationMs), width: 14 },
    { header: '参会人数量', cell: (r) => r.participants },
    { header: '音频', cell: (r) => yesNo(r.audio) },
    { header: '视频', cell: (r) => yesNo(r.video) },
    { header: '共享', cell: (r) => yesNo(r.sharing) },
    { header: '录制', cell: (r) => yesNo(r.recording) },
    { header: '电话', cell: (r) => yesNo(r.telephone) },
  ],
};

export const participantListSheet: SheetDef<ParticipantRow> = {
  title: '参会人明细',
  columns: [
    { header: '参会人', cell: (r) => r.person.name, width: 16 },
    { header: '部门', cell: (r) => r.person.department, width: 16 },
    { header: '用户ID', cell: (r) => r.person.id, width: 36 },
    { header: '工号', cell: (r) => r.person.employeeNo },
    { header: '电话', cell: (r) => maskMobile(r.person.mobile), width: 16 },
    { header: '邮箱', cell: (r) => r.person.email, width: 24 },
    { header: '设备', cell: (r) => r.device.label },
    { header: '客户端版本', cell: (r) => r.device.clientVersion },
    { header: '公网IP', cell: (r) => r.device.publicIp, width: 16 },
    { header: '内网IP', cell: (r) => r.device.internalIp, width: 16 },
    { header: '代理服务', cell: (r) => yesNo(r.device.proxy) },
    { header: '位置', cell: (r) => r.device.location },
    { header: '网络类型', cell: (r) => r.device.networkType },
    { header: '麦克风', cell: (r) => r.device.microphone, width: 16 },
    { header: '扬声器', cell: (r) => r.device.speaker, width: 16 },
    { header: '摄像头', cell: (r) => r.device.camera, width: 18 },
    { header: '音频', cell: (r) => yesNo(r.audio) },
    { header: '视频', cell: (r) => yesNo(r.video) },
    { header: '共享', cell: (r) => yesNo(r.sharing) },
    { header: '入会时间', cell: (r, t) => t.dateTime(r.joinAt), width: TIME_WIDTH },
    { header: '离会时间', cell: (r, t) => (r.leaveAt === null ? '' : t.dateTime(r.leaveAt)), width: TIME_WIDTH },
    { header: '参会时长', cell: (r) => duration(r.inMeetingMs) },
    { header: '离会原因', cell: (r) => r.leaveReason, width: 16 },
  ],
};

const GROUPS = [
  ['音频', 'audio'],
  ['视频', 'video'],
  ['共享屏幕', 'screen'],
] as const;

/** The ten columns of one media group: five measures received, then the same five sent. */
function groupColumns(label: string, media: 'audio' | 'video' | 'screen'): Column<QualityRow>[] {
  const measures: [string, (s: StreamQuality) => string][] = [
    ['码率', (s) => withUnit(s.bitrateKbps, 'kbps')],
    ['延迟', (s) => withUnit(s.latencyMs, 'ms')],
    ['抖动', (s) => withUnit(s.jitterMs, 'ms')],
    ['丢包平均', (s) => withUnit(s.lossAvg, '%')],
    ['丢包最大', (s) => withUnit(s.lossMax, '%')],
  ];
  return (['received', 'sent'] as const).flatMap((dir) =>
    measures.map(([name, show]) => ({ header: `${label}-${name}（${dir === 'received' ? '接收' : '发送'}）`, cell: (r: QualityRow) => show(r[media][dir]) })),
  );
}

export const qualityListSheet: SheetDef<QualityRow> = {
  title: '参会人会议质量数据',
  columns: [
    { header: '时间', cell: (r, t) => t.dateTime(r.minute), width: TIME_WIDTH },
    ...GROUPS.flatMap(([label, media]) => groupColumns(label, media)),
    { header: '客户端最小 CPU 占用', cell: (r) => withUnit(r.cpu.clientMin, '%') },
    { header: '客户端平均 CPU 占用', cell: (r) => withUnit(r.cpu.clientAvg, '%') },
    { header: '客户端最大 CPU 占用', cell: (r) => withUnit(r.cpu.clientMax, '%') },
    { header: '系统最大 CPU 占用', cell: (r) => withUnit(r.cpu.systemMax, '%') },
  ],
};

const timeOrBlank = (ms: number | null, t: ZonedTime): string => (ms === null ? '' : t.dateTime(ms));

export const reservationListSheet: SheetDef<ReservationRow> = {
  title: '会议室预定数据',
  columns: [
    { header: '会议室名称', cell: (r) => r.roomName, width: 20 },
    { header: '会议主题', cell: (r) => r.topic, width: 30 },
    { header: '预定人', cell: (r) => r.reserver.name, width: 16 },
    { header: '预定人所属部门', cell: (r) => r.reserver.department, width: 16 },
    { header: '邀请人数', cell: (r) => r.invited },
    { header: '接受人数', cell: (r) => r.accepted },
    { header: '会议开始时间', cell: (r, t) => t.dateTime(r.startAt), width: TIME_WIDTH },
    { header: '会议结束时间', cell: (r, t) => t.dateTime(r.endAt), width: TIME_WIDTH },
    { header: '会议时长', cell: (r) => duration(r.endAt - r.startAt), width: 14 },
    { header: '会议室预定状态', cell: (r) => r.status, width: 28 },
    { header: '签到设备', cell: (r) => r.checkInDevice, width: 20 },
    { header: '会议室签到状态', cell: (r) => r.checkInStatus, width: 28 },
    { header: '会议室签到时间', cell: (r, t) => timeOrBlank(r.checkInAt, t), width: TIME_WIDTH },
    { header: '释放人', cell: (r) => r.releaser, width: 16 },
    { header: '释放时间', cell: (r, t) => timeOrBlank(r.releasedAt, t), width: TIME_WIDTH },
  ],
};
