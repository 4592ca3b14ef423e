import { describe, expect, it } from 'vitest';
import { chainOf, coveredSections, resolve, withSections, type NodeSections } from '../src/domain/room/scope-config.js';
import { checkSignage, roomConfigChanges } from '../src/domain/room/room-config.js';
import { RESERVE_DEFAULTS, mapPeople, peopleOf, reserveConfigChanges, withDefaults, type ApprovalConfig, type ReserveScopeConfig, type TimeConfig } from '../src/domain/room/reserve-config.js';
import { bookingVerdict, mayBook, needsApproval, timeRefusal } from '../src/domain/room/booking-rules.js';
import { checkScopeType } from '../src/domain/room/scopes.js';
import { childPath, rootPath } from '../src/domain/room/tree.js';
import { errorCode } from './helpers/errors.js';

const HOUR = 3_600_000;
const campus = childPath(rootPath('root'), 'campus');
const building = childPath(campus, 'building');
const floor = childPath(building, 'floor');
const node = (scope_id: string, own: Record<string, unknown>, scope_type: 1 | 2 = 1): NodeSections => ({ scope_type, scope_id, own });

describe('the chain of a node', () => {
  it('runs from the node up to the tenant root; a room starts with itself, then its level', () => {
    expect(chainOf({ scope_type: 1, path: floor }).map((n) => n.scope_id)).toEqual(['floor', 'building', 'campus', 'root']);
    expect(chainOf({ scope_type: 2, roomId: 'room', levelPath: floor })).toEqual([
      { scope_type: 2, scope_id: 'room' },
      { scope_type: 1, scope_id: 'floor' },
      { scope_type: 1, scope_id: 'building' },
      { scope_type: 1, scope_id: 'campus' },
      { scope_type: 1, scope_id: 'root' },
    ]);
    expect(chainOf({ scope_type: 1, path: rootPath('root') })).toEqual([{ scope_type: 1, scope_id: 'root' }]);
  });

  it('puts stored rows onto their nodes and ignores rows of other nodes', () => {
    const chain = chainOf({ scope_type: 1, path: building });
    const rows = [
      { scope_id: 'campus', section: 'a', value: 1 },
      { scope_id: 'elsewhere', section: 'a', value: 2 },
      { scope_id: 'building', section: 'b', value: 3 },
    ];
    expect(withSections(chain, rows).map((n) => n.own)).toEqual([{ b: 3 }, { a: 1 }, {}]);
  });
});

describe('resolving at several depths', () => {
  // root sets a; campus a, b; building c; floor nothing; the room d and its own b
  const chain = [node('room', { d: 'room', b: 'room' }, 2), node('floor', {}), node('building', { c: 'building' }), node('campus', { a: 'campus', b: 'campus' }), node('root', { a: 'root' })];

  it('takes each section from the nearest node that sets it', () => {
    expect(resolve(chain)).toEqual({ d: 'room', b: 'room', c: 'building', a: 'campus' });
    expect(resolve(chain.slice(1))).toEqual({ c: 'building', a: 'campus', b: 'campus' });
    expect(resolve(chain.slice(3))).toEqual({ a: 'campus', b: 'campus' });
    expect(resolve(chain.slice(4))).toEqual({ a: 'root' });
    expect(resolve([])).toEqual({});
  });

  it('takes a section whole: fields of an object are never mixed across nodes', () => {
    const objects = [node('floor', { s: { enable: false } }), node('campus', { s: { enable: true, mute: true, materials: [] } })];
    expect(resolve(objects)).toEqual({ s: { enable: false } });
  });

  it('covers below levels only, and only the sections saved with the flag', () => {
    const changes = [
      { section: 'digital_signage', value: {}, cover: true },
      { section: 'room_background', value: 'x', cover: false },
    ];
    expect(coveredSections({ scope_type: 1, scope_id: 'l' }, changes)).toEqual(['digital_signage']);
    expect(coveredSections({ scope_type: 2, scope_id: 'r' }, changes)).toEqual([]);
  });
});

describe('room_config values', () => {
  const ids = () => {
    let n = 0;
    return () => `m${++n}`;
  };

  it('keeps what is sent per section; null and "" clear; the flag is read off what was sent', () => {
    expect(roomConfigChanges({ room_background: 'a', display_background: '', digital_signage: null, room_box_digital_signage: { if_cover_child_scope: true, enable: true } }, ids())).toEqual([
      { section: 'room_background', value: 'a', cover: false },
      { section: 'display_background', value: undefined, cover: false },
      { section: 'digital_signage', value: undefined, cover: false },
      { section: 'room_box_digital_signage', value: { if_cover_child_scope: true, enable: true }, cover: true },
    ]);
    expect(roomConfigChanges({})).toEqual([]);
  });

  it('a signage setting nothing clears, but may still cover', () => {
    expect(checkSignage({}, 's')).toBeUndefined();
    expect(checkSignage({ if_cover_child_scope: true }, 's')).toBeUndefined();
    expect(roomConfigChanges({ digital_signage: { if_cover_child_scope: true } })).toEqual([{ section: 'digital_signage', value: undefined, cover: true }]);
  });

  it('assigns material IDs that are missing, keeps the others, never twice in a list', () => {
    const draws = ['7', '1', '2'];
    const signage = checkSignage({ materials: [{ name: 'a' }, { id: '7', name: 'b' }, { name: 'c', unknown: 1 } as never] }, 's', () => draws.shift()!);
    expect(signage!.materials).toEqual([
      { id: '1', name: 'a' },
      { id: '7', name: 'b' },
      { id: '2', name: 'c' },
    ]);
  });

  it('ranges: display minutes 1–720, duration 1–43200 s, types 0–3, size digits', () => {
    for (const s of [{ start_display: 0 }, { stop_display: 721 }, { materials: [{ duration: 0 }] }, { materials: [{ material_type: 4 }] }, { materials: [{ size: '-1' }] }]) {
      expect(errorCode(() => checkSignage(s, 's'))).toBe(121003);
    }
    expect(checkSignage({ start_display: 1, stop_display: 720, materials: [{ id: 'x', duration: 43_200, material_type: 0, size: '0' }] }, 's')).toEqual({
      start_display: 1,
      stop_display: 720,
      materials: [{ id: 'x', duration: 43_200, material_type: 0, size: '0' }],
    });
  });

  it('scope_type is 1 or 2, as a number or a string', () => {
    expect([checkScopeType(1), checkScopeType('2')]).toEqual([1, 2]);
    for (const bad of [0, 3, '01', 'room', '']) expect(errorCode(() => checkScopeType(bad))).toBe(121003);
  });
});

describe('reserve_config values', () => {
  const only = (input: Parameters<typeof reserveConfigChanges>[0]) => reserveConfigChanges(input)[0]!.value;

  it('fills the documented defaults and rounds', () => {
    expect(only({ approval_config: { approval_switch: 1, approval_condition: 1, meeting_duration: 1.005, approvers: [{ user_id: 'u' }, { user_id: 'u' }] } })).toEqual({
      approval_switch: 1,
      approval_condition: 1,
      meeting_duration: 1,
      approvers: ['u'],
    });
    expect(only({ approval_config: { approval_switch: 1, meeting_duration: 5, approvers: [{ user_id: 'u' }] } })).toMatchObject({ approval_condition: 0, meeting_duration: 99 });
    expect(only({ time_config: { time_switch: 1, opening_hour: '28859' } })).toEqual({ ...(RESERVE_DEFAULTS.time_config as object), time_switch: 1, opening_hour: '28800' });
    expect(only({ reserve_form_config: { reserve_form: false } })).toEqual({ reserve_form: false, notified_users: [], time_unit: 3, custom_list: [] });
  });

  it('refuses what the spec rules out', () => {
    const codes = [
      { approval_config: { meeting_duration: 1, approval_condition: 1, approval_switch: 3 } },
      { time_config: { time_switch: 1, start_time: '1.5' } },
      { time_config: { time_switch: 1, end_time: '86401' } },
      { time_config: { time_switch: 1, start_time: '85000' } },
      { reserve_scope_config: { allow_all_users: 2 } },
      { reserve_form_config: { reserve_form: true, custom_list: [{ custom_type: -1, key: 'k', need_fill: true, title: 't' }] } },
      { reserve_form_config: { reserve_form: true, custom_list: [{ custom_type: 1, key: ' ', need_fill: true, title: 't' }] } },
    ].map((input) => errorCode(() => reserveConfigChanges(input)));
    expect(codes).toEqual(Array(codes.length).fill(121003));
    expect(errorCode(() => reserveConfigChanges({ reserve_form_config: { reserve_form: true, notified_time: 24, time_unit: 2 } }))).toBe(126011);
    const people = Array.from({ length: 501 }, (_, i) => ({ user_id: String(i) }));
    expect(errorCode(() => reserveConfigChanges({ reserve_admin_config: { users: people } }))).toBe(126012);
  });

  it('finds and replaces the people of a section, leaving the rest', () => {
    const value = only({ reserve_scope_config: { if_cover_child_scope: true, allow_all_users: 0, allow_users: [{ user_id: 'ou_a' }], allow_depts: [{ department_id: 'od-x' }] } });
    expect(peopleOf('reserve_scope_config', value)).toEqual({ users: ['ou_a'], depts: ['od-x'] });
    expect(mapPeople('reserve_scope_config', value, (u) => u.toUpperCase(), (d) => `dept:${d}`)).toEqual({ if_cover_child_scope: true, allow_all_users: 0, allow_users: ['OU_A'], allow_depts: ['dept:od-x'] });
    expect(withDefaults({ time_config: 'own' })).toMatchObject({ time_config: 'own', approval_config: RESERVE_DEFAULTS.approval_config });
  });
});

describe('booking verdicts', () => {
  const defaults = withDefaults({});
  const base = { approval: defaults.approval_config as ApprovalConfig, time: defaults.time_config as TimeConfig, scope: defaults.reserve_scope_config as ReserveScopeConfig };
  const day = Date.UTC(2030, 5, 10);
  const booking = { start: day + 9 * HOUR, end: day + 10 * HOUR };
  const alice = { userId: 'alice', departmentIds: ['eng', 'rnd'] };

  it('the defaults let anyone book anything without approval', () => {
    expect(bookingVerdict(base, { userId: 'x', departmentIds: [] }, { start: day, end: day + 48 * HOUR }, day - 1000 * 24 * HOUR)).toEqual({ allowed: true, needsApproval: false, approvers: [] });
  });

  it('reserve scope: listed users, members of listed departments or those above theirs, everyone with "0"', () => {
    const scope = (s: Partial<ReserveScopeConfig>): ReserveScopeConfig => ({ allow_all_users: 0, allow_users: [], allow_depts: [], ...s });
    expect(mayBook(scope({ allow_users: ['alice'] }), alice)).toBe(true);
    expect(mayBook(scope({ allow_depts: ['rnd'] }), alice)).toBe(true);
    expect(mayBook(scope({ allow_depts: ['0'] }), { userId: 'x', departmentIds: [] })).toBe(true);
    expect(mayBook(scope({ allow_users: ['bob'], allow_depts: ['sales'] }), alice)).toBe(false);
  });

  it('time rules: the day’s window (UTC), the longest booking, how far ahead the opening hour lets one book', () => {
    const time: TimeConfig = { time_switch: 1, days_in_advance: 2, opening_hour: String(8 * 3600), start_time: String(8 * 3600), end_time: String(18 * 3600), max_duration: 2 };
    const at = (h: number, length = 1) => ({ start: day + h * HOUR, end: day + (h + length) * HOUR });
    expect(timeRefusal(time, at(9), day)).toBeUndefined();
    expect(timeRefusal(time, at(7), day)).toBe('outside_hours');
    expect(timeRefusal(time, at(17, 1.5), day)).toBe('outside_hours');
    expect(timeRefusal(time, at(9, 2.5), day)).toBe('too_long');
    expect(timeRefusal({ ...time, time_switch: 0 }, at(7, 5), day)).toBeUndefined();
    // over midnight: allowed when both days are bookable around it (hours of the whole day), not otherwise
    const allDay: TimeConfig = { ...time, start_time: '0', end_time: '86400' };
    expect(timeRefusal(allDay, at(23.5), day)).toBeUndefined();
    expect(timeRefusal({ ...allDay, end_time: String(23 * 3600) }, at(23.5), day)).toBe('outside_hours');
    expect(timeRefusal({ ...allDay, start_time: String(3600) }, at(23.5), day)).toBe('outside_hours');
    // two days ahead: bookable from 08:00 two days before, not at 07:59
    expect(timeRefusal(time, at(9), day - 2 * 24 * HOUR + 8 * HOUR)).toBeUndefined();
    expect(timeRefusal(time, at(9), day - 2 * 24 * HOUR + 8 * HOUR - 60_000)).toBe('too_far_ahead');
  });

  it('approval: off, every booking, or bookings longer than meeting_duration', () => {
    const approval: ApprovalConfig = { approval_switch: 1, approval_condition: 1, meeting_duration: 1.5, approvers: ['boss'] };
    expect(needsApproval(approval, booking)).toBe(false);
    expect(needsApproval(approval, { ...booking, end: booking.start + 1.6 * HOUR })).toBe(true);
    expect(needsApproval({ ...approval, approval_condition: 0 }, booking)).toBe(true);
    expect(needsApproval({ ...approval, approval_switch: 0, approval_condition: 0 }, booking)).toBe(false);
    expect(bookingVerdict({ ...base, approval: { ...approval, approval_condition: 0 } }, alice, booking, day)).toEqual({ allowed: true, needsApproval: true, approvers: ['boss'] });
  });

  it('a refused booking says why, and still whether it would need approval', () => {
    const config = { ...base, scope: { allow_all_users: 0 as const, allow_users: ['bob'], allow_depts: [] }, approval: { approval_switch: 1 as const, approval_condition: 0 as const, meeting_duration: 99, approvers: ['boss'] } };
    expect(bookingVerdict(config, alice, booking, day)).toEqual({ allowed: false, refusal: 'not_allowed', needsApproval: true, approvers: ['boss'] });
  });
});
