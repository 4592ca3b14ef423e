/**
 * Who is calling: an app acting in its tenant, a user through an app, a user signed in to one of the
 * server's own pages (`page`: the participant protocol and the player accept it, the Open API does not),
 * or a guest of one meeting (no app: `appId` is empty; only the participant protocol's session calls
 * accept guests).
 */
export interface Principal {
  kind: 'tenant' | 'user' | 'page' | 'guest';
  appId: string;
  tenantKey: string;
  /** The app's enabled scopes. */
  appScopes: readonly string[];
  /** user and page tokens: the tenant-level user_id; user tokens: the scopes the user granted */
  userId?: string;
  grantedScopes?: readonly string[];
  /** guest tokens only: the one meeting the guest was admitted to and the name they gave (userId is the guest ID) */
  guest?: GuestPass;
}

export interface GuestPass {
  meetingId: string;
  name: string;
}
