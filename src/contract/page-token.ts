import { fieldError } from './errors.js';

/**
 * Opaque page tokens (common.md §7). A token wraps the cursor a list query continues from; clients must
 * not read it, and a token that does not decode is a 99992402 on `page_token`.
 */
export function encodePageToken(cursor: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** What a list's cursors hold: each key's type as its query needs it (`integer`: a safe integer, as bigint columns take). */
export type CursorShape = Record<string, 'integer' | 'string'>;
export type CursorOf<S extends CursorShape> = { [K in keyof S]: S[K] extends 'integer' ? number : string };

/**
 * The cursor in `token`, which must hold exactly the keys of `shape` with its types. A token is opaque but
 * not trusted: a forged or another list's cursor would otherwise reach the database as a value its
 * column cannot take (PostgreSQL: `invalid input syntax for type bigint` for 1.5 or 1e300).
 */
export function decodePageToken<S extends CursorShape>(token: string | undefined, shape: S): CursorOf<S> | undefined {
  if (token === undefined || token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (isCursor(parsed, shape)) return parsed;
  throw fieldError('page_token', 'page_token is invalid or expired; omit it to start from the first page', token);
}

function isCursor<S extends CursorShape>(value: unknown, shape: S): value is CursorOf<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  if (entries.length !== Object.keys(shape).length) return false;
  return entries.every(([k, v]) => {
    const type = Object.hasOwn(shape, k) ? shape[k] : undefined;
    // NUL characters cannot be query parameters (PostgreSQL rejects NUL in text)
    if (type === 'string') return typeof v === 'string' && !v.includes('\u0000');
    return type === 'integer' && Number.isSafeInteger(v);
  });
}
