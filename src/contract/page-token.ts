import { fieldError } from './errors.js';

/**
 * Opaque page tokens (common.md §7). A token wraps the cursor a list query continues from; clients must
 * not read it, and a token that does not decode is a 99992402 on `page_token`.
 */
export function encodePageToken(cursor: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodePageToken<T extends Record<string, string | number>>(token: string | undefined, keys: (keyof T & string)[]): T | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    // NUL characters and non-finite numbers cannot be query parameters (PostgreSQL rejects NUL in text)
    const usable = (v: unknown) => (typeof v === 'string' && !v.includes('\u0000')) || (typeof v === 'number' && Number.isFinite(v));
    if (typeof parsed === 'object' && parsed !== null && keys.every((k) => usable(parsed[k]))) {
      return parsed as T;
    }
  } catch {
    // falls through to the validation error
  }
  throw fieldError('page_token', 'page_token is invalid or expired; omit it to start from the first page', token);
}
