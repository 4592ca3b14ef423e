import { randomInt } from 'node:crypto';
import { timeOrderedId } from '../ids.js';

/** A reserve id in Feishu's shape (see timeOrderedId). */
export const newReserveId = timeOrderedId;

/** 9 digits, no leading zero, never 9xxxxxxxx (instant meetings draw from there): what people type to join. */
export const randomMeetingNo = (): string => String(randomInt(100_000_000, 900_000_000));

/** The short code of a reserve's live link: its id in base 36 (13 characters), so the link needs no storage. */
export const liveCode = (reserveId: string): string => BigInt(reserveId).toString(36);
