/**
 * Who is calling: an app acting in its tenant, a user through an app, or a guest of one meeting (no app:
 * `appId` is empty; only the participant protocol's session calls accept guests).
 */
export interface Principal {
  kind: 'tenant' | 'user' | 'guest';
  appId: string;
  tenantKey: string;
  /** The app's enabled scopes. */
  appScopes: readonly string[];
  /** user tokens only: the tenant-level user_id and the scopes the user granted */
  userId?: string;
  grantedScopes?: readonly string[];
  /** guest tokens only: the one meeting the guest was admitted to and the name they gave (userId is the guest ID) */
  guest?: GuestPass;
}

export interface GuestPass {
  meetingId: string;
  name: string;
}
