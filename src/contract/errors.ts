/**
 * The one registry of Feishu error codes. Nothing else invents an error shape: code paths throw
 * `apiError('name', …)` and the HTTP error handler renders it as `{code, msg, data, error}`.
 *
 * `status` is the HTTP status Feishu answers with (common.md §2 and the per-resource tables).
 */
export interface ErrorDef {
  code: number;
  status: number;
  msg: string;
  /** OAuth endpoints answer flat `{code, error, error_description}` (auth.md §5.2) */
  oauth?: string;
}

export const errorDefs = {
  // Gateway: tokens, scopes, validation, rate limits (common.md §4)
  missingToken: {
    code: 99991661,
    status: 400,
    msg: 'Missing access token for authorization. Please make a request with token attached.',
  },
  invalidTenantToken: {
    code: 99991663,
    status: 400,
    msg: 'Invalid access token for authorization. Please make a request with token attached.',
  },
  invalidAppToken: { code: 99991664, status: 400, msg: 'invalid app token' },
  invalidUserToken: {
    code: 99991668,
    status: 400,
    msg: 'Invalid access token for authorization. Please make a request with token attached.',
  },
  missingScope: { code: 99991672, status: 400, msg: 'Access denied.' },
  userScopeNotGranted: {
    code: 99991679,
    status: 400,
    msg: 'Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again.',
  },
  rateLimited: { code: 99991400, status: 429, msg: 'request trigger frequency limit' },
  // Failed credential guesses (docs/operations.md): the gateway's rate-limit code, with Retry-After
  guessThrottled: { code: 99991400, status: 429, msg: 'request trigger frequency limit: too many failed attempts, try again later' },
  fieldValidation: { code: 99992402, status: 400, msg: 'field validation failed' },
  bodyTooLarge: { code: 99992402, status: 413, msg: 'field validation failed' },
  openIdsNotExist: { code: 99992351, status: 400, msg: 'these open ids not existed' },
  userIdsNotExist: { code: 99992360, status: 400, msg: 'these ids not existed' },
  openIdCrossApp: { code: 99992361, status: 400, msg: 'open_id cross app' },
  unionIdsNotExist: { code: 99992363, status: 400, msg: 'these union ids not existed' },

  // auth/v3 token endpoints answer HTTP 200 (auth.md §2)
  invalidParam: { code: 10003, status: 200, msg: 'invalid param' },
  appSecretInvalid: { code: 10014, status: 200, msg: 'app secret invalid' },

  // Historic /authen/v1 token endpoints answer HTTP 200 (auth.md §5.3)
  authenBadRequest: { code: 20001, status: 200, msg: 'bad request' },
  authenCodeInvalid: { code: 20003, status: 200, msg: 'the authorization code is invalid or has been used' },
  authenCodeExpired: { code: 20004, status: 200, msg: 'the authorization code has expired' },
  authenUserNotExist: { code: 20008, status: 200, msg: 'user does not exist' },
  authenTenantTokenInvalid: { code: 20013, status: 200, msg: 'the tenant access token is invalid' },
  authenAppTokenInvalid: { code: 20014, status: 200, msg: 'the app access token is invalid' },
  authenAppMismatch: { code: 20024, status: 200, msg: 'the code or refresh token belongs to another app' },
  authenRefreshInvalid: { code: 20026, status: 200, msg: 'the refresh token is invalid or has been used' },
  authenRedirectInvalid: { code: 20029, status: 200, msg: 'invalid redirect_uri: it is not the one the authorization request named' },
  authenBadGrantType: { code: 20036, status: 200, msg: 'unsupported grant_type' },
  authenRefreshExpired: { code: 20037, status: 200, msg: 'the refresh token has expired' },

  // OAuth v2/v3 token endpoint (auth.md §5.2)
  oauthMissingParam: { code: 20001, status: 400, msg: 'a required parameter is missing', oauth: 'invalid_request' },
  oauthClientSecret: { code: 20002, status: 400, msg: 'client secret is invalid', oauth: 'invalid_client' },
  oauthCodeNotFound: { code: 20003, status: 400, msg: 'the authorization code is not found', oauth: 'invalid_grant' },
  oauthCodeExpired: { code: 20004, status: 400, msg: 'the authorization code has expired', oauth: 'invalid_grant' },
  oauthAppNotFound: { code: 20048, status: 400, msg: 'the app does not exist', oauth: 'invalid_client' },
  oauthOtherClient: { code: 20024, status: 400, msg: 'the code or refresh token was issued to another client_id', oauth: 'invalid_grant' },
  oauthRefreshInvalid: { code: 20026, status: 400, msg: 'the refresh token is invalid', oauth: 'invalid_grant' },
  oauthGrantType: { code: 20036, status: 400, msg: 'unsupported grant_type', oauth: 'unsupported_grant_type' },
  oauthRefreshExpired: { code: 20037, status: 400, msg: 'the refresh token has expired', oauth: 'invalid_grant' },
  oauthPkce: { code: 20049, status: 400, msg: 'PKCE verification failed', oauth: 'invalid_grant' },
  oauthMalformed: { code: 20063, status: 400, msg: 'the request is malformed', oauth: 'invalid_request' },
  oauthRefreshUsed: { code: 20064, status: 400, msg: 'the refresh token has been revoked', oauth: 'invalid_grant' },
  oauthCodeUsed: { code: 20065, status: 400, msg: 'the authorization code has already been used', oauth: 'invalid_grant' },
  oauthScopeDuplicate: { code: 20067, status: 400, msg: 'the scope list contains duplicates', oauth: 'invalid_scope' },
  oauthScopeNotGranted: { code: 20068, status: 400, msg: 'the scope list contains scopes the user did not grant', oauth: 'invalid_scope' },
  oauthBothSecrets: { code: 20070, status: 400, msg: 'client_secret given both in Basic auth and in the body', oauth: 'invalid_request' },
  oauthThrottled: { code: 99991400, status: 429, msg: 'too many failed client secrets, try again later', oauth: 'temporarily_unavailable' },
  oauthRedirectMismatch: { code: 20071, status: 400, msg: 'redirect_uri does not match the authorization request', oauth: 'invalid_grant' },
  oauthRedirectMissing: { code: 20001, status: 400, msg: 'redirect_uri is required: the authorization request named one', oauth: 'invalid_request' },

  // VC business codes shared by every resource (meeting.md, reserve.md …)
  internal: { code: 121001, status: 500, msg: 'internal error' },
  notSupport: { code: 121002, status: 400, msg: 'not support' },
  paramError: { code: 121003, status: 400, msg: 'param error' },
  dataNotExist: { code: 121004, status: 404, msg: 'data not exist' },
  noPermission: { code: 121005, status: 403, msg: 'no permission' },
  dataConflict: { code: 121006, status: 409, msg: 'data conflict' },

  // openvc's own admin API (/openvc/v1/admin/…; docs/decisions.md "Admin API"): codes outside Feishu's ranges
  adminKeyInvalid: { code: 190001, status: 401, msg: 'admin key missing or wrong' },
  adminDisabled: { code: 190002, status: 403, msg: 'the admin API is off: start the server with --admin-key' },
  requestUrlRejected: { code: 190003, status: 400, msg: 'request URL rejected' },
  // the admin console's JSON calls (/admin/api/…; docs/decisions.md "Admin console")
  consoleSignedOut: { code: 190004, status: 401, msg: 'not signed in: sign in to the admin console first' },
  consoleAdminOnly: { code: 190005, status: 403, msg: 'administrators only: ask an administrator for the role (openvc user admin <user_id>)' },
  consoleCrossSite: { code: 190006, status: 403, msg: 'cross-site request refused: the console sends JSON from its own pages' },

  // openvc's room bookings (/openvc/v1/room_bookings; docs/room-bookings.md): Feishu has no booking API to copy
  bookingConflict: { code: 191001, status: 409, msg: 'room already booked for that time' },
  roomDisabled: { code: 191002, status: 400, msg: 'room disabled for that time' },
  bookingStatusUnexpected: { code: 191003, status: 400, msg: 'booking status unexpected' },

  // Rooms and room levels answer 121005 with HTTP 404 (room.md §1.4, room_level.md §1.3)
  roomNoPermission: { code: 121005, status: 404, msg: 'no permission' },
  cannotDeleteChild: { code: 125001, status: 404, msg: 'cannot delete child at this level' },

  // Booking rules of rooms and levels (scope_config.md §5.2)
  invalidScopeId: { code: 126001, status: 400, msg: 'invalid room or level id, check itself or whether the scope_type corresponds to it' },
  reserveFormNotConfigured: { code: 126002, status: 400, msg: 'reserve form is not configured' },
  notifyTimeOutOfRange: { code: 126011, status: 400, msg: 'notify time exceeds the scope to which the time unit appoints' },
  tooManySubscribers: { code: 126012, status: 400, msg: 'updated sum of userIDs and deptIDs exceed 500' },
  invalidSubscriberUsers: { code: 126013, status: 400, msg: 'some userIDs you put is invalid' },
  invalidSubscriberDepts: { code: 126014, status: 400, msg: 'some deptIDs you put is invalid' },

  // Reserve settings (reserve.md error table)
  recordParamError: { code: 123002, status: 400, msg: 'record param error' },
  assignHostExceedLimit: { code: 123003, status: 400, msg: 'assign host exceed max limit 10' },
  assignHostError: { code: 123004, status: 400, msg: 'assign host error' },
  invalidPassword: { code: 123006, status: 400, msg: 'invalid password' },
  // A wrong meeting password: 121005 as before, named apart so that the guess throttle can count it
  meetingPasswordWrong: { code: 121005, status: 403, msg: 'the meeting password is wrong' },

  // Meeting-data queries, the exports' JSON twins (export.md §10.5)
  meetingNoInvalid: { code: 126003, status: 400, msg: 'meeting number invalid (cannot smaller than 0)' },
  meetingNoLength: { code: 126004, status: 400, msg: 'meeting number length not correct (supposed to be 9)' },
  queryStartTime: { code: 126005, status: 400, msg: 'start time error (cannot larger than now or smaller than 0)' },
  queryTimeRange: { code: 126006, status: 400, msg: 'end time exceeds the longest time range from start time, or is smaller than start time' },
  userAndRoom: { code: 126007, status: 400, msg: 'userID and roomID cannot be set concurrently' },
  severalFilters: { code: 126008, status: 400, msg: 'filter condition should be set only one' },
  queryMeetingNotFound: { code: 126009, status: 400, msg: 'cannot find meeting according to the params you provide' },
  queryDeviceNotFound: { code: 126010, status: 400, msg: 'cannot find device according to the params you provide' },
  roomIdNotSupported: { code: 126015, status: 400, msg: 'not support room_id' },
  futureTimeRange: { code: 126016, status: 400, msg: 'end time cannot exceed start time for one month or smaller than start time for future schedule list' },

  // Meeting control (meeting.md)
  meetingStatusUnexpected: { code: 122001, status: 400, msg: 'meeting status unexpected' },
  meetingNotExist: { code: 122002, status: 404, msg: 'meeting not exist' },
  operatorNotInMeeting: { code: 122003, status: 400, msg: 'operator user not in meeting' },
  targetNotInMeeting: { code: 122004, status: 400, msg: 'target user not in meeting' },
  cannotOperateSelf: { code: 122005, status: 400, msg: 'cannot operate self' },
  participantLimit: { code: 122006, status: 400, msg: 'participant count reach limit' },
  calleeBusy: { code: 122007, status: 400, msg: 'callee is busy' },
  meetingLocked: { code: 122008, status: 400, msg: 'meeting is locked' },
  participantStatusUnexpected: { code: 122009, status: 400, msg: 'participant status not expected' },

  // Recordings (recording.md)
  recordProcessing: { code: 124002, status: 400, msg: 'record processing' },

  // Reports (report.md §1.2): the platform's 99992359 under a VC code; {lark_id} is the requested ID type
  invalidLarkId: { code: 122359, status: 400, msg: 'The request you send is not a valid user_id or not exists' },
} as const satisfies Record<string, ErrorDef>;

export type ErrorName = keyof typeof errorDefs;

/** A violated request field, as Feishu reports it in `error.field_violations`. */
export interface FieldViolation {
  field: string;
  value?: string;
  description: string;
}

export interface PermissionViolation {
  type: 'action_scope_required' | 'field_scope_required' | 'action_privilege_required';
  subject: string;
}

export interface ErrorDetail {
  /** Replaces the registry's message when the situation deserves a precise one. */
  msg?: string;
  fieldViolations?: FieldViolation[];
  permissionViolations?: PermissionViolation[];
  helps?: { url: string; description: string }[];
  /** Extra top-level response fields (only the token endpoints use this). */
  data?: Record<string, unknown>;
  /** Response headers the refusal carries (`Retry-After` of a throttled guess). */
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly status: number;
  readonly oauth: string | undefined;
  readonly detail: ErrorDetail;

  constructor(readonly errorName: ErrorName, detail: ErrorDetail = {}) {
    const def: ErrorDef = errorDefs[errorName];
    // An answer, not a fault: no stack trace is captured (it was the costliest part of a refused request,
    // and refused requests come in floods: rate limits, bad tokens). Unexpected errors keep theirs.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail.msg ?? def.msg);
    Error.stackTraceLimit = limit;
    this.code = def.code;
    this.status = def.status;
    this.oauth = def.oauth;
    this.detail = detail;
  }
}

export function apiError(name: ErrorName, detail?: ErrorDetail | string): ApiError {
  return new ApiError(name, typeof detail === 'string' ? { msg: detail } : detail);
}

/** 99992402 naming the offending field. */
export function fieldError(field: string, description: string, value?: unknown): ApiError {
  const violation: FieldViolation = { field, description };
  if (value !== undefined) violation.value = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError('fieldValidation', {
    msg: `field validation failed: ${field}: ${description}`,
    fieldViolations: [violation],
  });
}
