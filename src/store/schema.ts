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
}
