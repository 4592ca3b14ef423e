/**
 * The JSON twins' items (export.md §10.1–10.3): the exported rows with the twins' field names, booleans
 * as booleans, and the sheets' value formats for times, durations, measures and phone numbers.
 */
import { Type } from '@sinclair/typebox';
import { duration, maskMobile, withUnit, type ZonedTime } from '../../domain/export/format.js';
import { networkOf, type MediaQuality, type StreamQuality } from '../../domain/export/quality.js';
import type { MeetingRow, ParticipantRow, QualityRow, ReservationRow } from '../../domain/export/rows.js';

const S = Type.String();
const B = Type.Boolean();

export const MeetingListItem = Type.Object({
  meeting_id: S,
  meeting_topic: S,
  meeting_type: Type.Integer(),
  organizer: S,
  department: S,
  user_id: S,
  employee_id: S,
  email: S,
  mobile: S,
  meeting_start_time: S,
  meeting_end_time: S,
  meeting_duration: S,
  number_of_participants: S,
  number_of_devices: S,
  audio: B,
  video: B,
  sharing: B,
  recording: B,
  telephone: B,
  reserved_rooms: Type.Array(Type.Object({ room_id: S, room_name: S })),
  has_related_document: B,
  ai_note: B,
  is_external: B,
  meeting_subtype: Type.Integer(),
  meeting_instance_id: S,
  number_of_webinar_viewers: S,
});

/** Every meeting here is a plain video meeting (meeting_type 2, no subtype), without documents or webinar; its booked rooms that took part are its reserved_rooms. */
export function presentMeetingRow(r: MeetingRow, t: ZonedTime) {
  return {
    meeting_id: r.meetingNo,
    meeting_topic: r.topic,
    meeting_type: 2,
    organizer: r.organizer.name,
    department: r.organizer.department,
    user_id: r.organizer.id,
    employee_id: r.organizer.employeeNo,
    email: r.organizer.email,
    mobile: maskMobile(r.organizer.mobile),
    meeting_start_time: t.dateTime(r.startAt),
    meeting_end_time: r.endAt === null ? '' : t.dateTime(r.endAt),
    meeting_duration: duration(r.durationMs),
    number_of_participants: String(r.participants),
    number_of_devices: String(r.devices),
    audio: r.audio,
    video: r.video,
    sharing: r.sharing,
    recording: r.recording,
    telephone: r.telephone,
    reserved_rooms: r.reservedRooms,
    has_related_document: false,
    ai_note: false,
    is_external: r.isExternal,
    meeting_subtype: 0,
    meeting_instance_id: r.meetingId,
    number_of_webinar_viewers: '0',
  };
}

export const ParticipantItem = Type.Object({
  participant_name: S,
  department: S,
  user_id: S,
  meeting_room_id: S,
  employee_id: S,
  phone: S,
  email: S,
  device: S,
  app_version: S,
  public_ip: S,
  internal_ip: S,
  use_rtc_proxy: B,
  location: S,
  network_type: S,
  protocol: S,
  microphone: S,
  speaker: S,
  camera: S,
  audio: B,
  video: B,
  sharing: B,
  join_time: S,
  leave_time: S,
  time_in_meeting: S,
  leave_reason: S,
  accept_status: Type.Integer(),
  is_external: B,
  webinar_user_role: S,
});

/** Listed participants all joined: accept_status 1; nobody is a webinar audience member ("0", a guest). */
export function presentParticipantRow(r: ParticipantRow, t: ZonedTime) {
  return {
    participant_name: r.person.name,
    department: r.person.department,
    user_id: r.person.id,
    meeting_room_id: r.roomId,
    employee_id: r.person.employeeNo,
    phone: maskMobile(r.person.mobile),
    email: r.person.email,
    device: r.device.label,
    app_version: r.device.clientVersion,
    public_ip: r.device.publicIp,
    internal_ip: r.device.internalIp,
    use_rtc_proxy: r.device.proxy,
    location: r.device.location,
    network_type: r.device.networkType,
    protocol: r.device.protocol,
    microphone: r.device.microphone,
    speaker: r.device.speaker,
    camera: r.device.camera,
    audio: r.audio,
    video: r.video,
    sharing: r.sharing,
    join_time: t.dateTime(r.joinAt),
    leave_time: r.leaveAt === null ? '' : t.dateTime(r.leaveAt),
    time_in_meeting: duration(r.inMeetingMs),
    leave_reason: r.leaveReason,
    accept_status: 1,
    is_external: r.isExternal,
    webinar_user_role: '0',
  };
}

const Media = (extra: Record<string, typeof S>) =>
  Type.Object({ time: S, bitrate_received: S, latency_received: S, jitter_received: S, bitrate_sent: S, latency_sent: S, jitter_sent: S, ...extra });
const Frames = { maximum_resolution_received: S, framerate_received: S, maximum_resolution_sent: S, framerate_sent: S };

export const QualityItem = Type.Object({
  network: Type.Object({ time: S, network_delay: S, bitrate_received: S, packet_loss_avg_received: S, packet_loss_max_received: S, bitrate_sent: S, packet_loss_avg_sent: S, packet_loss_max_sent: S }),
  audio: Media({ mic_input_volume: S, speaker_volume: S }),
  video: Media(Frames),
  screen_sharing: Media(Frames),
  cpu_usage: Type.Object({ time: S, client_avg_cpu_usage: S, client_max_cpu_usage: S, system_avg_cpu_usage: S, system_max_cpu_usage: S }),
});

type Measure = [field: string, pick: (s: StreamQuality) => number | null, unit: string];
const MEASURES: Measure[] = [
  ['bitrate', (s) => s.bitrateKbps, 'kbps'],
  ['latency', (s) => s.latencyMs, 'ms'],
  ['jitter', (s) => s.jitterMs, 'ms'],
];
const FRAME_MEASURES: Measure[] = [
  ['maximum_resolution', (s) => s.resolution, 'P'],
  ['framerate', (s) => s.framerate, 'fps'],
];

/** `bitrate_received`, `latency_sent` …: each measure, received and sent. */
function fields(m: MediaQuality, measures: Measure[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of ['received', 'sent'] as const) for (const [field, pick, unit] of measures) out[`${field}_${dir}`] = withUnit(pick(m[dir]), unit);
  return out;
}

export function presentQualityRow(r: QualityRow, t: ZonedTime) {
  const time = t.dateTime(r.minute);
  const received = networkOf(r, 'received');
  const sent = networkOf(r, 'sent');
  return {
    network: {
      time,
      network_delay: withUnit(r.rttMs, 'ms'),
      bitrate_received: withUnit(received.bitrateKbps, 'kbps'),
      packet_loss_avg_received: withUnit(received.lossAvg, '%'),
      packet_loss_max_received: withUnit(received.lossMax, '%'),
      bitrate_sent: withUnit(sent.bitrateKbps, 'kbps'),
      packet_loss_avg_sent: withUnit(sent.lossAvg, '%'),
      packet_loss_max_sent: withUnit(sent.lossMax, '%'),
    },
    audio: { time, mic_input_volume: withUnit(r.micVolumeDb, 'dB'), speaker_volume: withUnit(r.speakerVolumeDb, 'dB'), ...fields(r.audio, MEASURES) },
    video: { time, ...fields(r.video, [...MEASURES, ...FRAME_MEASURES]) },
    screen_sharing: { time, ...fields(r.screen, [...MEASURES, ...FRAME_MEASURES]) },
    cpu_usage: {
      time,
      client_avg_cpu_usage: withUnit(r.cpu.clientAvg, '%'),
      client_max_cpu_usage: withUnit(r.cpu.clientMax, '%'),
      system_avg_cpu_usage: withUnit(r.cpu.systemAvg, '%'),
      system_max_cpu_usage: withUnit(r.cpu.systemMax, '%'),
    },
  };
}

export const ReservationItem = Type.Object({
  room_id: S,
  room_name: S,
  event_title: S,
  reserver: S,
  reserver_user_id: S,
  department_of_reserver: S,
  guests_number: S,
  accepted_number: S,
  event_start_time: S,
  event_end_time: S,
  event_duration: S,
  reservation_status: S,
  check_in_device: S,
  room_check_in_status: S,
  check_in_time: S,
  is_release_early: S,
  releasing_person: S,
  releasing_time: S,
});

/** The sheet's row with the twin's names, everything a string; `is_release_early` is the release part of the status. */
export function presentReservationRow(r: ReservationRow, t: ZonedTime) {
  return {
    room_id: r.roomId,
    room_name: r.roomName,
    event_title: r.topic,
    reserver: r.reserver.name,
    reserver_user_id: r.reserver.id,
    department_of_reserver: r.reserver.department,
    guests_number: String(r.invited),
    accepted_number: String(r.accepted),
    event_start_time: t.dateTime(r.startAt),
    event_end_time: t.dateTime(r.endAt),
    event_duration: duration(r.endAt - r.startAt),
    reservation_status: r.status,
    check_in_device: r.checkInDevice,
    room_check_in_status: r.checkInStatus,
    check_in_time: r.checkInAt === null ? '' : t.dateTime(r.checkInAt),
    is_release_early: r.release,
    releasing_person: r.releaser,
    releasing_time: r.releasedAt === null ? '' : t.dateTime(r.releasedAt),
  };
}
