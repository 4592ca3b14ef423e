import { randomInt } from 'node:crypto';
import { apiError } from '../../contract/errors.js';

const PASSWORD = /^\d{4,9}$/;

/**
 * The password of a reserve whose request left it out. Feishu lets the owner's personal settings decide,
 * which may assign a random one; openvc always does, with 6 digits (decisions.md).
 */
export const randomPassword = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** A password sent by the client (reserve.md): `""` means none, 4–9 digits set it, anything else is 123006. */
export function checkPassword(given: string): string {
  if (given === '' || PASSWORD.test(given)) return given;
  throw apiError('invalidPassword', 'invalid password: the password must be 4 to 9 digits, or "" for none');
}
