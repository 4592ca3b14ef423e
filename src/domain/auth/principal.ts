/** Who is calling: an app acting in its tenant, or a user through an app. */
export interface Principal {
  kind: 'tenant' | 'user';
  appId: string;
  tenantKey: string;
  /** The app's enabled scopes. */
  appScopes: readonly string[];
  /** user tokens only: the tenant-level user_id and the scopes the user granted */
  userId?: string;
  grantedScopes?: readonly string[];
}
