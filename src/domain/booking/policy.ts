/**
 * "May this user book this room, and does the booking need approval?" — the one question booking asks of
 * the room's configuration. Today the answer is the per-level approval flag; reserve configs
 * (scope_config.md §5.2: reserve_scope_config, approval_config) will answer it later, behind this type.
 */
import type { BookingRepository } from '../../store/repositories/booking.repository.js';
import { idsOf, type TreePath } from '../room/tree.js';
import type { Span } from './rules.js';

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
