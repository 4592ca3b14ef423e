import type { Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Times are unix milliseconds (bigint columns, parsed to
 * numbers); lists are JSON text.
 */
export interface TenantTable {
  tenant_key: string;
  name: string;
  created_at: number;
}

export interface DepartmentTable {
  tenant_key: string;
  department_id: string;
  open_department_id: string;
  name: string;
  parent_department_id: string | null;
}

export interface UserTable {
  tenant_key: string;
  user_id: string;
  union_id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  employee_no: string | null;
  /** 'active' | 'resigned' | 'frozen' */
  status: string;
  created_at: number;
  /** 1: an administrator of the tenant (troubleshooter pages, the admin console) */
  is_admin: Generated<number>;
}

export interface UserDepartmentTable {
  tenant_key: string;
  user_id: string;
  department_id: string;
  position: number;
}

export interface AppTable {
  app_id: string;
  tenant_key: string;
  app_secret: string;
  name: string;
  /** JSON array of scope names */
  scopes: string;
  /** JSON array of the redirect URIs the authorize page may send a code to (exact match) */
  redirect_uris: string;
  created_at: number;
}

export interface AppEventSettingsTable {
  app_id: string;
  tenant_key: string;
  request_url: string | null;
  verification_token: string | null;
  encrypt_key: string | null;
  /** JSON array of event types */
  event_types: string;
}

export interface OpenIdTable {
  open_id: string;
  app_id: string;
  tenant_key: string;
  user_id: string;
}

export interface TokenTable {
  /** sha256 of the token; the token itself is never stored */
  token_hash: string;
  /** Random id; tenant tokens are derived from it so that one can be handed out again (auth.md §2) */
  id: string;
  /** 'tenant' | 'user' | 'refresh' | 'code' */
  kind: string;
  /** 'v1' (historic OIDC, u-/ur- tokens) | 'v2' (OAuth v2/v3, JWT-shaped) */
  flavor: string;
  app_id: string;
  tenant_key: string;
  user_id: string | null;
  /** JSON array of scopes the user granted (user, refresh and code kinds) */
  scopes: string | null;
  /** When the user's consent was given; refresh is refused a year later */
  granted_at: number | null;
  /** JSON object of kind-specific facts (a code's redirect_uri and PKCE challenge) */
  meta: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** Failed credential guesses of one key (0024); `failures` counts since the row was last quiet for a window. */
export interface GuessCounterTable {
  key: string;
  failures: number;
  /** ms; 0 when not locked */
  locked_until: number;
  /** ms of the last failure */
  updated_at: number;
}

export interface JobTable {
  id: string;
  kind: string;
  /** Scheduling the same key again moves the pending job instead of adding one */
  dedupe_key: string | null;
  /** JSON */
  payload: string;
  run_at: number;
  /** 'pending' | 'running' | 'done' | 'failed' */
  status: string;
  attempts: number;
  /** A running job whose lease passed (its process died) is claimed again */
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** A cluster-wide rate-limit window: calls leased by every process for one limit key (migration 0031). */
export interface ConsoleRequestTable {
  tenant_key: string;
  request_id: string;
  /** the action's JSON result; null while it runs */
  result: string | null;
  created_at: number;
}

export interface RateWindowTable {
  key: string;
  window_start: number;
  count: number;
}

/** A process carrying media in a cluster, written by itself only (migration 0038). */
export interface MediaNodeTable {
  id: string;
  /** internal http(s) URL other processes relay signalling sockets to */
  address: string;
  /** HMAC over id and address with the cluster key: rows the node did not write do not verify */
  signature: string;
  /** most peers it takes */
  capacity: number;
  /** peers it carries now */
  load: number;
  started_at: number;
  heartbeat_at: number;
}

/** Which node carries a meeting's media; changed by compare-and-set on `version` (migration 0038). */
export interface MediaAssignmentTable {
  tenant_key: string;
  meeting_id: string;
  node_id: string;
  version: number;
  assigned_at: number;
}

export interface MeetingTable {
  id: string;
  tenant_key: string;
  reserve_id: string | null;
  meeting_no: string;
  /** meeting_no while the meeting is not over (unique), NULL after */
  live_no: string | null;
  topic: string;
  password: string;
  source: number;
  owner_user_id: string;
  /** JSON array of tenant user_ids */
  assigned_hosts: string;
  status: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  host_key: string | null;
  locked: number;
  participant_limit: number;
  peak: number;
  accumulated: number;
  /** JSON meeting_ability */
  ability: string;
  sharing_key: string | null;
  next_seq: number;
  version: number;
  recording: number;
  auto_record: number;
}

export interface MeetingParticipantTable {
  meeting_id: string;
  key: string;
  tenant_key: string;
  user_id: string | null;
  user_type: number;
  participant_tenant_key: string | null;
  name: string | null;
  status: number;
  first_join_at: number | null;
  final_leave_at: number | null;
  in_meeting_ms: number;
  joined_at: number | null;
  is_cohost: number;
  session_id: string | null;
  seq: number;
  may_host: number;
}

export interface ParticipantSessionTable {
  id: string;
  meeting_id: string;
  tenant_key: string;
  participant_key: string;
  user_id: string | null;
  app_id: string | null;
  /** JSON device facts the client reported */
  device: string;
  joined_at: number;
  last_seen_at: number;
  left_at: number | null;
  leave_reason: string | null;
  /** the address the session's join came from, as the server saw it */
  public_ip: string | null;
  /** 1 once the session turned its microphone, camera or screen share on */
  used_audio: number;
  used_video: number;
  used_share: number;
}

export interface QualitySampleTable {
  session_id: string;
  minute: number;
  meeting_id: string;
  tenant_key: string;
  sample: string;
}

export interface OutboxEventTable {
  seq: Generated<number>;
  event_id: string;
  tenant_key: string;
  event_type: string;
  meeting_id: string | null;
  created_at: number;
  /** JSON: the event body with tenant user_ids; rendered per app at delivery */
  payload: string;
}

export interface ClientEventTable {
  seq: Generated<number>;
  tenant_key: string;
  user_id: string | null;
  session_id: string | null;
  type: string;
  created_at: number;
  payload: string;
}

/** The meeting chat: messages, reactions, raised hands (migration 0034). */
export interface MeetingChatTable {
  seq: Generated<number>;
  tenant_key: string;
  meeting_id: string;
  sender_key: string;
  sender_name: string;
  kind: string;
  content: string;
  created_at: number;
}

export interface ReserveTable {
  /** 19-digit numeric string */
  id: string;
  tenant_key: string;
  /** The app that made the reserve: with a tenant token only that app may manage it */
  app_id: string;
  /** Tenant user_id of the owner */
  owner_user_id: string;
  /** The reserve's 9-digit number, kept after expiry for display */
  meeting_no: string;
  /** meeting_no while the reserve holds it, NULL once released; UNIQUE, so no two live reserves share a number */
  live_meeting_no: string | null;
  /** '' = no password */
  password: string;
  end_time: number;
  /** JSON reserve_meeting_setting without the password; user IDs as tenant user_ids */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface EventDeliveryTable {
  /** `<event_id>:<app_id>` */
  id: string;
  outbox_seq: number;
  event_id: string;
  event_type: string;
  app_id: string;
  tenant_key: string;
  /** 'pending' | 'delivered' | 'failed' */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  /** the dispatcher (one per process start) whose claim `locked_until` is */
  claimed_by: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface DeliveryAttemptTable {
  delivery_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface RoomLevelTable {
  tenant_key: string;
  /** `omb_` + 32 hex; the tenant root's is derived from the tenant key */
  room_level_id: string;
  name: string;
  /** lower-cased name, for case-insensitive search and ordering */
  name_key: string;
  /** '' for the tenant root */
  parent_id: string;
  /** Materialised path, the level itself included: '/<root>/<a>/<b>/' */
  tree_path: string;
  /** 0 for the root */
  depth: number;
  /** Tenant-defined ID, unique per tenant */
  custom_group_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomTable {
  /** Row number; names the room in the SQLite trigram index */
  seq: Generated<number>;
  tenant_key: string;
  /** `omm_` + 32 hex */
  room_id: string;
  name: string;
  name_key: string;
  capacity: number;
  description: string | null;
  /** `LM` + 9 digits, unique per tenant */
  display_id: string;
  /** Tenant-defined ID, unique per tenant */
  custom_room_id: string | null;
  room_level_id: string;
  /** Disable window in unix ms: none when disable_start is NULL, permanent when disable_end is NULL */
  disable_start: number | null;
  disable_end: number | null;
  /** JSON: disable_reason, contact user_ids (tenant), disable_notice, resume_notice */
  status_info: string;
  /** JSON array of `{name}` */
  devices: string;
  created_at: number;
  updated_at: number;
}

export interface RoomBookingTable {
  /** `rb_` + 32 hex */
  id: string;
  tenant_key: string;
  room_id: string;
  /** Tenant user_id of the person the room is booked for */
  organizer_user_id: string;
  /** The app the booking was made through: with a tenant token only that app may cancel it */
  app_id: string;
  topic: string;
  start_time: number;
  end_time: number;
  /** 'pending' | 'confirmed' | 'released' | 'cancelled' | 'rejected' (src/domain/booking/values.ts) */
  status: string;
  /** 1 when the booking had to wait for approval */
  needs_approval: number;
  /** When it was approved or rejected, and by which app */
  decided_at: number | null;
  decided_by_app_id: string | null;
  /** The reason given with a rejection */
  decision_note: string | null;
  /** Released unless checked in by then; NULL: no check-in needed */
  check_in_deadline: number | null;
  checked_in_at: number | null;
  /** 'sign_in_board' | 'qr_code' | 'controller' | 'touch_panel' | 'offline_auto' */
  check_in_method: string | null;
  /** When a released or cancelled booking stopped holding the room */
  released_at: number | null;
  /** 'manual' | 'meeting_ended' | 'no_check_in' | 'sensor' (released bookings only) */
  release_reason: string | null;
  /** Who released or cancelled it by hand; NULL when an app or the server did */
  released_by_user_id: string | null;
  /** The meeting the booking is for: given when booking, or the one the room joined */
  meeting_no: string | null;
  meeting_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomBookingLevelTable {
  tenant_key: string;
  room_level_id: string;
  /** 1: bookings of rooms at or below this level wait for approval */
  needs_approval: number;
  updated_at: number;
}

/** One section of a level's or room's own settings (scope_config, reserve_configs). */
export interface ScopeConfigTable {
  tenant_key: string;
  /** a level (`omb_…`) or a room (`omm_…`) */
  scope_id: string;
  /** e.g. 'digital_signage', 'time_config' */
  section: string;
  /** JSON; users as tenant user_ids, departments as department_ids */
  value: string;
  updated_at: number;
}

/** A deployment code of a level or room (scope_config/access_code). */
export interface ScopeAccessCodeTable {
  /** unique across tenants: a device redeems it without naming one */
  code: string;
  tenant_key: string;
  /** 1 level, 2 room */
  scope_type: number;
  scope_id: string;
  expires_at: number;
  created_at: number;
}

export interface ExportTaskTable {
  /** 19-digit numeric string (export.md §1) */
  task_id: string;
  tenant_key: string;
  /** the app the task was created through */
  app_id: string;
  /** the creating user (user token); NULL when an app created it with a tenant token */
  user_id: string | null;
  /** 'meeting_list' | 'participant_list' | 'participant_quality_list' */
  kind: string;
  /** JSON: the checked query, the caller's ID type and display time zone */
  params: string;
  /** export.md §6: 1 in progress, 2 failed, 3 done */
  status: number;
  fail_msg: string | null;
  /** set when done; opaque, the download's key */
  file_token: string | null;
  file_name: string | null;
  file_size: number | null;
  rows_done: number;
  /** known once the export started counting */
  rows_total: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** when the file stops being downloadable */
  expires_at: number | null;
}

/** An export's file, in order, in pieces of about a MiB (so every process of a PostgreSQL setup can serve it). */
export interface ExportFileChunkTable {
  task_id: string;
  seq: number;
  data: Buffer;
}

/** One tenant's meetings of one day (src/domain/report/usage.ts); `day` is the unix second it begins. */
export interface ReportDayTable {
  tenant_key: string;
  day: number;
  meeting_count: number;
  meeting_duration_s: number;
  participant_count: number;
}

/** One tenant's participant sessions of one day by a device fact (`field`: type, network_type) and its value (src/domain/report/console-rollup.ts). */
export interface ConsoleMixDayTable {
  tenant_key: string;
  day: number;
  field: string;
  kind: string;
  sessions: number;
}

/** One tenant's quality samples of one day, each figure's counts by bucket (src/domain/report/quality-histogram.ts `encodeHistogram`). */
export interface ConsoleQualityDayTable {
  tenant_key: string;
  day: number;
  samples: number;
  loss: string;
  jitter: string;
  bitrate: string;
}

/** Sessions that were in the store before the dashboard rollups (migration 0040), still to be rolled up by the backfill job. */
export interface ConsoleRollupBacklogTable {
  session_id: string;
  /** 1 when the session had ended: its samples are counted too (an open one's are, when it ends) */
  quality: number;
}

/** One user's (or room's) meetings over a span of 1, 2, 4 … 256 days from `first_day` (unix seconds). */
export interface ReportUserSpanTable {
  tenant_key: string;
  span_days: number;
  first_day: number;
  /** 1 a user of the tenant, 2 a room */
  user_type: number;
  user_id: string;
  /** rooms only (users are named by the directory) */
  name: string | null;
  meeting_count: number;
  duration_s: number;
}

/** One recording segment of a meeting (a start … stop) and the state of its file. */
export interface RecordingTable {
  /** 19 digits, time-ordered */
  id: string;
  tenant_key: string;
  meeting_id: string;
  /** the last path segment of the player URL (`/minutes/<url_token>`) */
  url_token: string;
  /** 'recording' | 'processing' | 'ready' | 'failed' */
  status: string;
  started_at: number;
  ended_at: number | null;
  /** who started it (NULL: auto_record) */
  started_by_user_id: string | null;
  /** the host when it started: may always watch it */
  host_user_id: string | null;
  /** the start request's `timezone` (hours from UTC) */
  timezone: number | null;
  /** where the capture writes the raw tracks */
  raw_dir: string;
  /** the composed MP4, once ready */
  file_path: string | null;
  file_size: number | null;
  duration_ms: number | null;
  fail_reason: string | null;
  created_at: number;
  updated_at: number;
  ready_at: number | null;
}

/** Who may watch a meeting's recordings besides its owner and hosts: a user, the whole tenant, anyone. */
export interface RecordingPermissionTable {
  tenant_key: string;
  meeting_id: string;
  /** 'user' | 'tenant' | 'public' */
  kind: string;
  /** the tenant user_id for 'user'; '' otherwise */
  user_id: string;
  granted_by_user_id: string;
  granted_at: number;
}

export interface UserPasswordTable {
  tenant_key: string;
  user_id: string;
  /** PHC string: `$scrypt$ln=…,r=…,p=…$<salt>$<hash>` (src/domain/auth/passwords.ts) */
  password_hash: string;
  updated_at: number;
}

export interface SignInSessionTable {
  /** SHA-256 (hex) of the cookie's token */
  token_hash: string;
  tenant_key: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface SignInInvitationTable {
  /** SHA-256 (hex) of the link's token */
  token_hash: string;
  tenant_key: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OidcSignInTable {
  /** SHA-256 (hex) of the `state` sent upstream */
  state_hash: string;
  tenant_key: string;
  /** where the browser goes once signed in (a path on this server) */
  next: string;
  code_verifier: string;
  nonce: string;
  expires_at: number;
}

/** Versions of cached read areas per tenant, bumped by triggers (migration 0036, src/store/read-cache.ts). */
export interface CacheVersionTable {
  tenant_key: string;
  area: string;
  version: number;
}

export interface Database {
  tenants: TenantTable;
  departments: DepartmentTable;
  users: UserTable;
  user_departments: UserDepartmentTable;
  apps: AppTable;
  app_event_settings: AppEventSettingsTable;
  open_ids: OpenIdTable;
  tokens: TokenTable;
  settings: SettingTable;
  jobs: JobTable;
  reserves: ReserveTable;
  meetings: MeetingTable;
  rate_windows: RateWindowTable;
  console_requests: ConsoleRequestTable;
  media_nodes: MediaNodeTable;
  media_assignments: MediaAssignmentTable;
  meeting_participants: MeetingParticipantTable;
  participant_sessions: ParticipantSessionTable;
  quality_samples: QualitySampleTable;
  outbox_events: OutboxEventTable;
  client_events: ClientEventTable;
  meeting_chat: MeetingChatTable;
  event_deliveries: EventDeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  room_levels: RoomLevelTable;
  rooms: RoomTable;
  cache_versions: CacheVersionTable;
  room_bookings: RoomBookingTable;
  room_booking_levels: RoomBookingLevelTable;
  scope_configs: ScopeConfigTable;
  scope_access_codes: ScopeAccessCodeTable;
  export_tasks: ExportTaskTable;
  export_file_chunks: ExportFileChunkTable;
  report_days: ReportDayTable;
  report_user_spans: ReportUserSpanTable;
  console_mix_days: ConsoleMixDayTable;
  console_quality_days: ConsoleQualityDayTable;
  console_rollup_backlog: ConsoleRollupBacklogTable;
  recordings: RecordingTable;
  recording_permissions: RecordingPermissionTable;
  user_passwords: UserPasswordTable;
  sign_in_sessions: SignInSessionTable;
  sign_in_invitations: SignInInvitationTable;
  oidc_sign_ins: OidcSignInTable;
  guess_counters: GuessCounterTable;
}
