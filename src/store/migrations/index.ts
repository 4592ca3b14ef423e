import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as jobs from './0002-jobs.js';
import * as reserves from './0003-reserves.js';
import * as meetings from './0004-meetings.js';
import * as mayHost from './0005-participant-may-host.js';
import * as recording from './0006-meeting-recording.js';
import * as deliveries from './0007-event-deliveries.js';
import * as rooms from './0008-rooms.js';
import * as claimIndexes from './0009-delivery-claim-indexes.js';
import * as reportRollups from './0010-report-rollups.js';
import * as exportsMigration from './0011-exports.js';
import * as scopeConfigs from './0012-scope-configs.js';
import * as roomBookings from './0013-room-bookings.js';
import * as recordings from './0014-recordings.js';
import * as deliveryClaimer from './0020-delivery-claimer.js';
import * as roomLevelNames from './0021-room-level-names.js';
import * as signIn from './0022-sign-in.js';
import * as redirectUris from './0023-redirect-uris.js';
import * as throttle from './0024-throttle.js';
import * as adminRole from './0029-admin-role.js';
import * as rateWindows from './0031-rate-windows.js';
import * as metricsIndexes from './0032-metrics-indexes.js';
import * as meetingChat from './0034-meeting-chat.js';
import * as consoleRequests from './0035-console-requests.js';
import * as cacheVersions from './0036-cache-versions.js';
import * as mediaNodes from './0038-media-nodes.js';
import * as dashboardRollups from './0040-dashboard-rollups.js';

/** Every migration, in order. One set for both dialects; a dialect-specific step says so where it is. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-jobs': jobs,
  '0003-reserves': reserves,
  '0004-meetings': meetings,
  '0005-participant-may-host': mayHost,
  '0006-meeting-recording': recording,
  '0007-event-deliveries': deliveries,
  '0008-rooms': rooms,
  '0009-delivery-claim-indexes': claimIndexes,
  '0010-report-rollups': reportRollups,
  '0011-exports': exportsMigration,
  '0012-scope-configs': scopeConfigs,
  '0013-room-bookings': roomBookings,
  '0014-recordings': recordings,
  '0020-delivery-claimer': deliveryClaimer,
  '0021-room-level-names': roomLevelNames,
  '0022-sign-in': signIn,
  '0023-redirect-uris': redirectUris,
  '0024-throttle': throttle,
  '0029-admin-role': adminRole,
  '0031-rate-windows': rateWindows,
  '0032-metrics-indexes': metricsIndexes,
  '0034-meeting-chat': meetingChat,
  '0035-console-requests': consoleRequests,
  '0036-cache-versions': cacheVersions,
  '0038-media-nodes': mediaNodes,
  '0040-dashboard-rollups': dashboardRollups,
};
