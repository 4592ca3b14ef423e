import type { RouteModule } from '../http/routes.js';
import { tenantTokenRoutes } from './auth/tenant-token.routes.js';
import { oidcRoutes } from './auth/oidc.routes.js';
import { oauthRoutes } from './auth/oauth.routes.js';
import { userInfoRoutes } from './auth/user-info.routes.js';
import { contactUserRoutes } from './contact/users.routes.js';
import { meetingRoutes } from './meeting/meeting.routes.js';
import { recordingRoutes } from './recording/recording.routes.js';
import { reserveRoutes } from './reserve/reserves.routes.js';
import { roomRoutes } from './room/rooms.routes.js';
import { roomLevelRoutes } from './room_level/room-levels.routes.js';
import { scopeConfigRoutes } from './scope_config/scope-config.routes.js';
import { reserveConfigRoutes } from './reserve_config/reserve-config.routes.js';
import { roomConfigRoutes } from './room_config/room-config.routes.js';
import { exportRoutes } from './export/export.routes.js';
import { meetingDataRoutes } from './meeting-data/meeting-data.routes.js';
import { reportRoutes } from './report/report.routes.js';

/** Every Open API route module, one per resource folder. */
export const openApiRoutes: RouteModule[] = [tenantTokenRoutes, oidcRoutes, oauthRoutes, userInfoRoutes, contactUserRoutes, reserveRoutes, meetingRoutes, recordingRoutes, roomRoutes, roomLevelRoutes, scopeConfigRoutes, reserveConfigRoutes, roomConfigRoutes, reportRoutes, exportRoutes, meetingDataRoutes];
