/**
 * Catalogue of every Open API method openvc serves.
 *
 * Values (paths, token kinds, scopes, rate limits) come from /work/shared/spec/*.md. Where the spec says a value is
 * unpublished or unconfirmed, the entry carries a `//` comment saying which value was chosen.
 *
 * Order: resources in the order of the spec README (auth, reserve, meeting, recording, room, room_level,
 * scope_config [+ reserve_config, room_config], report, export), then the order of each spec file. The two contact
 * methods are not covered by any spec file; they sit next to auth (user identities, auth.md §6).
 */

/**
 * `guest`: a guest's token (docs/decisions.md "Guests"); `page`: the credential the meeting page and the
 * recording player sign in to ("Meeting-page credential"). Only participant protocol calls accept them.
 */
export type TokenKind = 'tenant' | 'user' | 'page' | 'guest';

/** Both ceilings apply when both are set; `{}` = no published limit. */
export interface RateLimit {
  perMinute?: number;
  perSecond?: number;
}

export interface MethodSpec {
  /** Stable id: '<resource>.<sdkMethodName>', e.g. 'reserve.apply', 'meetingRecording.setPermission'. */
  id: string;
  /** e.g. 'reserve', 'meeting', 'recording', 'room', 'room_level', 'scope_config', 'reserve_config', 'report', 'export', 'auth', 'contact'. */
  resource: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify style path, e.g. '/open-apis/vc/v1/reserves/:reserve_id'. */
  path: string;
  /** Short English summary. */
  summary: string;
  /** Token kinds accepted; empty for the token-issuing endpoints (no bearer, or an app/tenant token as in auth.md). */
  tokens: TokenKind[];
  /** Any one of these suffices; [] if none. */
  scopes: string[];
  /** Field-level scopes, e.g. ['contact:user.employee_id:readonly']. */
  fieldScopes: string[];
  /** Published rate limit; `{}` = special / unpublished. */
  rateLimit: RateLimit;
  /** Spec file name, e.g. 'reserve.md'. */
  spec: string;
  /** The SDK call, e.g. 'client.vc.reserve.apply', when known. */
  sdk?: string;
  /** True for methods the spec marks "beyond the seed". */
  beyondSeed?: boolean;
}

const EMPLOYEE_ID = 'contact:user.employee_id:readonly';

export const methods: readonly MethodSpec[] = [
  // ---------------------------------------------------------------------------------------------------------------
  // auth (auth.md)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'auth.tenantAccessTokenInternal',
    resource: 'auth',
    method: 'POST',
    path: '/open-apis/auth/v3/tenant_access_token/internal', // a trailing slash is also accepted (observed)
    summary: 'Get a tenant_access_token for a custom app',
    tokens: [], // no Authorization header
    scopes: [],
    fieldScopes: [],
    rateLimit: {}, // unpublished: the spec gives no limit for the auth/v3 token endpoints
    spec: 'auth.md',
    sdk: 'client.auth.tenantAccessToken.internal',
  },
  {
    id: 'auth.appAccessTokenInternal',
    resource: 'auth',
    method: 'POST',
    path: '/open-apis/auth/v3/app_access_token/internal',
    summary: 'Get an app_access_token for a custom app',
    tokens: [], // no Authorization header
    scopes: [],
    fieldScopes: [],
    rateLimit: {}, // unpublished: the spec gives no limit for the auth/v3 token endpoints
    spec: 'auth.md',
    sdk: 'client.auth.appAccessToken.internal',
  },
  {
    id: 'auth.oauthV2Token',
    resource: 'auth',
    method: 'POST',
    path: '/open-apis/authen/v2/oauth/token',
    summary: 'Exchange an authorization code or refresh token for a user_access_token (OAuth v2)',
    tokens: [], // no Authorization header; client_id/client_secret in the body
    scopes: [],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // common.md §6: OAuth/authen token APIs
    spec: 'auth.md',
    // no typed SDK call: the SDK's client.accessToken uses /oauth/v3/token instead
  },
  {
    id: 'auth.oidcAccessToken',
    resource: 'auth',
    method: 'POST',
    path: '/open-apis/authen/v1/oidc/access_token',
    summary: 'Exchange an authorization code for a user_access_token (historic OIDC)',
    tokens: [], // Bearer app_access_token per doc; the SDK sends the tenant token: accept either (auth.md §5.3)
    scopes: [],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // common.md §6: OAuth/authen token APIs
    spec: 'auth.md',
    sdk: 'client.authen.oidcAccessToken.create',
  },
  {
    id: 'auth.oidcRefreshAccessToken',
    resource: 'auth',
    method: 'POST',
    path: '/open-apis/authen/v1/oidc/refresh_access_token',
    summary: 'Refresh a user_access_token (historic OIDC)',
    tokens: [], // Bearer app_access_token per doc; the SDK sends the tenant token: accept either (auth.md §5.3)
    scopes: [],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // common.md §6: OAuth/authen token APIs
    spec: 'auth.md',
    sdk: 'client.authen.oidcRefreshAccessToken.create',
  },
  {
    id: 'auth.userInfo',
    resource: 'auth',
    method: 'GET',
    path: '/open-apis/authen/v1/user_info',
    summary: "Get the profile of the user_access_token's user",
    tokens: ['user'],
    scopes: [], // unconfirmed: the spec names no scope for user_info
    fieldScopes: [EMPLOYEE_ID], // unconfirmed: assumed because the profile carries user_id (auth.md §6)
    rateLimit: {}, // unpublished: the spec gives no limit for user_info
    spec: 'auth.md',
    sdk: 'client.authen.userInfo.get',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // contact (no spec file; values from the project brief; user ID types in auth.md §6)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'contact.user.get',
    resource: 'contact',
    method: 'GET',
    path: '/open-apis/contact/v3/users/:user_id',
    summary: 'Get a user',
    tokens: ['tenant', 'user'],
    scopes: [
      'contact:contact.base:readonly',
      'contact:contact:readonly_as_app',
      'contact:contact:readonly',
      'contact:user.base:readonly',
    ],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'auth.md', // not described by any spec file; values from the project brief
    sdk: 'client.contact.user.get',
  },
  {
    id: 'contact.user.batchGetId',
    resource: 'contact',
    method: 'POST',
    path: '/open-apis/contact/v3/users/batch_get_id',
    summary: 'Get user IDs by mobile number or email',
    tokens: ['tenant'],
    scopes: ['contact:user.id:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'auth.md', // not described by any spec file; values from the project brief
    sdk: 'client.contact.user.batchGetId',
  },
  {
    id: 'contact.user.findByDepartment',
    resource: 'contact',
    method: 'GET',
    path: '/open-apis/contact/v3/users/find_by_department',
    summary: "List a department's direct members",
    tokens: ['tenant', 'user'],
    scopes: [
      'contact:contact.base:readonly',
      'contact:contact:readonly_as_app',
      'contact:contact:readonly',
      'contact:department.organize:readonly',
    ],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'auth.md', // not described by any spec file; the Feishu contact v3 page
    sdk: 'client.contact.user.findByDepartment',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // reserve (reserve.md)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'reserve.apply',
    resource: 'reserve',
    method: 'POST',
    path: '/open-apis/vc/v1/reserves/apply',
    summary: 'Reserve a meeting',
    tokens: ['tenant', 'user'],
    scopes: ['vc:reserve'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'reserve.md',
    sdk: 'client.vc.reserve.apply',
  },
  {
    id: 'reserve.update',
    resource: 'reserve',
    method: 'PUT',
    path: '/open-apis/vc/v1/reserves/:reserve_id',
    summary: 'Update a reserve',
    tokens: ['tenant', 'user'],
    scopes: ['vc:reserve'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'reserve.md',
    sdk: 'client.vc.reserve.update',
  },
  {
    id: 'reserve.delete',
    resource: 'reserve',
    method: 'DELETE',
    path: '/open-apis/vc/v1/reserves/:reserve_id',
    summary: 'Delete a reserve',
    tokens: ['tenant', 'user'],
    scopes: ['vc:reserve'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'reserve.md',
    sdk: 'client.vc.reserve.delete',
  },
  {
    id: 'reserve.get',
    resource: 'reserve',
    method: 'GET',
    path: '/open-apis/vc/v1/reserves/:reserve_id',
    summary: 'Get a reserve',
    tokens: ['tenant', 'user'],
    scopes: ['vc:reserve:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'reserve.md',
    sdk: 'client.vc.reserve.get',
  },
  {
    id: 'reserve.getActiveMeeting',
    resource: 'reserve',
    method: 'GET',
    path: '/open-apis/vc/v1/reserves/:reserve_id/get_active_meeting',
    summary: "Get a reserve's active meeting",
    tokens: ['tenant', 'user'],
    scopes: ['vc:reserve:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'reserve.md',
    sdk: 'client.vc.reserve.getActiveMeeting',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // meeting (meeting.md)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'meeting.get',
    resource: 'meeting',
    method: 'GET',
    path: '/open-apis/vc/v1/meetings/:meeting_id',
    summary: 'Get meeting details',
    tokens: ['tenant', 'user'],
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
    fieldScopes: [EMPLOYEE_ID, 'vc:meeting.artifact.note:read', 'vc:meeting.artifact.verbatim:read'],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.get',
  },
  {
    id: 'meeting.listByNo',
    resource: 'meeting',
    method: 'GET',
    path: '/open-apis/vc/v1/meetings/list_by_no',
    summary: 'List meetings associated with a meeting number',
    tokens: ['tenant', 'user'],
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingid:read'],
    fieldScopes: [],
    rateLimit: { perMinute: 100 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.listByNo',
  },
  {
    id: 'meeting.invite',
    resource: 'meeting',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/invite',
    summary: 'Invite participants to a meeting',
    tokens: ['user'],
    scopes: ['vc:meeting'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.invite',
  },
  {
    id: 'meeting.kickout',
    resource: 'meeting',
    method: 'POST',
    path: '/open-apis/vc/v1/meetings/:meeting_id/kickout',
    summary: 'Remove participants from a meeting',
    tokens: ['tenant'],
    scopes: ['vc:meeting'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.kickout',
  },
  {
    id: 'meeting.setHost',
    resource: 'meeting',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/set_host',
    summary: 'Set the meeting host',
    tokens: ['tenant', 'user'],
    scopes: ['vc:meeting'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.setHost',
  },
  {
    id: 'meeting.end',
    resource: 'meeting',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/end',
    summary: 'End a meeting',
    tokens: ['user'], // docs: user only; tenant-token (app operator) support is unconfirmed
    scopes: ['vc:meeting'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.end',
  },
  {
    id: 'meeting.list',
    resource: 'meeting',
    method: 'GET',
    path: '/open-apis/vc/v1/meetings',
    summary: "List the tenant's meetings in a time span, optionally those a room took part in",
    tokens: ['tenant'], // unconfirmed: not in the spec; tenant token, as the other tenant-wide lists (docs/decisions.md)
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the meeting methods' limit
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.list',
    beyondSeed: true,
  },
  {
    id: 'meeting.search',
    resource: 'meeting',
    method: 'POST',
    path: '/open-apis/vc/v1/meetings/search',
    summary: 'Search meeting records by keyword, people, rooms and time',
    tokens: ['tenant', 'user'], // unconfirmed: a user sees the meetings they took part in (docs/decisions.md)
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the meeting methods' limit
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.search',
    beyondSeed: true,
  },
  {
    id: 'meeting.changeName',
    resource: 'meeting',
    method: 'POST',
    path: '/open-apis/vc/v1/meetings/:meeting_id/change_name',
    summary: "Change participants' in-meeting names",
    tokens: ['tenant'], // unconfirmed: an app acts on a meeting as with kickout
    scopes: ['vc:meeting'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the meeting methods' limit
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.changeName',
    beyondSeed: true,
  },
  {
    id: 'meeting.subscription',
    resource: 'meeting',
    method: 'POST',
    path: '/open-apis/vc/v1/meetings/subscription',
    summary: "Subscribe to the calling user's meeting events",
    tokens: ['user'], // the SDK's description: events of the current user's identity
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the meeting methods' limit
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.subscription',
    beyondSeed: true,
  },
  {
    id: 'meeting.unsubscription',
    resource: 'meeting',
    method: 'POST',
    path: '/open-apis/vc/v1/meetings/unsubscription',
    summary: "Unsubscribe from the calling user's meeting events",
    tokens: ['user'],
    scopes: ['vc:meeting:readonly', 'vc:meeting.meetingevent:read'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the meeting methods' limit
    spec: 'meeting.md',
    sdk: 'client.vc.meeting.unsubscription',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // recording (recording.md)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'meetingRecording.start',
    resource: 'recording',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/recording/start',
    summary: 'Start recording a meeting',
    tokens: ['user'], // docs: user only; tenant-token (app operator) support is unconfirmed
    scopes: ['vc:record'],
    fieldScopes: [],
    rateLimit: {}, // special rate limit (特殊频控), numbers unpublished
    spec: 'recording.md',
    sdk: 'client.vc.meetingRecording.start',
  },
  {
    id: 'meetingRecording.stop',
    resource: 'recording',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/recording/stop',
    summary: 'Stop recording a meeting',
    tokens: ['user'], // docs: user only; tenant-token (app operator) support is unconfirmed
    scopes: ['vc:record'],
    fieldScopes: [],
    rateLimit: {}, // special rate limit (特殊频控), numbers unpublished
    spec: 'recording.md',
    sdk: 'client.vc.meetingRecording.stop',
  },
  {
    id: 'meetingRecording.get',
    resource: 'recording',
    method: 'GET',
    path: '/open-apis/vc/v1/meetings/:meeting_id/recording',
    summary: 'Get the recording file of a meeting',
    tokens: ['tenant', 'user'],
    scopes: ['vc:record:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'recording.md',
    sdk: 'client.vc.meetingRecording.get',
  },
  {
    id: 'meetingRecording.setPermission',
    resource: 'recording',
    method: 'PATCH',
    path: '/open-apis/vc/v1/meetings/:meeting_id/recording/set_permission',
    summary: 'Grant or revoke access to a recording file',
    tokens: ['user'],
    scopes: ['vc:record'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'recording.md',
    sdk: 'client.vc.meetingRecording.setPermission',
  },
  {
    id: 'recording.subscription',
    resource: 'recording',
    method: 'POST',
    path: '/open-apis/vc/v1/recordings/subscription',
    summary: "Subscribe to the calling user's recording events",
    tokens: ['user'],
    scopes: ['vc:record:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the recording methods' limit
    spec: 'recording.md',
    sdk: 'client.vc.recording.subscription',
    beyondSeed: true,
  },
  {
    id: 'recording.unsubscription',
    resource: 'recording',
    method: 'POST',
    path: '/open-apis/vc/v1/recordings/unsubscription',
    summary: "Unsubscribe from the calling user's recording events",
    tokens: ['user'],
    scopes: ['vc:record:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the recording methods' limit
    spec: 'recording.md',
    sdk: 'client.vc.recording.unsubscription',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // room (room.md)
  // Tokens: CN 2024 docs + MCP say tenant only (search: user only); the Lark EN 2023 edition lists tenant or user.
  // room.md §1.1 suggests accepting both kinds on every method except search.
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'room.list',
    resource: 'room',
    method: 'GET',
    path: '/open-apis/vc/v1/rooms',
    summary: 'List rooms under a room level',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room.md',
    sdk: 'client.vc.room.list',
  },
  {
    id: 'room.get',
    resource: 'room',
    method: 'GET',
    path: '/open-apis/vc/v1/rooms/:room_id',
    summary: 'Get a room',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room.md',
    sdk: 'client.vc.room.get',
  },
  {
    id: 'room.mget',
    resource: 'room',
    method: 'POST',
    path: '/open-apis/vc/v1/rooms/mget',
    summary: 'Batch get rooms',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room.md',
    sdk: 'client.vc.room.mget',
  },
  {
    id: 'room.create',
    resource: 'room',
    method: 'POST',
    path: '/open-apis/vc/v1/rooms',
    summary: 'Create a room',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 20 },
    spec: 'room.md',
    sdk: 'client.vc.room.create',
  },
  {
    id: 'room.patch',
    resource: 'room',
    method: 'PATCH',
    path: '/open-apis/vc/v1/rooms/:room_id',
    summary: 'Update a room',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 20 },
    spec: 'room.md',
    sdk: 'client.vc.room.patch',
  },
  {
    id: 'room.delete',
    resource: 'room',
    method: 'DELETE',
    path: '/open-apis/vc/v1/rooms/:room_id',
    summary: 'Delete a room',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: { perMinute: 20 },
    spec: 'room.md',
    sdk: 'client.vc.room.delete',
  },
  {
    id: 'room.search',
    resource: 'room',
    method: 'POST',
    path: '/open-apis/vc/v1/rooms/search',
    summary: 'Search rooms the calling user may book',
    tokens: ['user'], // all sources agree: user only (room.md suggests loosening only if a test needs it)
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room.md',
    sdk: 'client.vc.room.search',
  },
  {
    id: 'alert.list',
    resource: 'room',
    method: 'GET',
    path: '/open-apis/vc/v1/alerts',
    summary: "List room device alerts: a room's device going offline, and its recovery",
    tokens: ['tenant'], // unconfirmed: a tenant's device alerts are an administrator's view
    scopes: ['vc:room:readonly', 'vc:room'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 }, // unpublished: the room methods' limit
    spec: 'room.md',
    sdk: 'client.vc.alert.list',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // room_level (room_level.md)
  // Tokens: CN 2024 docs + MCP say tenant only; the Lark EN 2023 edition lists tenant or user for del and the other
  // write methods, and room_level.md suggests accepting both there.
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'roomLevel.list',
    resource: 'room_level',
    method: 'GET',
    path: '/open-apis/vc/v1/room_levels',
    summary: 'List the child levels of a room level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.list',
  },
  {
    id: 'roomLevel.get',
    resource: 'room_level',
    method: 'GET',
    path: '/open-apis/vc/v1/room_levels/:room_level_id',
    summary: "Get a room level ('0' = tenant root)",
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.get',
  },
  {
    id: 'roomLevel.mget',
    resource: 'room_level',
    method: 'POST',
    path: '/open-apis/vc/v1/room_levels/mget',
    summary: 'Batch get room levels',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.mget',
  },
  {
    id: 'roomLevel.create',
    resource: 'room_level',
    method: 'POST',
    path: '/open-apis/vc/v1/room_levels',
    summary: 'Create a room level',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: { perMinute: 20 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.create',
  },
  {
    id: 'roomLevel.patch',
    resource: 'room_level',
    method: 'PATCH',
    path: '/open-apis/vc/v1/room_levels/:room_level_id',
    summary: 'Update a room level',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: { perMinute: 20 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.patch',
  },
  {
    id: 'roomLevel.del',
    resource: 'room_level',
    method: 'POST',
    path: '/open-apis/vc/v1/room_levels/del',
    summary: 'Delete a room level',
    tokens: ['tenant', 'user'], // CN docs: tenant only; user also accepted (see section note)
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: { perMinute: 20 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.del',
  },
  {
    id: 'roomLevel.search',
    resource: 'room_level',
    method: 'GET',
    path: '/open-apis/vc/v1/room_levels/search',
    summary: 'Find room levels by custom level IDs',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'room_level.md',
    sdk: 'client.vc.roomLevel.search',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // scope_config (scope_config.md §1–3, plus §5.1 access code)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'scopeConfig.create',
    resource: 'scope_config',
    method: 'POST',
    path: '/open-apis/vc/v1/scope_config',
    summary: 'Set the configuration of a room or room level',
    tokens: ['tenant', 'user'], // CN docs: tenant only; Lark EN 2023 lists tenant or user; spec suggests both
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 20 },
    spec: 'scope_config.md',
    sdk: 'client.vc.scopeConfig.create',
  },
  {
    id: 'scopeConfig.get',
    resource: 'scope_config',
    method: 'GET',
    path: '/open-apis/vc/v1/scope_config',
    summary: 'Get the effective and original configuration of a room or room level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 1000, perSecond: 50 },
    spec: 'scope_config.md',
    sdk: 'client.vc.scopeConfig.get',
  },
  {
    id: 'scopeConfig.accessCode',
    resource: 'scope_config',
    method: 'POST',
    path: '/open-apis/vc/v1/scope_config/access_code',
    summary: 'Create a deployment access code for a room or check-in board',
    tokens: ['tenant'],
    scopes: ['vc:room'], // unconfirmed: spec suggests vc:room
    fieldScopes: [],
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.scopeConfig.accessCode',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // reserve_config (scope_config.md §5.2, beyond the seed)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'reserveConfig.reserveScope',
    resource: 'reserve_config',
    method: 'GET',
    path: '/open-apis/vc/v1/reserve_configs/reserve_scope',
    summary: 'Get the booking configuration (approval, time, reserve scope) of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfig.reserveScope',
    beyondSeed: true,
  },
  {
    id: 'reserveConfig.patch',
    resource: 'reserve_config',
    method: 'PATCH',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id',
    summary: 'Update the booking configuration (approval, time, reserve scope) of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfig.patch',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigForm.get',
    resource: 'reserve_config',
    method: 'GET',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/form',
    summary: 'Get the booking form configuration of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigForm.get',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigForm.patch',
    resource: 'reserve_config',
    method: 'PATCH',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/form',
    summary: 'Update the booking form configuration of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigForm.patch',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigAdmin.get',
    resource: 'reserve_config',
    method: 'GET',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/admin',
    summary: 'Get the booking administrators of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigAdmin.get',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigAdmin.patch',
    resource: 'reserve_config',
    method: 'PATCH',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/admin',
    summary: 'Update the booking administrators of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigAdmin.patch',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigDisableInform.get',
    resource: 'reserve_config',
    method: 'GET',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/disable_inform',
    summary: 'Get the room-disable notification configuration of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigDisableInform.get',
    beyondSeed: true,
  },
  {
    id: 'reserveConfigDisableInform.patch',
    resource: 'reserve_config',
    method: 'PATCH',
    path: '/open-apis/vc/v1/reserve_configs/:reserve_config_id/disable_inform',
    summary: 'Update the room-disable notification configuration of a room or level',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'scope_config.md',
    sdk: 'client.vc.reserveConfigDisableInform.patch',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // room_config: legacy fixed-level room configs (scope_config.md §5.3, beyond the seed)
  // Token: tenant (§5 header). Only the access-code endpoints have a documented scope (vc:room).
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'roomConfig.query',
    resource: 'room_config',
    method: 'GET',
    path: '/open-apis/vc/v1/room_configs/query',
    summary: 'Query a legacy (fixed-level) room configuration',
    tokens: ['tenant'],
    scopes: ['vc:room', 'vc:room:readonly'], // unconfirmed: assumed as for scope_config get
    fieldScopes: [EMPLOYEE_ID], // unconfirmed: assumed because it takes user_id_type
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.roomConfig.query',
    beyondSeed: true,
  },
  {
    id: 'roomConfig.set',
    resource: 'room_config',
    method: 'POST',
    path: '/open-apis/vc/v1/room_configs/set',
    summary: 'Set a legacy (fixed-level) room configuration',
    tokens: ['tenant'],
    scopes: ['vc:room'], // unconfirmed: assumed as for scope_config create
    fieldScopes: [EMPLOYEE_ID], // unconfirmed: assumed because it takes user_id_type
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.roomConfig.set',
    beyondSeed: true,
  },
  {
    id: 'roomConfig.setRoomAccessCode',
    resource: 'room_config',
    method: 'POST',
    path: '/open-apis/vc/v1/room_configs/set_room_access_code',
    summary: 'Create a Feishu Rooms deployment access code (legacy)',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.roomConfig.setRoomAccessCode',
    beyondSeed: true,
  },
  {
    id: 'roomConfig.setCheckboardAccessCode',
    resource: 'room_config',
    method: 'POST',
    path: '/open-apis/vc/v1/room_configs/set_checkboard_access_code',
    summary: 'Create a check-in board deployment access code (legacy)',
    tokens: ['tenant'],
    scopes: ['vc:room'],
    fieldScopes: [],
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.roomConfig.setCheckboardAccessCode',
    beyondSeed: true,
  },
  {
    id: 'roomConfig.del',
    resource: 'room_config',
    method: 'POST',
    path: '/open-apis/vc/v1/room_configs/del',
    summary: 'Delete a legacy (fixed-level) room configuration (SDK only, undocumented)',
    tokens: ['tenant'],
    scopes: ['vc:room'], // unconfirmed: assumed as for the other legacy writes
    fieldScopes: [],
    rateLimit: {}, // unconfirmed: no published limit
    spec: 'scope_config.md',
    sdk: 'client.vc.roomConfig.del',
    beyondSeed: true,
  },

  // ---------------------------------------------------------------------------------------------------------------
  // report (report.md)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'report.getDaily',
    resource: 'report',
    method: 'GET',
    path: '/open-apis/vc/v1/reports/get_daily',
    summary: 'Get the daily meeting usage report',
    tokens: ['tenant'],
    scopes: ['vc:report:readonly'],
    fieldScopes: [],
    rateLimit: {}, // special rate limit (特殊频控), numbers unpublished
    spec: 'report.md',
    sdk: 'client.vc.report.getDaily',
  },
  {
    id: 'report.getTopUser',
    resource: 'report',
    method: 'GET',
    path: '/open-apis/vc/v1/reports/get_top_user',
    summary: 'Get the top meeting users',
    tokens: ['tenant'],
    scopes: ['vc:report:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: {}, // special rate limit (特殊频控), numbers unpublished
    spec: 'report.md',
    sdk: 'client.vc.report.getTopUser',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // export (export.md §2–7)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'export.meetingList',
    resource: 'export',
    method: 'POST',
    path: '/open-apis/vc/v1/exports/meeting_list',
    summary: 'Export meeting details (async xlsx task)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.meetingList',
  },
  {
    id: 'export.participantList',
    resource: 'export',
    method: 'POST',
    path: '/open-apis/vc/v1/exports/participant_list',
    summary: 'Export participant details (async xlsx task)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.participantList',
  },
  {
    id: 'export.participantQualityList',
    resource: 'export',
    method: 'POST',
    path: '/open-apis/vc/v1/exports/participant_quality_list',
    summary: 'Export participant meeting-quality data (async xlsx task)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.participantQualityList',
  },
  {
    id: 'export.resourceReservationList',
    resource: 'export',
    method: 'POST',
    path: '/open-apis/vc/v1/exports/resource_reservation_list',
    summary: 'Export room reservation data (async xlsx task)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.resourceReservationList',
  },
  {
    id: 'export.get',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/exports/:task_id',
    summary: 'Get the status of an export task',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.get',
  },
  {
    id: 'export.download',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/exports/download',
    summary: 'Download an exported file',
    tokens: ['tenant', 'user'],
    scopes: ['vc:export'],
    fieldScopes: [],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.export.download',
  },

  // ---------------------------------------------------------------------------------------------------------------
  // export JSON query twins (export.md §10, beyond the seed)
  // ---------------------------------------------------------------------------------------------------------------
  {
    id: 'meetingList.get',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/meeting_list',
    summary: 'Query meeting details (paginated JSON)',
    tokens: ['tenant', 'user'],
    // both documented scopes are historical (no longer grantable); the replacement scope is not named by the docs
    scopes: ['vc:room:readonly', 'vc:rooms.room.detailinfo:read'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.meetingList.get',
    beyondSeed: true,
  },
  {
    id: 'participantList.get',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/participant_list',
    summary: 'Query participant details (paginated JSON)',
    tokens: ['tenant', 'user'],
    // both documented scopes are historical (no longer grantable); the replacement scope is not named by the docs
    scopes: ['vc:room:readonly', 'vc:rooms.room.detailinfo:read'],
    fieldScopes: [EMPLOYEE_ID], // spec: "scopes as 10.1"; field scope assumed to follow
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.participantList.get',
    beyondSeed: true,
  },
  {
    id: 'participantQualityList.get',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/participant_quality_list',
    summary: 'Query participant meeting-quality data (paginated JSON)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:room:readonly'],
    fieldScopes: [EMPLOYEE_ID],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.participantQualityList.get',
    beyondSeed: true,
  },
  {
    id: 'resourceReservationList.get',
    resource: 'export',
    method: 'GET',
    path: '/open-apis/vc/v1/resource_reservation_list',
    summary: 'Query room reservation data (paginated JSON)',
    tokens: ['tenant', 'user'],
    scopes: ['vc:room:readonly'],
    fieldScopes: [],
    rateLimit: { perMinute: 100 },
    spec: 'export.md',
    sdk: 'client.vc.resourceReservationList.get',
    beyondSeed: true,
  },
];

function buildIndex(list: readonly MethodSpec[]): ReadonlyMap<string, MethodSpec> {
  const index = new Map<string, MethodSpec>();
  for (const spec of list) {
    if (index.has(spec.id)) {
      throw new Error(`openapi catalog: duplicate method id '${spec.id}'`);
    }
    index.set(spec.id, spec);
  }
  return index;
}

export const methodById: ReadonlyMap<string, MethodSpec> = buildIndex(methods);

/** Looks up a method by id; throws if the id is not in the catalogue. */
export function methodSpec(id: string): MethodSpec {
  const spec = methodById.get(id);
  if (spec === undefined) {
    throw new Error(`openapi catalog: unknown method id '${id}'`);
  }
  return spec;
}
