import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import {
  LEAVE_REASON,
  MEETING_STATUS,
  PARTICIPANT_STATUS,
  createMeeting,
  end,
  inMeetingMs,
  invite,
  join,
  kickOut,
  leave,
  participant,
  startShare,
  stopRinging,
  stopShare,
  transferHost,
  useMedia,
  userKey,
  type Meeting,
} from '../src/domain/meeting/meeting.js';

const T0 = 1_700_000_000_000;
const meeting = (over: Partial<Parameters<typeof createMeeting>[0]> = {}): Meeting =>
  createMeeting({ id: '7000000000000000001', tenantKey: 'acme', meetingNo: '123456789', topic: 'Weekly', source: 4, ownerUserId: 'olga', createdAt: T0, ...over });
const lark = (userId: string, sessionId = `s-${userId}`) => ({ key: userKey(userId), userId, userType: 1 as const, tenantKey: 'acme', sessionId });
const code = errorCode;

describe('meeting lifecycle', () => {
  it('starts with its first participant, who hosts unless the owner is there', () => {
    const m = meeting();
    expect(m.status).toBe(MEETING_STATUS.calling);
    const ev = join(m, lark('ann'), T0 + 1000);
    expect(ev.map((e) => e.type)).toEqual(['meeting_started', 'join_meeting', 'host_changed']);
    expect(m).toMatchObject({ status: MEETING_STATUS.inProgress, startedAt: T0 + 1000, hostKey: 'u:ann', peak: 1, accumulated: 1 });
    // the owner takes the host role on joining
    const ev2 = join(m, lark('olga'), T0 + 2000);
    expect(ev2.map((e) => e.type)).toEqual(['join_meeting', 'host_changed']);
    expect(m.hostKey).toBe('u:olga');
    // anyone else just joins
    expect(join(m, lark('bob'), T0 + 3000).map((e) => e.type)).toEqual(['join_meeting']);
    expect(m.peak).toBe(3);
  });

  it('an assigned host takes over from a plain participant but not from the owner', () => {
    const m = meeting({ assignedHostUserIds: ['hal'] });
    join(m, lark('ann'), T0);
    join(m, lark('hal'), T0 + 1);
    expect(m.hostKey).toBe('u:hal');
    join(m, lark('olga'), T0 + 2);
    expect(m.hostKey).toBe('u:hal');
  });

  it('accumulates time over re-joins and counts distinct participants', () => {
    const m = meeting();
    join(m, lark('ann'), T0);
    join(m, lark('bob'), T0);
    leave(m, 'u:bob', T0 + 60_000);
    join(m, lark('bob'), T0 + 120_000);
    const bob = participant(m, 'u:bob')!;
    expect(inMeetingMs(bob, T0 + 150_000)).toBe(90_000);
    expect(bob).toMatchObject({ firstJoinAt: T0, finalLeaveAt: null, status: PARTICIPANT_STATUS.inMeeting });
    leave(m, 'u:bob', T0 + 180_000);
    expect(participant(m, 'u:bob')).toMatchObject({ inMeetingMs: 120_000, finalLeaveAt: T0 + 180_000, status: PARTICIPANT_STATUS.left });
    expect(m.accumulated).toBe(2);
    expect(m.peak).toBe(2);
  });

  it('hands the host role on when the host leaves: co-host, then designated host, then earliest joiner', () => {
    const m = meeting({ assignedHostUserIds: ['hal'] });
    join(m, lark('ann'), T0);
    join(m, lark('bob'), T0 + 1);
    join(m, lark('cat'), T0 + 2);
    participant(m, 'u:cat')!.isCohost = true;
    const ev = leave(m, 'u:ann', T0 + 3);
    expect(ev).toEqual([
      { type: 'leave_meeting', at: T0 + 3, operatorKey: 'u:ann', leaveKey: 'u:ann', reason: LEAVE_REASON.left },
      { type: 'host_changed', at: T0 + 3, hostKey: 'u:cat' },
    ]);
    leave(m, 'u:cat', T0 + 4);
    expect(m.hostKey).toBe('u:bob');
    leave(m, 'u:bob', T0 + 5);
    expect(m.hostKey).toBeNull();
    expect(m.status).toBe(MEETING_STATUS.inProgress);
  });

  it('a second session of someone already in the meeting replaces the first, without a second join', () => {
    const m = meeting();
    join(m, lark('ann', 's1'), T0);
    expect(join(m, lark('ann', 's2'), T0 + 5)).toEqual([{ type: 'session_replaced', at: T0 + 5, sessionId: 's1' }]);
    expect(participant(m, 'u:ann')!.sessionId).toBe('s2');
    expect(m.accumulated).toBe(1);
  });

  it('ending makes everyone leave with reason 2, then meeting_ended; an ended meeting takes no one', () => {
    const m = meeting();
    join(m, lark('ann'), T0);
    join(m, lark('bob'), T0);
    startShare(m, 'u:bob', T0 + 1);
    const ev = end(m, 'u:ann', T0 + 10);
    expect(ev.map((e) => `${e.type}${'reason' in e ? `:${e.reason}` : ''}`)).toEqual([
      'leave_meeting:2',
      'share_ended',
      'leave_meeting:2',
      'meeting_ended',
    ]);
    expect(m).toMatchObject({ status: MEETING_STATUS.ended, endedAt: T0 + 10, hostKey: 'u:ann', sharingKey: null });
    expect(code(() => join(m, lark('cat'), T0 + 11))).toBe(122001);
    expect(code(() => end(m, null, T0 + 12))).toBe(122001);
  });

  it('a meeting nobody joined ends without meeting_ended (it never started)', () => {
    const m = meeting();
    expect(end(m, null, T0)).toEqual([]);
    expect(m.status).toBe(MEETING_STATUS.ended);
  });

  it('kick out: reason 3; never yourself; only people in the meeting', () => {
    const m = meeting();
    join(m, lark('olga'), T0);
    join(m, lark('bob'), T0);
    expect(code(() => kickOut(m, 'u:olga', 'u:olga', T0))).toBe(122005);
    expect(code(() => kickOut(m, 'u:zed', 'u:bob', T0))).toBe(122003);
    expect(code(() => kickOut(m, 'u:olga', 'u:zed', T0))).toBe(122004);
    const ev = kickOut(m, null, 'u:bob', T0 + 1);
    expect(ev).toEqual([{ type: 'leave_meeting', at: T0 + 1, operatorKey: null, leaveKey: 'u:bob', reason: LEAVE_REASON.kickedOut }]);
    expect(code(() => kickOut(m, null, 'u:bob', T0 + 2))).toBe(122004);
  });

  it('set host is a compare-and-set on the current host', () => {
    const m = meeting();
    join(m, lark('ann'), T0);
    join(m, lark('bob'), T0);
    expect(code(() => transferHost(m, null, 'u:bob', 'u:bob', T0))).toBe(121006);
    expect(transferHost(m, null, 'u:bob', 'u:ann', T0)).toEqual([{ type: 'host_changed', at: T0, hostKey: 'u:bob' }]);
    expect(code(() => transferHost(m, null, 'u:zed', undefined, T0))).toBe(122004);
    leave(m, 'u:ann', T0 + 1);
    expect(code(() => transferHost(m, null, 'u:ann', undefined, T0 + 2))).toBe(122009);
    expect(code(() => transferHost(m, 'u:bob', 'u:bob', undefined, T0 + 2))).toBe(122005);
  });

  it('invitees ring until they join, decline or time out', () => {
    const m = meeting({ participantLimit: 3 });
    join(m, lark('ann'), T0);
    const invitee = { key: 'u:bob', userId: 'bob', userType: 1 as const, tenantKey: 'acme' };
    expect(invite(m, 'u:ann', invitee, T0)).toEqual([{ type: 'ringing', at: T0, operatorKey: 'u:ann', inviteeKey: 'u:bob' }]);
    expect(participant(m, 'u:bob')!.status).toBe(PARTICIPANT_STATUS.ringing);
    expect(code(() => invite(m, 'u:ann', invitee, T0))).toBe(122007);
    expect(code(() => invite(m, 'u:ann', { ...invitee, key: 'u:ann', userId: 'ann' }, T0))).toBe(122005);
    stopRinging(m, 'u:bob');
    expect(participant(m, 'u:bob')).toBeUndefined();
    invite(m, 'u:ann', invitee, T0);
    join(m, lark('bob'), T0 + 5);
    expect(participant(m, 'u:bob')!.status).toBe(PARTICIPANT_STATUS.inMeeting);
    join(m, lark('cat'), T0 + 6);
    expect(code(() => invite(m, 'u:ann', { ...invitee, key: 'u:dan', userId: 'dan' }, T0))).toBe(122006);
    expect(code(() => join(m, lark('dan'), T0 + 7))).toBe(122006);
  });

  it('a locked meeting takes no new participants but lets invitees in', () => {
    const m = meeting();
    join(m, lark('ann'), T0);
    invite(m, 'u:ann', { key: 'u:bob', userId: 'bob', userType: 1, tenantKey: 'acme' }, T0);
    m.locked = true;
    expect(code(() => join(m, lark('cat'), T0))).toBe(122008);
    expect(code(() => invite(m, 'u:ann', { key: 'u:cat', userId: 'cat', userType: 1, tenantKey: 'acme' }, T0))).toBe(122008);
    join(m, lark('bob'), T0);
    expect(participant(m, 'u:bob')!.status).toBe(PARTICIPANT_STATUS.inMeeting);
  });

  it('an auto-record meeting records from its start until its end', () => {
    const m = meeting({ autoRecord: true });
    expect(join(m, lark('ann'), T0).map((e) => e.type)).toEqual(['meeting_started', 'join_meeting', 'host_changed', 'recording_started']);
    expect(m).toMatchObject({ recording: true, ability: { use_recording: true } });
    expect(end(m, 'u:ann', T0 + 5).map((e) => e.type)).toEqual(['recording_ended', 'leave_meeting', 'meeting_ended']);
    expect(m.recording).toBe(false);
  });

  it('records abilities as they are used; one sharer at a time', () => {
    const m = meeting();
    join(m, lark('ann'), T0);
    join(m, lark('bob'), T0);
    join(m, { key: 'p:+86-13800000000', userId: null, userType: 6, tenantKey: null, name: 'Phone', sessionId: 'pstn-1' }, T0);
    useMedia(m, 'u:ann', { audio: true });
    expect(startShare(m, 'u:ann', T0 + 1).map((e) => e.type)).toEqual(['share_started']);
    expect(startShare(m, 'u:bob', T0 + 2).map((e) => e.type)).toEqual(['share_ended', 'share_started']);
    expect(stopShare(m, 'u:ann', T0 + 3)).toEqual([]);
    expect(stopShare(m, 'u:bob', T0 + 3).map((e) => e.type)).toEqual(['share_ended']);
    expect(m.ability).toEqual({ use_video: false, use_audio: true, use_share_screen: true, use_follow_screen: false, use_recording: false, use_pstn: true });
  });
});
