/**
 * Guests (docs/decisions.md "Guests"): people without an account who join one meeting by its number
 * under a name they give, as participants of user_type 5. A guest is made by the server, belongs to no
 * tenant and to that one meeting only.
 */
import { randomBytes } from 'node:crypto';
import { fieldError } from '../../contract/errors.js';

export const GUEST_NAME_MAX = 64;

/** How long a guest's access token lives: a working day, since a guest cannot refresh it. */
export const GUEST_TOKEN_TTL_S = 12 * 3600;

/** Server-made guest IDs: `gu_` and 24 hex digits. */
export const newGuestId = (): string => 'gu_' + randomBytes(12).toString('hex');

/**
 * The display name a guest gave: trimmed, 1–64 characters (code points), no control characters; 99992402
 * naming `name` otherwise.
 */
export function guestName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length === 0) throw fieldError('name', 'the name must not be blank');
  if (length > GUEST_NAME_MAX) throw fieldError('name', `the name must be at most ${GUEST_NAME_MAX} characters`, name);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw fieldError('name', 'the name must not contain control characters');
  return name;
}
