import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import { MAX_DEPTH, ancestorsOf, childPath, depthOf, idsOf, isWithin, moveProblem, narrower, rootPath, subtreeRange, topmost } from '../src/domain/room/tree.js';
import { disableWindow, isDisabledAt, scheduleStatusAt, statusInfo, type DisableWindow } from '../src/domain/room/room-status.js';
import { checkBatch, checkCapacity, checkCustomId, checkDevices, checkName, splitCustomIds } from '../src/domain/room/rules.js';
import { levelView, roomView } from '../src/domain/room/views.js';
import { rootLevelId } from '../src/domain/room/ids.js';
import { containsLike } from '../src/store/repositories/room.repository.js';
import { wants } from '../src/contract/events.js';

const root = rootPath('omb_root');
const campus = childPath(root, 'omb_campus');
const building = childPath(campus, 'omb_b1');
const floor = childPath(building, 'omb_f1');

describe('tree paths', () => {
  it('a path lists the IDs from the root down to the level itself', () => {
    expect(floor).toBe('/omb_root/omb_campus/omb_b1/omb_f1/');
    expect(idsOf(floor)).toEqual(['omb_root', 'omb_campus', 'omb_b1', 'omb_f1']);
    expect(ancestorsOf(floor)).toEqual(['omb_root', 'omb_campus', 'omb_b1']);
    expect(ancestorsOf(root)).toEqual([]);
    expect([depthOf(root), depthOf(campus), depthOf(floor)]).toEqual([0, 1, 3]);
  });

  it('a subtree is one byte-ordered range that holds exactly its descendants', () => {
    const { lo, hi } = subtreeRange(building);
    const inRange = (p: string) => Buffer.compare(Buffer.from(p), Buffer.from(lo)) >= 0 && Buffer.compare(Buffer.from(p), Buffer.from(hi)) < 0;
    expect([building, floor, childPath(floor, 'omb_x')].every(inRange)).toBe(true);
    // a sibling whose ID starts with the building's, and the parent, are outside
    expect([childPath(campus, 'omb_b10'), childPath(campus, 'omb_b1-'), childPath(campus, 'omb_b'), campus, root].some(inRange)).toBe(false);
  });

  it('isWithin, narrower and topmost', () => {
    expect(isWithin(floor, campus)).toBe(true);
    expect(isWithin(campus, floor)).toBe(false);
    expect(isWithin(childPath(campus, 'omb_b10'), building)).toBe(false);
    expect(narrower(campus, floor)).toBe(floor);
    expect(narrower(floor, campus)).toBe(floor);
    expect(narrower(building, childPath(campus, 'omb_b2'))).toBeUndefined();
    const other = childPath(root, 'omb_annex');
    expect(topmost([floor, other, building, childPath(other, 'omb_y'), building])).toEqual([other, building]);
  });

  it('a move is refused when it makes a cycle or nests too deep', () => {
    expect(moveProblem(building, building, 1)).toBe('cycle');
    expect(moveProblem(building, floor, 1)).toBe('cycle');
    expect(moveProblem(building, root, 1)).toBeUndefined();
    expect(moveProblem(building, childPath(campus, 'omb_b10'), 1)).toBeUndefined();
    let deep = root;
    for (let i = 0; i < MAX_DEPTH - 2; i++) deep = childPath(deep, `omb_${i}`);
    expect(moveProblem(building, deep, 1)).toBeUndefined();
    expect(moveProblem(building, deep, 2)).toBe('too_deep');
  });

  it('the root’s ID is derived from the tenant', () => {
    expect(rootLevelId('acme')).toMatch(/^omb_[0-9a-f]{32}$/);
    expect(rootLevelId('acme')).toBe(rootLevelId('acme'));
    expect(rootLevelId('acme')).not.toBe(rootLevelId('globex'));
  });
});

describe('room status', () => {
  const now = 1_700_000_000_000;
  const s = (ms: number) => String(Math.floor(ms / 1000));

  it('disabled inside the window: from start, until end (exclusive) or for good', () => {
    const w: DisableWindow = { start: now, end: now + 1000 };
    expect([isDisabledAt(w, now - 1), isDisabledAt(w, now), isDisabledAt(w, now + 999), isDisabledAt(w, now + 1000)]).toEqual([false, true, true, false]);
    expect(isDisabledAt({ start: now, end: null }, now + 1e12)).toBe(true);
    expect(isDisabledAt(null, now)).toBe(false);
  });

  it('schedule_status is the state the room is heading for', () => {
    expect(scheduleStatusAt(null, now)).toBe(true);
    expect(scheduleStatusAt({ start: now - 1, end: now + 1 }, now)).toBe(true);
    expect(scheduleStatusAt({ start: now - 1, end: null }, now)).toBe(false);
    expect(scheduleStatusAt({ start: now + 1, end: null }, now)).toBe(false);
    expect(scheduleStatusAt({ start: now - 2, end: now - 1 }, now)).toBe(true);
  });

  it('status false disables from now (to the second) for good by default; "0" ends never', () => {
    expect(disableWindow({ status: false }, now + 123)).toEqual({ start: now, end: null });
    expect(disableWindow({ status: false, disable_end_time: '0' }, now)).toEqual({ start: now, end: null });
    expect(disableWindow({ status: false, disable_start_time: s(now - 5000), disable_end_time: s(now + 5000) }, now)).toEqual({ start: now - 5000, end: now + 5000 });
  });

  it('status true: no window, or one that does not hold the present', () => {
    expect(disableWindow({ status: true }, now)).toBeNull();
    expect(disableWindow({ status: true, disable_start_time: s(now + 60_000) }, now)).toEqual({ start: now + 60_000, end: null });
    expect(disableWindow({ status: true, disable_start_time: s(now - 9000), disable_end_time: s(now - 1000) }, now)).toEqual({ start: now - 9000, end: now - 1000 });
  });

  it('status false with a window wholly in the future is a scheduled disable, as Feishu accepts it; empty strings are no time', () => {
    expect(disableWindow({ status: false, disable_start_time: s(now + 1000) }, now)).toEqual({ start: now + 1000, end: null });
    expect(disableWindow({ status: true, disable_start_time: '', disable_end_time: '' }, now)).toBeNull();
  });

  it('contradictions and bad times are 121003', () => {
    for (const input of [
      { status: true, disable_start_time: s(now - 1000) },
      { status: true, disable_end_time: s(now + 1000) },
      { status: true, disable_start_time: s(now + 2000), disable_end_time: s(now + 1000) },
      { status: false, disable_start_time: '-1' },
      { status: false, disable_end_time: '1e9' },
      { status: false, disable_start_time: '123456789012' },
    ]) {
      expect(errorCode(() => disableWindow(input, now)), JSON.stringify(input)).toBe(121003);
    }
  });

  it('keeps reason, contacts (deduplicated) and notice flags as sent', () => {
    expect(statusInfo({ status: true, disable_reason: 'r', disable_notice: false, resume_notice: true }, ['a', 'b', 'a'])).toEqual({ disable_reason: 'r', contact_ids: ['a', 'b'], disable_notice: false, resume_notice: true });
    expect(statusInfo({ status: true }, undefined)).toEqual({});
    expect(errorCode(() => statusInfo({ status: true, disable_reason: 'x'.repeat(1001) }, undefined))).toBe(121003);
  });
});

describe('value rules', () => {
  it('names, capacities, devices, batches', () => {
    expect(checkName('Room')).toBe('Room');
    expect(errorCode(() => checkName(' \t'))).toBe(121003);
    expect(errorCode(() => checkName('x'.repeat(256)))).toBe(121003);
    expect(checkCapacity(100_000)).toBe(100_000);
    for (const c of [0, -1, 100_001]) expect(errorCode(() => checkCapacity(c))).toBe(121003);
    expect(checkDevices([{ name: 'TV', extra: 1 } as { name: string }])).toEqual([{ name: 'TV' }]);
    expect(errorCode(() => checkDevices([{ name: '' }]))).toBe(121003);
    expect(checkBatch(['a', 'b', 'a'], 'ids')).toEqual(['a', 'b']);
    expect(errorCode(() => checkBatch(Array.from({ length: 101 }, (_, i) => String(i)), 'ids'))).toBe(121003);
  });

  it('custom IDs: "" is none; commas and outer spaces could never be searched', () => {
    expect(checkCustomId(undefined, 'f')).toBeUndefined();
    expect(checkCustomId('', 'f')).toBeNull();
    expect(checkCustomId('10000', 'f')).toBe('10000');
    for (const bad of ['a,b', ' a', 'a ', 'x'.repeat(101)]) expect(errorCode(() => checkCustomId(bad, 'f'))).toBe(121003);
    expect(splitCustomIds(' 1000, 1001,,1002 ')).toEqual(['1000', '1001', '1002']);
  });

  it('keywords are literal inside LIKE patterns', () => {
    expect(containsLike('100%_\\x')).toBe('%100\\%\\_\\\\x%');
  });
});

describe('views', () => {
  it('a level shows its ancestors as path and a missing custom ID as "" (the SDK declares it)', () => {
    const row = { tenant_key: 't', room_level_id: 'omb_f1', name: 'F1', name_key: 'f1', parent_id: 'omb_b1', tree_path: floor, depth: 3, custom_group_id: null, created_at: 0, updated_at: 0, has_child: false };
    expect(levelView(row)).toEqual({ room_level_id: 'omb_f1', name: 'F1', parent_id: 'omb_b1', path: ['omb_root', 'omb_campus', 'omb_b1'], has_child: false, custom_group_id: '' });
  });

  it('a room shows its level path, its own level last, and writes users as asked', () => {
    const row = {
      seq: 1,
      tenant_key: 't',
      room_id: 'omm_1',
      name: 'R',
      name_key: 'r',
      capacity: 3,
      description: null,
      display_id: 'LM100000000',
      custom_room_id: null,
      room_level_id: 'omb_f1',
      level_path: floor,
      disable_start: 1000,
      disable_end: null,
      status_info: JSON.stringify({ contact_ids: ['alice'] }),
      devices: '[]',
      created_at: 0,
      updated_at: 0,
    };
    expect(roomView(row, 2000, (u) => ({ $user: u }))).toEqual({
      room_id: 'omm_1',
      name: 'R',
      capacity: 3,
      description: '',
      display_id: 'LM100000000',
      custom_room_id: '',
      room_level_id: 'omb_f1',
      path: ['omb_root', 'omb_campus', 'omb_b1', 'omb_f1'],
      room_status: { status: false, schedule_status: false, disable_start_time: '1', disable_end_time: '0', disable_reason: '', contact_ids: [{ $user: 'alice' }], disable_notice: false, resume_notice: false },
      device: [],
    });
  });
});

describe('event subscriptions', () => {
  const app = (scopes: string[]) => ({ scopes, eventTypes: ['vc.room.created_v1', 'vc.room_level.deleted_v1', 'vc.room_level.updated_v1'] });

  it('room events need vc:room or vc:room:readonly; level deletions also go to the room-level scopes', () => {
    expect(wants(app(['vc:room:readonly']), 'vc.room.created_v1')).toBe(true);
    expect(wants(app(['vc:room']), 'vc.room_level.updated_v1')).toBe(true);
    expect(wants(app(['vc:meeting:readonly']), 'vc.room.created_v1')).toBe(false);
    for (const scope of ['vc:rooms.roomlevel:read', 'vc:rooms.roomlevel:delete']) {
      expect(wants(app([scope]), 'vc.room_level.deleted_v1')).toBe(true);
      expect(wants(app([scope]), 'vc.room_level.updated_v1')).toBe(false);
    }
  });
});
