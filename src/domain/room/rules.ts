/**
 * Value rules of rooms and levels. The spec publishes no limits (room.md §4); these keep rows and search
 * keys bounded. Breaking one is 121003 naming the field; types were checked by the route schema.
 */
import { apiError } from '../../contract/errors.js';

export const MAX_NAME_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_CUSTOM_ID_LENGTH = 100;
export const MAX_CAPACITY = 100_000;
export const MAX_DEVICES = 100;
/** mget, custom-ID lookups */
export const MAX_BATCH = 100;

export const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);

export function checkName(value: string, field = 'name'): string {
  if (value.trim() === '') throw paramError(`${field} must not be empty`);
  if (value.length > MAX_NAME_LENGTH) throw paramError(`${field} must be at most ${MAX_NAME_LENGTH} characters`);
  return value;
}

/** The lower-cased name rows are searched and ordered by. */
export const nameKey = (name: string): string => name.toLowerCase();

/**
 * A tenant-defined ID. "" means none. Level search splits its query on commas and trims the parts, so an
 * ID with a comma or surrounding spaces could never be found: refused.
 */
export function checkCustomId(value: string | undefined, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (value.length > MAX_CUSTOM_ID_LENGTH) throw paramError(`${field} must be at most ${MAX_CUSTOM_ID_LENGTH} characters`);
  if (value.includes(',') || value.trim() !== value) throw paramError(`${field} must not contain commas or leading or trailing spaces`);
  return value;
}

export function checkCapacity(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CAPACITY) throw paramError(`capacity must be an integer from 1 to ${MAX_CAPACITY}`);
  return value;
}

export function checkDescription(value: string): string {
  if (value.length > MAX_DESCRIPTION_LENGTH) throw paramError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  return value;
}

export function checkDevices(devices: { name: string }[]): { name: string }[] {
  if (devices.length > MAX_DEVICES) throw paramError(`device holds at most ${MAX_DEVICES} entries`);
  // Only `name` is kept: the SDK's device type has no other field.
  return devices.map((d, i) => ({ name: checkName(d.name, `device[${i}].name`) }));
}

/** A batch of IDs: at most MAX_BATCH, duplicates once, in the order given. */
export function checkBatch(ids: readonly string[], field: string): string[] {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_BATCH) throw paramError(`${field} holds at most ${MAX_BATCH} IDs`);
  return unique;
}

/** `custom_level_ids` is one string, comma-separated (room_level.md §3.7); blanks are dropped. */
export const splitCustomIds = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

