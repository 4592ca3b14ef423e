import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../contract/errors.js';

/** The body of `meeting.subscription` / `recording.subscription` and their `unsubscription` twins. */
export const SubscriptionBody = Type.Optional(Type.Object({ event_type: Type.Optional(Type.String({ maxLength: 100 })) }));
export type SubscriptionBodyT = Static<typeof SubscriptionBody>;

/**
 * A user's (un)subscription names one event type of its resource. openvc delivers by the app's event
 * subscription, so an accepted call changes nothing more (docs/decisions.md "User event subscriptions").
 */
export function checkSubscribable(known: readonly string[], eventType: string | undefined): Record<string, never> {
  if (!eventType) throw apiError('paramError', 'param error: event_type is required');
  if (!known.includes(eventType)) throw apiError('paramError', `param error: event_type must be one of ${known.join(', ')}, not ${eventType}`);
  return {};
}
