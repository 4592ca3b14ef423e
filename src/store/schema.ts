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

/** One tenant's meetings of one day (src/domain/report/usage.ts); `day` is the unix second it begins. */
export interface ReportDayTable {
  tenant_key: string;
  day: number;
  meeting_count: number;
  meeting_duration_s: number;
  participant_count: number;
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
  meeting_participants: MeetingParticipantTable;
  participant_sessions: ParticipantSessionTable;
  quality_samples: QualitySampleTable;
  outbox_events: OutboxEventTable;
  client_events: ClientEventTable;
  event_deliveries: EventDeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  report_days: ReportDayTable;
  report_user_spans: ReportUserSpanTable;
}
