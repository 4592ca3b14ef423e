import { createHash, randomInt } from 'node:crypto';
import { randomHex } from '../ids.js';

/** `GET /room_levels/0` and a `parent_id` of "0" name the tenant root (room_level.md §2). */
export const ROOT_ALIAS = '0';

export const newLevelId = (): string => 'omb_' + randomHex(16);

export const newRoomId = (): string => 'omm_' + randomHex(16);

/**
 * The tenant root's ID is derived from the tenant key, so any process can create the root the first time
 * it is needed and two that race insert the same row.
 */
export const rootLevelId = (tenantKey: string): string => 'omb_' + createHash('sha256').update(`room_level_root\u0000${tenantKey}`).digest('hex').slice(0, 32);

/** `LM` + 9 digits without a leading zero, like Feishu's `LM134742334`. */
export const randomDisplayId = (): string => `LM${randomInt(100_000_000, 1_000_000_000)}`;
