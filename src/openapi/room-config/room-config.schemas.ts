import { Type, type Static } from '@sinclair/typebox';
import { UserIdTypeParam } from '../../domain/identity/user-ids.js';
import { RoomConfigIn, RoomConfigOut } from '../scope-config/scope-config.schemas.js';

/**
 * Request and response shapes of the legacy room_config API, named as the SDK names them (scope_config.md
 * §5.3). Which address fields a scope needs, and its range, are the domain's (121003 rather than 99992402).
 */

const AddressId = (what: string) => Type.Optional(Type.String({ maxLength: 100, description: what }));

const Address = {
  scope: Type.Integer({ description: '1 tenant, 2 country/region, 3 city, 4 building, 5 floor, 6 room' }),
  country_id: AddressId('scope 2, 3: a room level ID'),
  district_id: AddressId('scope 3: a room level ID below country_id'),
  building_id: AddressId('scope 4, 5: a room level ID'),
  floor_name: Type.Optional(Type.String({ maxLength: 255, description: 'scope 5: the name of a child level of building_id' })),
  room_id: AddressId('scope 6: a room ID'),
};

export const QueryQuery = Type.Object({ ...Address, user_id_type: UserIdTypeParam });
export const SetQuery = Type.Object({ user_id_type: UserIdTypeParam });
export const SetBody = Type.Object({ ...Address, room_config: RoomConfigIn });
export const AccessCodeBody = Type.Object({ ...Address, valid_day: Type.Integer({ description: 'days the code stays valid: 1, 7 or 30' }) });
export const DelBody = Type.Object({
  ...Address,
  config: Type.String({ maxLength: 1000, description: 'the sections to clear, comma-separated: room_background, display_background, digital_signage, room_box_digital_signage, room_status' }),
});

export const QueryData = RoomConfigOut;
export const AccessCodeData = Type.Object({ access_code: Type.String() });

export type SetBodyT = Static<typeof SetBody>;
