import type * as lark from '@larksuiteoapi/node-sdk';
import { ok } from './sdk.js';

/** Creates a room level through the SDK; answers its ID. */
export const createLevel = async (client: lark.Client, name: string, parent: string): Promise<string> =>
  (await ok(client.vc.roomLevel.create({ data: { name, parent_id: parent } }))).room_level!.room_level_id!;

/** Creates a room for 8 through the SDK; answers its ID. */
export const createRoom = async (client: lark.Client, name: string, levelId: string): Promise<string> =>
  (await ok(client.vc.room.create({ data: { name, capacity: 8, room_level_id: levelId } }))).room!.room_id!;
