import { describe, expect, it } from 'vitest';
import { errorCode } from './helpers/errors.js';
import * as rules from '../src/domain/booking/rules.js';
import type { BookingState } from '../src/domain/booking/rules.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = Date.UTC(2024, 4, 6, 9, 0, 0);
const s = (ms: number) => String(Math.floor(ms / 1000));

function booking(over: Partial<BookingState> = {}): BookingState {
  return { status: 'confirmed', organizer_user_id: 'alice', start_time: now + HOUR, end_time: now + 2 * HOUR, check_in_deadline: now + HOUR + 15 * MIN, checked_in_at: null, ...over };
}

describe('booking rules', () => {
  it('checks the limits of a span (121003)', () => {
    expect(rules.bookingSpan(s(now + HOUR), s(now + 2 * HOUR), now)).toEqual({ start: now + HOUR, end: now + 2 * HOUR });
    // a booking "from now" tolerates a few minutes of clock skew
    expect(rules.bookingSpan(s(now - 4 * MIN), s(now + HOUR), now).start).toBe(now - 4 * MIN);
    for (const [start, end] of [
      [s(now + 2 * HOUR), s(now + HOUR)], // end before start
      [s(now + HOUR), s(now + HOUR)], // empty
      [s(now - HOUR), s(now + HOUR)], // in the past
      [s(now + HOUR), s(now + HOUR + 30_000)], // shorter than a minute
      [s(now + HOUR), s(now + 26 * HOUR)], // longer than a day
      [s(now + 366 * 24 * HOUR), s(now + 367 * 24 * HOUR)], // too far ahead
      ['soon', s(now + HOUR)],
    ]) {
      expect(errorCode(() => rules.bookingSpan(start!, end!, now)), `${start}–${end}`).toBe(121003);
    }
  });

  it('finds disable windows that take part of a span', () => {
    const span = { start: 10, end: 20 };
    expect(rules.disabledDuring(null, span)).toBe(false);
    expect(rules.disabledDuring({ start: 20, end: 30 }, span)).toBe(false);
    expect(rules.disabledDuring({ start: 0, end: 10 }, span)).toBe(false);
    expect(rules.disabledDuring({ start: 19, end: 30 }, span)).toBe(true);
    expect(rules.disabledDuring({ start: 0, end: null }, span)).toBe(true);
  });

  it('needs a check-in only for bookings confirmed before they start', () => {
    const span = { start: now + HOUR, end: now + HOUR + 10 * MIN };
    expect(rules.checkInDeadline(span, now, 15 * MIN)).toBe(span.end);
    expect(rules.checkInDeadline(span, now, 5 * MIN)).toBe(span.start + 5 * MIN);
    expect(rules.checkInDeadline(span, span.start, 5 * MIN)).toBeNull();
    expect(rules.checkInDeadline(span, now, 0)).toBeNull();
    expect(rules.newBookingState(span, true, now, 5 * MIN)).toEqual({ status: 'pending', check_in_deadline: null });
  });

  it('walks the status machine', () => {
    const pending = booking({ status: 'pending', check_in_deadline: null });
    expect(rules.decide(pending, true, now, 15 * MIN)).toMatchObject({ status: 'confirmed', decided_at: now, check_in_deadline: now + HOUR + 15 * MIN });
    expect(rules.decide(pending, false, now, 15 * MIN, 'no')).toMatchObject({ status: 'rejected', decision_note: 'no' });
    expect(errorCode(() => rules.decide(booking(), true, now, 0))).toBe(191003);
    expect(errorCode(() => rules.decide(pending, true, now + 3 * HOUR, 0))).toBe(191003);

    expect(rules.cancel(pending, now + 90 * MIN, 'alice')).toMatchObject({ status: 'cancelled' });
    expect(rules.cancel(booking(), now, 'alice')).toMatchObject({ status: 'cancelled', released_at: now, released_by_user_id: 'alice' });
    expect(rules.cancel(booking(), now + 90 * MIN, null)).toMatchObject({ status: 'released', release_reason: 'manual', released_by_user_id: null });
    expect(errorCode(() => rules.cancel(booking({ status: 'released' }), now, 'alice'))).toBe(191003);
    expect(errorCode(() => rules.cancel(booking(), now + 2 * HOUR, 'alice'))).toBe(191003);
  });

  it('opens check-in 15 minutes early and closes it at the deadline', () => {
    const b = booking();
    expect(errorCode(() => rules.checkIn(b, 'qr_code', now + 44 * MIN))).toBe(191003);
    expect(rules.checkIn(b, 'qr_code', now + 45 * MIN)).toEqual({ checked_in_at: now + 45 * MIN, check_in_method: 'qr_code' });
    expect(errorCode(() => rules.checkIn(b, 'qr_code', now + HOUR + 16 * MIN))).toBe(191003);
    expect(errorCode(() => rules.checkIn({ ...b, checked_in_at: now }, 'qr_code', now + HOUR))).toBe(191003);
    expect(errorCode(() => rules.checkIn({ ...b, status: 'pending' }, 'qr_code', now + HOUR))).toBe(191003);
    // no check-in needed: still recorded until the end
    expect(rules.checkIn({ ...b, check_in_deadline: null }, 'controller', now + 90 * MIN)).toMatchObject({ check_in_method: 'controller' });
  });

  it('releases automatically only when due', () => {
    const b = booking();
    expect(rules.releaseUnchecked(b, now + HOUR + 14 * MIN)).toBeNull();
    expect(rules.releaseUnchecked(b, now + HOUR + 15 * MIN)).toMatchObject({ status: 'released', release_reason: 'no_check_in' });
    // a late job dates the release no later than the booking's end
    expect(rules.releaseUnchecked(b, now + 5 * HOUR)).toMatchObject({ released_at: b.end_time });
    expect(rules.releaseUnchecked({ ...b, checked_in_at: now + HOUR }, now + 2 * HOUR)).toBeNull();
    expect(rules.releaseEarly(b, 'sensor', now)).toBeNull();
    expect(rules.releaseEarly(b, 'sensor', now + 90 * MIN)).toMatchObject({ status: 'released', release_reason: 'sensor' });
    expect(rules.releaseEarly(b, 'meeting_ended', now + 2 * HOUR)).toBeNull();
  });

  it('lets a room join with its operator’s booking, not with another user’s', () => {
    const mine = { ...booking(), id: 'a' };
    const theirs = { ...booking({ organizer_user_id: 'bob', start_time: now - HOUR, end_time: now + 10 * MIN }), id: 'b' };
    expect(rules.roomJoin([theirs, mine], 'alice', now)).toEqual({ blockedBy: theirs });
    expect(rules.roomJoin([mine], 'alice', now + 50 * MIN)).toEqual({ claim: mine });
    // too early to claim, and nothing blocks
    expect(rules.roomJoin([mine], 'alice', now + 30 * MIN)).toEqual({});
    expect(rules.claimForMeeting(mine, { id: 'm', meetingNo: '123456789' }, now + HOUR)).toEqual({ meeting_id: 'm', meeting_no: '123456789', checked_in_at: now + HOUR, check_in_method: 'controller' });
  });
});
