import type { DeliveryRow } from '../store/repositories/delivery.repository.js';

/** A delivery as the admin API and `openvc events list` show it; times are ms since the epoch, as strings. */
export function presentDelivery(d: DeliveryRow) {
  return {
    delivery_id: d.id,
    event_id: d.event_id,
    event_type: d.event_type,
    app_id: d.app_id,
    status: d.status,
    attempts: d.attempts,
    created_at: String(d.created_at),
    next_attempt_at: d.status === 'pending' ? String(d.next_attempt_at) : null,
    delivered_at: d.delivered_at === null ? null : String(d.delivered_at),
    last_status: d.last_status,
    last_error: d.last_error,
  };
}

export type DeliveryView = ReturnType<typeof presentDelivery>;
