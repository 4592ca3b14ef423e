/**
 * "May this user book this room, and does the booking need approval?" — the one question booking asks of
 * the room's configuration: the room's reserve configs (scope_config.md §5.2) and the per-level approval flag.
 */
import type { BookingRepository } from '../../store/repositories/booking.repository.js';
import { idsOf, type TreePath } from '../room/tree.js';
import type { Span } from './rules.js';
import type { Repositories } from '../../store/repositories/index.js';
import { bookingVerdict, type BookingRefusal } from '../room/booking-rules.js';
import { bookerOf, roomBookingConfig } from '../room/reserve-config.service.js';

export interface BookingAsk {
  tenantKey: string;
  roomId: string;
  /** the materialised path of the room's level, root first ('/<root>/<a>/<b>/') */
  levelPath: TreePath;
  organizerUserId: string;
  span: Span;
}

export interface BookingVerdict {
  allowed: boolean;
  needsApproval: boolean;
  /** why not, when not allowed */
  reason?: string;
}

/** Asked before the booking's transaction opens (on SQLite that transaction holds the only connection). */
export type BookingPolicy = (ask: BookingAsk) => Promise<BookingVerdict>;

/** Anyone of the tenant may book any room; approval is needed when the room's level or one above it says so. */
export function levelApprovalPolicy(bookings: BookingRepository): BookingPolicy {
  return async (ask) => ({ allowed: true, needsApproval: await bookings.forTenant(ask.tenantKey).anyNeedsApproval(idsOf(ask.levelPath)) });
}

const REFUSALS: Record<BookingRefusal, string> = {
  not_allowed: 'the organizer is not in the reserve scope of this room (reserve_configs)',
  too_long: "the booking is longer than the room's maximum duration (reserve_configs time_config)",
  outside_hours: "the booking is outside the room's bookable hours (reserve_configs time_config)",
  too_far_ahead: 'that day is not open for booking yet (reserve_configs time_config)',
};

/**
 * The room's reserve configs (inherited down the tree) decide who may book it, when, and whether it needs
 * approval; the per-level approval flag still asks for approval too.
 */
export function reserveConfigPolicy(deps: Pick<Repositories, 'rooms' | 'scopeConfigs' | 'directory' | 'bookings'>, clock: () => number = Date.now): BookingPolicy {
  const byLevel = levelApprovalPolicy(deps.bookings);
  return async (ask) => {
    const [config, booker, level] = await Promise.all([roomBookingConfig(deps, ask.tenantKey, ask.roomId), bookerOf(deps.directory.forTenant(ask.tenantKey, ''), ask.organizerUserId), byLevel(ask)]);
    if (!config || !booker) return level;
    const v = bookingVerdict(config, booker, ask.span, clock());
    if (!v.allowed) return { allowed: false, needsApproval: false, reason: REFUSALS[v.refusal ?? 'not_allowed'] };
    return { allowed: true, needsApproval: v.needsApproval || level.needsApproval };
  };
}
