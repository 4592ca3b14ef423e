import type { TokenService } from '../auth/tokens.js';
import { GUEST_TOKEN_TTL_S, guestName, newGuestId } from './guests.js';
import type { Device, MeetingService, ReserveRules, SessionView } from './meeting.service.js';

export interface GuestJoinInput {
  meetingNo: string;
  /** the name as the guest typed it */
  name: string;
  password?: string;
  device: Device;
  ip?: string;
}

export interface GuestJoin extends SessionView {
  guest: { id: string; name: string; accessToken: string; expiresIn: number };
}

/**
 * Someone without an account joins a meeting as a guest (docs/decisions.md "Guests"): a new guest ID,
 * the join under the reserve's rules, then a token for that guest and that meeting only. The token comes
 * after the join, as only the join knows the meeting (the number may just have opened it); should issuing
 * fail, the session without a token stops heartbeating and leaves.
 */
export async function joinAsGuest(deps: { meetings: MeetingService; tokens: TokenService; rules: ReserveRules }, input: GuestJoinInput): Promise<GuestJoin> {
  const name = guestName(input.name);
  const id = newGuestId();
  const caller = { tenantKey: '', userId: id, appId: '', guest: { name, meetingId: null }, ...(input.ip ? { ip: input.ip } : {}) };
  const joined = await deps.meetings.joinByNo(caller, input.meetingNo, input.password, input.device, deps.rules);
  const token = await deps.tokens.issueGuestToken(joined.meeting.tenantKey, id, { meetingId: joined.meeting.id, name }, GUEST_TOKEN_TTL_S);
  return { ...joined, guest: { id, name, accessToken: token.accessToken, expiresIn: token.expiresIn } };
}
