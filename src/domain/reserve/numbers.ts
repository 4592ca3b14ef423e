import { randomBytes, randomInt } from 'node:crypto';

/**
 * A reserve id in Feishu's shape: unix seconds in the high 32 bits and random low bits, which gives a
 * 19-digit number (e.g. 6911188411932033028) until 2043. The primary key catches the rare repeat.
 */
export function newReserveId(nowMs: number): string {
  return ((BigInt(Math.floor(nowMs / 1000)) << 32n) | BigInt(randomBytes(4).readUInt32BE())).toString();
}

/** 9 digits, no leading zero, never 9xxxxxxxx (instant meetings draw from there): what people type to join. */
export const randomMeetingNo = (): string => String(randomInt(100_000_000, 900_000_000));

/** The short code of a reserve's live link: its id in base 36 (13 characters), so the link needs no storage. */
export const liveCode = (reserveId: string): string => BigInt(reserveId).toString(36);
