import { apiError } from '../../contract/errors.js';

/** A reserve can be made for at most the next 30 days (reserve.md). */
export const MAX_AHEAD_MS = 30 * 86_400_000;

/**
 * end_time is unix seconds as a string; it must lie in the future and at most 30 days ahead
 * (121003 otherwise). Returns unix milliseconds.
 */
export function endTimeRule(value: string, nowMs: number): number {
  if (!/^\d{1,12}$/.test(value)) throw apiError('paramError', 'param error: end_time must be unix seconds as a string, e.g. "1608888867"');
  const ms = Number(value) * 1000;
  if (ms <= nowMs) throw apiError('paramError', 'param error: end_time must be in the future');
  if (ms > nowMs + MAX_AHEAD_MS) throw apiError('paramError', 'param error: end_time must be no more than 30 days from now');
  return ms;
}
