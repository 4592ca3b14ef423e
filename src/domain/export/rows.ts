/**
 * The rows exports and their JSON twins are made of: one per meeting, per participant, per minute of a
 * participant's quality. Row sources (src/export/row-sources.ts) read them from the store with IDs
 * already in the caller's ID type; sheets (./sheets.ts) and the twins' presenters only format them.
 */
import type { QualityMinute } from './quality.js';

export interface Person {
  name: string;
  department: string;
  /** in the caller's user_id_type; '' when there is none to show */
  id: string;
  employeeNo: string;
  email: string;
  /** as stored; masked when shown */
  mobile: string;
}

export interface MeetingRow {
  meetingId: string;
  meetingNo: string;
  topic: string;
  organizer: Person;
  /** unix ms */
  startAt: number;
  /** null while the meeting goes on */
  endAt: number | null;
  /** up to the end, or up to the export for a meeting that goes on */
  durationMs: number;
  /** distinct participants who joined */
  participants: number;
  /** client sessions (a re-join from another device counts again) */
  devices: number;
  audio: boolean;
  video: boolean;
  sharing: boolean;
  recording: boolean;
  telephone: boolean;
  /** a meeting of another tenant that the caller's users joined */
  isExternal: boolean;
  /** rooms booked for the meeting's time that took part in it (meeting_list's reserved_rooms) */
  reservedRooms: { room_id: string; room_name: string }[];
}

/** What the participant's client reported about itself (docs/client-api.md `device`), and the IP it came from. */
export interface DeviceFacts {
  /** `WINDOWS`, `MAC`, `IOS` … (export.md's example spelling) */
  label: string;
  clientVersion: string;
  publicIp: string;
  internalIp: string;
  proxy: boolean;
  location: string;
  networkType: string;
  protocol: string;
  microphone: string;
  speaker: string;
  camera: string;
}

export interface ParticipantRow {
  person: Person;
  /** the room, when the participant is one ('' otherwise) */
  roomId: string;
  isExternal: boolean;
  /** the participant's last client */
  device: DeviceFacts;
  audio: boolean;
  video: boolean;
  sharing: boolean;
  /** first join, unix ms */
  joinAt: number;
  /** last leave; null while still in the meeting */
  leaveAt: number | null;
  inMeetingMs: number;
  /** why the last session ended, in the export's words; '' while in the meeting */
  leaveReason: string;
}

export type QualityRow = QualityMinute;

/** One room booking (export.md §9.4), its status texts read as of the export (./reservation.ts). */
export interface ReservationRow {
  roomId: string;
  roomName: string;
  /** '' unless the request asked for topics (need_topic) */
  topic: string;
  /** the organizer the room was booked for */
  reserver: Person;
  /** people invited to the booking's meeting, and those of them who joined (0 without a meeting) */
  invited: number;
  accepted: number;
  /** unix ms */
  startAt: number;
  endAt: number;
  /** 会议室预定状态 */
  status: string;
  /** 是 when the room was released before the booking's end, else 否 */
  release: string;
  /** 签到设备, '' when not checked in */
  checkInDevice: string;
  /** 会议室签到状态 */
  checkInStatus: string;
  checkInAt: number | null;
  /** who released the room by hand ('' when an app or the server did, or it was not released) */
  releaser: string;
  releasedAt: number | null;
}
