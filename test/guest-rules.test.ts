import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import { admitsGuests, reserveAllows } from '../src/domain/reserve/permissions.js';
import { checkSettings, type ActionPermission } from '../src/domain/reserve/settings.js';
import { guestName, newGuestId } from '../src/domain/meeting/guests.js';
import { createMeeting, guestIdOf, guestKey, isExternal, join, transferHost, userKey, USER_TYPE } from '../src/domain/meeting/meeting.js';

const entry = (permission: number, ...checkers: [number, number, string[]][]): ActionPermission => ({
  permission,
  permission_checkers: checkers.map(([check_field, check_mode, check_list]) => ({ check_field, check_mode, check_list })),
});

describe('which meetings admit guests', () => {
  it('a "can join" user-type whitelist naming 5 admits them', () => {
    expect(admitsGuests([entry(3, [2, 1, ['5']])])).toBe(true);
    expect(admitsGuests([entry(3, [2, 1, ['1', '5']])])).toBe(true);
    expect(admitsGuests([entry(3, [2, 1, ['1', '2']])])).toBe(false);
  });

  it('a user-type blacklist admits them unless it names 5', () => {
    expect(admitsGuests([entry(3, [2, 2, ['6', '7']])])).toBe(true);
    expect(admitsGuests([entry(3, [2, 2, ['5']])])).toBe(false);
  });

  it('no "can join" entry, or one for another action, admits nobody as a guest', () => {
    expect(admitsGuests(undefined)).toBe(false);
    expect(admitsGuests([])).toBe(false);
    expect(admitsGuests([entry(1, [2, 1, ['5']]), entry(2, [2, 2, []])])).toBe(false);
    expect(admitsGuests([entry(3)])).toBe(false);
  });

  it('user-ID and tenant checkers never speak for guests, even as blacklists', () => {
    expect(admitsGuests([entry(3, [1, 2, ['bob']])])).toBe(false);
    expect(admitsGuests([entry(3, [3, 2, ['acme']])])).toBe(false);
    // …but they do not stop a user-type checker of the same or another entry from admitting them
    expect(admitsGuests([entry(3, [1, 1, ['alice']], [2, 1, ['5']])])).toBe(true);
    expect(admitsGuests([entry(3, [1, 1, ['alice']]), entry(3, [2, 2, []])])).toBe(true);
  });

  it("users' join rules are unchanged: unconfigured means open, entries are OR-ed over all checkers", () => {
    const alice = { userType: 1, tenantKey: 'acme', userId: 'alice' };
    expect(reserveAllows([], 3, alice)).toBe(true);
    expect(reserveAllows([entry(3, [2, 1, ['5']])], 3, alice)).toBe(false);
    expect(reserveAllows([entry(3, [2, 1, ['1', '5']])], 3, alice)).toBe(true);
    expect(reserveAllows([entry(3, [2, 2, ['5']])], 3, alice)).toBe(true);
  });

  it('reserves may name user type 5 in user-type checkers; 3 and 4 stay refused', () => {
    expect(() => checkSettings({ action_permissions: [entry(3, [2, 1, ['5']])] })).not.toThrow();
    expect(errorCode(() => checkSettings({ action_permissions: [entry(3, [2, 1, ['4']])] }))).toBe(121003);
  });
});

describe('guest identity', () => {
  it('names are trimmed and 1–64 characters; blank, too long or control characters are 99992402', () => {
    expect(guestName('  Gus  ')).toBe('Gus');
    expect(guestName('é'.repeat(64))).toBe('é'.repeat(64));
    expect(guestName('😀'.repeat(64))).toHaveLength(128);
    for (const bad of ['', '   ', 'x'.repeat(65), 'a\nb', 'tab\there']) expect(errorCode(() => guestName(bad)), JSON.stringify(bad)).toBe(99992402);
  });

  it('ids are server-made and keyed g:<id>', () => {
    const id = newGuestId();
    expect(id).toMatch(/^gu_[0-9a-f]{24}$/);
    expect(newGuestId()).not.toBe(id);
    expect(guestIdOf(guestKey(id))).toBe(id);
    expect(guestIdOf(userKey('alice'))).toBeUndefined();
  });

  it('a guest joins as user_type 5, never hosts, and counts as external', () => {
    const m = createMeeting({ id: '7000000000000000001', tenantKey: 'acme', meetingNo: '123456789', topic: 'T', source: 4, ownerUserId: 'olga', createdAt: 0 });
    const guest = { key: guestKey('gu_1'), userId: null, userType: USER_TYPE.guest, tenantKey: null, name: 'Gus', sessionId: 's-g', mayHost: false };
    expect(join(m, guest, 1000).map((e) => e.type)).toEqual(['meeting_started', 'join_meeting']);
    expect(m.hostKey).toBeNull();
    join(m, { key: userKey('ann'), userId: 'ann', userType: 1, tenantKey: 'acme', sessionId: 's-a' }, 2000);
    expect(m.hostKey).toBe('u:ann');
    expect(errorCode(() => transferHost(m, 'u:ann', guest.key, undefined, 3000))).toBe(121005);
    const p = m.participants.find((x) => x.key === guest.key)!;
    expect(p).toMatchObject({ userType: 5, name: 'Gus', userId: null });
    expect(isExternal('acme', p)).toBe(true);
    expect(isExternal('acme', m.participants.find((x) => x.key === 'u:ann')!)).toBe(false);
  });
});
