/**
 * The rules of a room booking, as plain data and functions: the limits of a time span, overlaps, and the
 * status machine (approval, cancel, check-in, release). No clock, storage or HTTP: callers pass the time
 * and store the changes a rule returns.
 *
 *   pending ──approve──▶ confirmed ──cancel before start──▶ cancelled
 *      │ └──reject──▶ rejected   │ └──cancel / sensor / meeting end / no check-in, once started──▶ released
 *      └──cancel──▶ cancelled    └──check-in (recorded; the booking stays confirmed)
 */
import { apiError } from '../../contract/errors.js';
import type { DisableWindow } from '../room/room-status.js';
import type { BookingStatus, CheckInMethod, ReleaseReason } from './values.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Shortest and longest booking. The longest also bounds how far back an overlapping booking can start. */
export const MIN_DURATION_MS = MINUTE;
export const MAX_DURATION_MS = DAY;
/** How far ahead a booking may start (Feishu's default `days_in_advance`). */
export const MAX_AHEAD_MS = 365 * DAY;
/** A booking "from now" may start this much in the past: the client's clock and the request take time. */
export const START_GRACE_MS = 5 * MINUTE;
/** Check-in opens this long before the booking starts. */
export const CHECK_IN_OPENS_MS = 15 * MINUTE;

export interface Span {
  start: number;
  end: number;
}

/** What the rules read of a booking (the stored row's columns). */
export interface BookingState {
  status: string;
  organizer_user_id: string;
  start_time: number;
  end_time: number;
  check_in_deadline: number | null;
  checked_in_at: number | null;
}

/** What a rule changes; the caller stores it. */
export interface BookingChange {
  status?: BookingStatus;
  decided_at?: number;
  decided_by_app_id?: string;
  decision_note?: string | null;
  check_in_deadline?: number | null;
  checked_in_at?: number;
  check_in_method?: CheckInMethod;
  released_at?: number;
  release_reason?: ReleaseReason;
  released_by_user_id?: string | null;
  meeting_id?: string;
  meeting_no?: string;
}

const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);
const stateError = (msg: string) => apiError('bookingStatusUnexpected', `booking status unexpected: ${msg}`);

function seconds(value: string, field: string): number {
  if (!/^\d{1,11}$/.test(value)) throw paramError(`${field} must be unix seconds as a string, e.g. "1652356050"`);
  return Number(value) * 1000;
}

/** The span a booking asks for (unix seconds as strings), within the limits; 121003 naming the broken one. */
export function bookingSpan(startTime: string, endTime: string, now: number): Span {
  const span = { start: seconds(startTime, 'start_time'), end: seconds(endTime, 'end_time') };
  if (span.end <= span.start) throw paramError('end_time must be later than start_time');
  if (span.start < now - START_GRACE_MS) throw paramError('start_time lies in the past');
  if (span.start > now + MAX_AHEAD_MS) throw paramError(`start_time is more than ${MAX_AHEAD_MS / DAY} days ahead`);
  const length = span.end - span.start;
  if (length < MIN_DURATION_MS) throw paramError(`a booking lasts at least ${MIN_DURATION_MS / MINUTE} minute`);
  if (length > MAX_DURATION_MS) throw paramError(`a booking lasts at most ${MAX_DURATION_MS / HOUR} hours`);
  return span;
}

/** A list's optional time range: bookings overlapping [from, to). */
export function queryRange(from: string | undefined, to: string | undefined): Partial<Span> {
  const range: Partial<Span> = {};
  if (from !== undefined) range.start = seconds(from, 'start_time');
  if (to !== undefined) range.end = seconds(to, 'end_time');
  if (range.start !== undefined && range.end !== undefined && range.end <= range.start) throw paramError('end_time must be later than start_time');
  return range;
}

/** Whether the room's disable window takes any part of the span. */
export function disabledDuring(w: DisableWindow | null, s: Span): boolean {
  return w !== null && w.start < s.end && (w.end === null || s.start < w.end);
}

/** Statuses in which a booking keeps others from booking its room. */
export const holdsRoom = (status: string): boolean => status === 'pending' || status === 'confirmed';

/**
 * When an unchecked booking is released. Only bookings confirmed before they begin need a check-in: one
 * made (or approved) once its time has begun is an instant booking, its booker is at the room already.
 * `windowMs` 0 turns check-in off.
 */
export function checkInDeadline(span: Span, confirmedAt: number, windowMs: number): number | null {
  if (windowMs <= 0 || confirmedAt >= span.start) return null;
  return Math.min(span.end, span.start + windowMs);
}

/** A new booking: confirmed at once, or waiting for approval. */
export function newBookingState(span: Span, needsApproval: boolean, now: number, windowMs: number): { status: BookingStatus; check_in_deadline: number | null } {
  return needsApproval ? { status: 'pending', check_in_deadline: null } : { status: 'confirmed', check_in_deadline: checkInDeadline(span, now, windowMs) };
}

/** Whether the no-check-in release is due for the booking (its job is scheduled while this holds). */
export const awaitsCheckIn = (b: Pick<BookingState, 'status' | 'check_in_deadline' | 'checked_in_at'>): boolean =>
  b.status === 'confirmed' && b.check_in_deadline !== null && b.checked_in_at === null;

function spanOf(b: BookingState): Span {
  return { start: b.start_time, end: b.end_time };
}

function notOver(b: BookingState, at: number): void {
  if (at >= b.end_time) throw stateError('the booking is over');
}

/** An approver approves or rejects a pending booking before its end. */
export function decide(b: BookingState, approve: boolean, at: number, windowMs: number, note?: string): BookingChange {
  if (b.status !== 'pending') throw stateError(`only a pending booking can be approved or rejected; this one is ${b.status}`);
  notOver(b, at);
  if (!approve) return { status: 'rejected', decided_at: at, decision_note: note ?? null };
  return { status: 'confirmed', decided_at: at, check_in_deadline: checkInDeadline(spanOf(b), at, windowMs) };
}

/**
 * The organizer gives the booking up: before it begins (or while it waits for approval) it is cancelled;
 * once begun the room is released by hand. `by` is the user who did it (null: an app).
 */
export function cancel(b: BookingState, at: number, by: string | null): BookingChange {
  if (!holdsRoom(b.status)) throw stateError(`the booking is ${b.status} already`);
  notOver(b, at);
  if (b.status === 'pending' || at < b.start_time) return { status: 'cancelled', released_at: at, released_by_user_id: by };
  return { status: 'released', released_at: at, release_reason: 'manual', released_by_user_id: by };
}

/** Check-in: from CHECK_IN_OPENS_MS before the start until the deadline (or the end when none is needed). */
export function checkIn(b: BookingState, method: CheckInMethod, at: number): BookingChange {
  if (b.status !== 'confirmed') throw stateError(`only a confirmed booking can be checked in; this one is ${b.status}`);
  if (b.checked_in_at !== null) throw stateError('the booking is checked in already');
  if (at < b.start_time - CHECK_IN_OPENS_MS) throw stateError(`check-in opens ${CHECK_IN_OPENS_MS / MINUTE} minutes before the booking starts`);
  notOver(b, at);
  if (b.check_in_deadline !== null && at > b.check_in_deadline) throw stateError('check-in has closed; the room is being released');
  return { checked_in_at: at, check_in_method: method };
}

/** The room goes free before the booking's end: a sensor found it empty, or the booking's meeting ended. */
export function releaseEarly(b: BookingState, reason: 'sensor' | 'meeting_ended', at: number): BookingChange | null {
  if (b.status !== 'confirmed' || at < b.start_time || at >= b.end_time) return null;
  return { status: 'released', released_at: at, release_reason: reason, released_by_user_id: null };
}

/** The no-check-in job: releases a booking still unchecked at its deadline; nothing to do otherwise. */
export function releaseUnchecked(b: BookingState, at: number): BookingChange | null {
  if (!awaitsCheckIn(b) || at < b.check_in_deadline!) return null;
  return { status: 'released', released_at: Math.min(at, b.end_time), release_reason: 'no_check_in', released_by_user_id: null };
}

/**
 * A room joining a meeting at `at`, among the bookings that hold the room from then until check-in of
 * the next one opens: another user's booking in progress keeps the room (`blockedBy`); the joining user's
 * own confirmed booking (in progress or about to start) is the one the meeting takes (`claim`).
 */
export function roomJoin<B extends BookingState>(holding: readonly B[], userId: string, at: number): { blockedBy?: B; claim?: B } {
  const blockedBy = holding.find((b) => b.start_time <= at && at < b.end_time && b.organizer_user_id !== userId);
  if (blockedBy) return { blockedBy };
  const claim = holding.find((b) => b.organizer_user_id === userId && b.status === 'confirmed' && at < b.end_time && at >= b.start_time - CHECK_IN_OPENS_MS);
  return claim ? { claim } : {};
}

/**
 * The booking a room takes into a meeting: linked to the meeting (whose end releases it) and checked in,
 * the room's controller having joined, unless it was already or its check-in has closed.
 */
export function claimForMeeting(b: BookingState, meeting: { id: string; meetingNo: string }, at: number): BookingChange | null {
  if (b.status !== 'confirmed' || at >= b.end_time) return null;
  const open = b.checked_in_at === null && (b.check_in_deadline === null || at <= b.check_in_deadline);
  return { meeting_id: meeting.id, meeting_no: meeting.meetingNo, ...(open ? { checked_in_at: at, check_in_method: 'controller' as const } : {}) };
}
