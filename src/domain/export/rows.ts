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
