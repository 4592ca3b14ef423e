import type { RouteModule } from '../http/routes.js';
import { tenantTokenRoutes } from './auth/tenant-token.routes.js';
import { oidcRoutes } from './auth/oidc.routes.js';
import { oauthRoutes } from './auth/oauth.routes.js';
import { userInfoRoutes } from './auth/user-info.routes.js';
import { contactUserRoutes } from './contact/users.routes.js';
import { meetingRoutes } from './meeting/meeting.routes.js';
import { reserveRoutes } from './reserve/reserves.routes.js';
import { reportRoutes } from './report/report.routes.js';

/** Every Open API route module, one per resource folder. */
export const openApiRoutes: RouteModule[] = [tenantTokenRoutes, oidcRoutes, oauthRoutes, userInfoRoutes, contactUserRoutes, reserveRoutes, meetingRoutes, reportRoutes];
