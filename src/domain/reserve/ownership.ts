import type { Principal } from '../auth/principal.js';

export interface Owned {
  tenantKey: string;
  appId: string;
  ownerUserId: string;
}

/**
 * Only a reserve's owner may get, update or delete it or ask for its meeting (reserve.md). A user token
 * acts for its user: the owner. A tenant token acts for its app: the app that made the reserve, in its
 * tenant (the spec leaves this unconfirmed; decisions.md).
 */
export function ownsReserve(p: Principal, r: Owned): boolean {
  if (p.tenantKey !== r.tenantKey) return false;
  return p.kind === 'user' ? p.userId === r.ownerUserId : p.appId === r.appId;
}
