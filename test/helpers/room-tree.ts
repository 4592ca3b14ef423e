import type * as lark from '@larksuiteoapi/node-sdk';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { ok } from './sdk.js';

/** Creates a room level through the SDK; answers its ID. */
export const createLevel = async (client: lark.Client, name: string, parent: string): Promise<string> =>
  (await ok(client.vc.roomLevel.create({ data: { name, parent_id: parent } }))).room_level!.room_level_id!;

/** Creates a room for 8 through the SDK; answers its ID. */
export const createRoom = async (client: lark.Client, name: string, levelId: string): Promise<string> =>
  (await ok(client.vc.room.create({ data: { name, capacity: 8, room_level_id: levelId } }))).room!.room_id!;

/** The rows of the room-config tables and the rooms' status, to prove that refused requests changed nothing. */
export async function configSnapshot(db: Kysely<Database>) {
  const configs = await db.selectFrom('scope_configs').select(['tenant_key', 'scope_id', 'section', 'value']).orderBy('scope_id').orderBy('section').execute();
  const rooms = await db.selectFrom('rooms').select(['room_id', 'disable_start', 'disable_end', 'status_info']).orderBy('room_id').execute();
  const codes = await db.selectFrom('scope_access_codes').select('code').orderBy('code').execute();
  return { configs, rooms, codes };
}
