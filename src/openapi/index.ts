import type { RouteModule } from '../http/routes.js';
import { tenantTokenRoutes } from './auth/tenant-token.routes.js';
import { oidcRoutes } from './auth/oidc.routes.js';
import { oauthRoutes } from './auth/oauth.routes.js';
import { userInfoRoutes } from './auth/user-info.routes.js';
import { contactUserRoutes } from './contact/user.routes.js';
import { meetingRoutes } from './meeting/meeting.routes.js';
import { recordingRoutes } from './recording/recording.routes.js';
import { reserveRoutes } from './reserve/reserve.routes.js';
import { roomRoutes } from './room/room.routes.js';
import { roomLevelRoutes } from './room-level/room-level.routes.js';
import { scopeConfigRoutes } from './scope-config/scope-config.routes.js';
import { reserveConfigRoutes } from './reserve-config/reserve-config.routes.js';
import { roomConfigRoutes } from './room-config/room-config.routes.js';
import { exportRoutes } from './export/export.routes.js';
import { meetingDataRoutes } from './meeting-data/meeting-data.routes.js';
import { reportRoutes } from './report/report.routes.js';
import { alertRoutes } from './alert/alert.routes.js';

/** Every Open API route module, one per resource folder. */
export const openApiRoutes: RouteModule[] = [tenantTokenRoutes, oidcRoutes, oauthRoutes, userInfoRoutes, contactUserRoutes, reserveRoutes, meetingRoutes, recordingRoutes, roomRoutes, roomLevelRoutes, alertRoutes, scopeConfigRoutes, reserveConfigRoutes, roomConfigRoutes, reportRoutes, exportRoutes, meetingDataRoutes];
