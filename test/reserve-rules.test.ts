import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import type { Principal } from '../src/domain/auth/principal.js';
import { endTimeRule, MAX_AHEAD_MS } from '../src/domain/reserve/end-time.js';
import { expireStatus } from '../src/domain/reserve/expiry.js';
import { liveCode, newReserveId, randomMeetingNo } from '../src/domain/reserve/numbers.js';
import { ownsReserve } from '../src/domain/reserve/ownership.js';
import { checkPassword, randomPassword } from '../src/domain/reserve/password.js';
import { canPerform, reserveAllows, type Subject } from '../src/domain/reserve/permissions.js';
import { checkSettings, mergeSettings, type ActionPermission, type MeetingSettings } from '../src/domain/reserve/settings.js';

const NOW = 1_700_000_000_000;
const code = errorCode;

describe('password rule', () => {
  it('accepts "" (no password) and 4–9 digits', () => {
    for (const p of ['', '1234', '000000', '123456789']) expect(checkPassword(p)).toBe(p);
  });
  it('refuses anything else with 123006', () => {
    for (const p of ['123', '1234567890', '12a4', ' 1234', '１２３４', '-1234']) expect(code(() => checkPassword(p))).toBe(123006);
  });
  it('a password left out becomes 6 random digits', () => {
    const seen = new Set(Array.from({ length: 50 }, randomPassword));
    for (const p of seen) expect(p).toMatch(/^\d{6}$/);
    expect(seen.size).toBeGreaterThan(40);
  });
});

describe('end-time rule', () => {
  const s = (ms: number) => String(Math.floor(ms / 1000));
  it('returns milliseconds for a time within the next 30 days', () => {
    expect(endTimeRule(s(NOW + 3600_000), NOW)).toBe(NOW + 3600_000);
    expect(endTimeRule(s(NOW + MAX_AHEAD_MS), NOW)).toBe(NOW + MAX_AHEAD_MS);
  });
  it('refuses the past, now, more than 30 days ahead and non-numbers with 121003', () => {
    for (const v of [s(NOW - 1000), s(NOW), s(NOW + MAX_AHEAD_MS + 1000), '', 'abc', '1.5', '-1', '1e10', '99999999999999']) {
      expect(code(() => endTimeRule(v, NOW))).toBe(121003);
    }
  });
});

describe('expire status', () => {
  it('is 2 once end_time passed, even while the number is still held, and once released', () => {
    expect(expireStatus({ live_meeting_no: '123456789', end_time: NOW + 1 }, NOW)).toBe(1);
    expect(expireStatus({ live_meeting_no: '123456789', end_time: NOW }, NOW)).toBe(2);
    expect(expireStatus({ live_meeting_no: null, end_time: NOW + 1000 }, NOW)).toBe(2);
  });
});

describe('ids and numbers', () => {
  it('reserve ids are 19-digit numbers carrying the time, in Feishu’s shape', () => {
    const id = newReserveId(NOW);
    expect(id).toMatch(/^\d{19}$/);
    expect(Number(BigInt(id) >> 32n)).toBe(NOW / 1000);
    expect(newReserveId(NOW)).not.toBe(id);
    // the doc's example id decodes to its own era
    expect(Number(BigInt('6911188411932033028') >> 32n)).toBeGreaterThan(1_600_000_000);
  });
  it('meeting numbers are 9 digits without a leading zero', () => {
    for (let i = 0; i < 100; i++) expect(randomMeetingNo()).toMatch(/^[1-9]\d{8}$/);
  });
  it('the live-link code is the id in base 36', () => {
    expect(liveCode('6911188411932033028')).toBe(BigInt('6911188411932033028').toString(36));
  });
});

describe('ownership', () => {
  const reserve = { tenantKey: 'acme', appId: 'cli_a', ownerUserId: 'alice' };
  const tenant = (appId: string, tenantKey = 'acme'): Principal => ({ kind: 'tenant', appId, tenantKey, appScopes: [] });
  const user = (userId: string, appId = 'cli_b', tenantKey = 'acme'): Principal => ({ kind: 'user', appId, tenantKey, userId, appScopes: [], grantedScopes: [] });

  it('a user token owns the reserves of its user, whichever app made them', () => {
    expect(ownsReserve(user('alice'), reserve)).toBe(true);
    expect(ownsReserve(user('bob', 'cli_a'), reserve)).toBe(false);
  });
  it('a tenant token owns the reserves its app made in its tenant', () => {
    expect(ownsReserve(tenant('cli_a'), reserve)).toBe(true);
    expect(ownsReserve(tenant('cli_b'), reserve)).toBe(false);
    expect(ownsReserve(tenant('cli_a', 'globex'), reserve)).toBe(false);
    expect(ownsReserve(user('alice', 'cli_a', 'globex'), reserve)).toBe(false);
  });
});

describe('permission checkers', () => {
  const alice: Subject = { userType: 1, tenantKey: 'acme', userId: 'alice' };
  const outsider: Subject = { userType: 1, tenantKey: 'globex', userId: null };
  const phone: Subject = { userType: 6, tenantKey: null, userId: null };
  const room: Subject = { userType: 2, tenantKey: 'acme', userId: null };
  const entry = (permission: number, ...checkers: [number, number, string[]][]): ActionPermission => ({
    permission,
    permission_checkers: checkers.map(([check_field, check_mode, check_list]) => ({ check_field, check_mode, check_list })),
  });

  it('user-ID checkers: whitelist and blacklist', () => {
    expect(canPerform(entry(3, [1, 1, ['alice']]), alice)).toBe(true);
    expect(canPerform(entry(3, [1, 1, ['bob']]), alice)).toBe(false);
    expect(canPerform(entry(3, [1, 2, ['alice']]), alice)).toBe(false);
    expect(canPerform(entry(3, [1, 2, ['alice']]), outsider)).toBe(true);
    expect(canPerform(entry(3, [1, 1, ['alice']]), phone)).toBe(false);
  });

  it('user-type checkers compare the type as a string', () => {
    const noPhones = entry(3, [2, 2, ['6', '7']]);
    expect(canPerform(noPhones, alice)).toBe(true);
    expect(canPerform(noPhones, phone)).toBe(false);
    expect(canPerform(entry(3, [2, 1, ['2']]), room)).toBe(true);
  });

  it('tenant checkers: only acme, or anyone but acme', () => {
    expect(canPerform(entry(3, [3, 1, ['acme']]), alice)).toBe(true);
    expect(canPerform(entry(3, [3, 1, ['acme']]), outsider)).toBe(false);
    expect(canPerform(entry(3, [3, 1, ['acme']]), phone)).toBe(false);
    expect(canPerform(entry(3, [3, 2, ['acme']]), outsider)).toBe(true);
  });

  it('checkers of one entry are OR-ed; an entry without checkers grants nothing', () => {
    const e = entry(1, [1, 1, ['bob']], [3, 1, ['globex']]);
    expect(canPerform(e, alice)).toBe(false);
    expect(canPerform(e, outsider)).toBe(true);
    expect(canPerform(entry(1), alice)).toBe(false);
  });

  it('entries for the same action are OR-ed; unconfigured actions are not restricted', () => {
    const perms = [entry(3, [1, 1, ['bob']]), entry(3, [3, 1, ['acme']]), entry(1, [1, 1, ['bob']])];
    expect(reserveAllows(perms, 3, alice)).toBe(true);
    expect(reserveAllows(perms, 3, outsider)).toBe(false);
    expect(reserveAllows(perms, 1, alice)).toBe(false);
    expect(reserveAllows(perms, 2, outsider)).toBe(true);
    expect(reserveAllows(undefined, 1, phone)).toBe(true);
  });
});

describe('settings rules', () => {
  const pstn = { callee: { user_type: 6, pstn_sip_info: { main_address: '+86-02187654321' } } };

  it('accepts a multi-party meeting and a PSTN 1v1 call', () => {
    checkSettings({ topic: 't', meeting_initial_type: 1, auto_record: true, assign_host_list: [{ user_type: 1, id: 'x' }] });
    checkSettings({ meeting_initial_type: 2, call_setting: pstn });
    checkSettings({ meeting_initial_type: 2, call_setting: { callee: { user_type: 1, id: 'ou_x' } } });
  });

  it('auto_record on a 1v1 call is 123002', () => {
    expect(code(() => checkSettings({ meeting_initial_type: 2, auto_record: true, call_setting: pstn }))).toBe(123002);
  });

  it('more than ten hosts is 123003; a host that is not a Feishu user 123004', () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ user_type: 1, id: `u${i}` }));
    checkSettings({ assign_host_list: hosts(10) });
    expect(code(() => checkSettings({ assign_host_list: hosts(11) }))).toBe(123003);
    expect(code(() => checkSettings({ assign_host_list: [{ user_type: 2, id: 'r' }] }))).toBe(123004);
  });

  it('unsupported callees are 121002; out-of-range values and missing call settings 121003', () => {
    expect(code(() => checkSettings({ meeting_initial_type: 2, call_setting: { callee: { user_type: 7 } } }))).toBe(121002);
    const bad: MeetingSettings[] = [
      { meeting_initial_type: 3 },
      { meeting_initial_type: 2 },
      { meeting_initial_type: 2, call_setting: { callee: { user_type: 6 } } },
      { meeting_initial_type: 2, call_setting: { callee: { user_type: 6, pstn_sip_info: { main_address: '02187654321' } } } },
      { meeting_initial_type: 2, call_setting: { callee: { user_type: 1 } } },
      { action_permissions: [{ permission: 4, permission_checkers: [] }] },
      { action_permissions: [{ permission: 1, permission_checkers: [{ check_field: 4, check_mode: 1, check_list: [] }] }] },
      { action_permissions: [{ permission: 1, permission_checkers: [{ check_field: 1, check_mode: 3, check_list: [] }] }] },
      { action_permissions: [{ permission: 1, permission_checkers: [{ check_field: 2, check_mode: 1, check_list: ['3'] }] }] },
    ];
    for (const s of bad) expect(code(() => checkSettings(s)), JSON.stringify(s)).toBe(121003);
  });

  it('update merge: sent fields replace, empty ones empty, unsent stay, meeting_connect never changes', () => {
    const current: MeetingSettings = { topic: 'a', auto_record: true, meeting_connect: true, assign_host_list: [{ user_type: 1, id: 'alice' }] };
    expect(mergeSettings(current, { topic: '', assign_host_list: [], meeting_connect: false })).toEqual({
      topic: '',
      auto_record: true,
      meeting_connect: true,
      assign_host_list: [],
    });
    expect(mergeSettings({ topic: 'a' }, { meeting_connect: true })).toEqual({ topic: 'a' });
  });
});
