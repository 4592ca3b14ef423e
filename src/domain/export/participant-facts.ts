/**
 * A participant's session facts as the participant list shows them: the client's device report
 * (docs/client-api.md `device`) in export.md's vocabulary, and why the participant left.
 */
import type { DeviceFacts } from './rows.js';

type Json = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `WINDOWS` as in export.md's example: desktop clients by their OS, the others by kind. */
export function deviceLabel(type: string, os: string): string {
  switch (type) {
    case 'desktop':
      if (/^windows/i.test(os)) return 'WINDOWS';
      if (/^mac/i.test(os)) return 'MAC';
      if (/linux|ubuntu|debian|fedora|uos|kylin/i.test(os)) return 'LINUX';
      return 'DESKTOP';
    case 'ios':
      return /^ipados/i.test(os) ? 'IPAD' : 'IOS';
    case 'room':
      return 'ROOMS';
    default:
      return type.toUpperCase();
  }
}

export function deviceFacts(device: Json, publicIp: string | null): DeviceFacts {
  return {
    label: deviceLabel(text(device.type), text(device.os)),
    clientVersion: text(device.client_version),
    publicIp: publicIp ?? '',
    internalIp: text(device.ip),
    proxy: device.proxy === true,
    location: text(device.location),
    networkType: text(device.network_type),
    protocol: text(device.protocol),
    microphone: text(device.microphone),
    speaker: text(device.speaker),
    camera: text(device.camera),
  };
}

/** The session's leave reason (participant_sessions.leave_reason) in the sheet's words. */
const LEAVE_REASONS: Record<string, string> = {
  left: '主动离会',
  meeting_ended: '会议结束',
  kicked: '被移出会议',
  network: '网络异常',
  replaced: '在其他设备入会',
};

export function leaveReasonText(reason: string | null): string {
  return reason === null ? '' : (LEAVE_REASONS[reason] ?? reason);
}
