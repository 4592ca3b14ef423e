/**
 * What one app receives: stored event bodies hold tenant user_ids (`{"$user": id}`) because the ID triple
 * differs per app; delivery renders each body for its receiving app here.
 */
import { EMPLOYEE_ID_SCOPE } from '../domain/auth/scopes.js';
import { deriveOpenId, deriveUnionId } from '../domain/ids.js';

export interface IdTriple {
  union_id: string;
  user_id?: string;
  open_id: string;
}

export type TripleOf = (userId: string, tenantKey: string) => IdTriple;

/** Replaces every stored user (`{"$user": id}`) in a body with the app's ID triple. */
export function renderBody(body: unknown, triple: TripleOf, tenantKey: string): unknown {
  if (Array.isArray(body)) return body.map((v) => renderBody(v, triple, tenantKey));
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (typeof o.$user === 'string') return triple(o.$user, typeof o.$tenant === 'string' ? o.$tenant : tenantKey);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renderBody(v, triple, tenantKey)]));
  }
  return body;
}

/**
 * An app's view of a user: open_id per app, union_id per tenant, user_id only with the field scope and
 * only for users of the app's own tenant (events.md `user_id`).
 */
export function tripleFor(app: { appId: string; tenantKey: string; scopes: readonly string[] }): TripleOf {
  const withUserId = app.scopes.includes(EMPLOYEE_ID_SCOPE);
  return (userId, tenantKey) => ({
    union_id: deriveUnionId(tenantKey, userId),
    ...(withUserId && tenantKey === app.tenantKey ? { user_id: userId } : {}),
    open_id: deriveOpenId(app.appId, tenantKey, userId),
  });
}

/** The schema 2.0 envelope one app receives (event-delivery.md §3.1). */
export function renderEvent(
  row: { event_id: string; event_type: string; created_at: number; tenant_key: string; payload: string },
  app: { appId: string; verificationToken: string },
  triple: TripleOf,
) {
  return {
    schema: '2.0',
    header: {
      event_id: row.event_id,
      event_type: row.event_type,
      create_time: String(row.created_at),
      token: app.verificationToken,
      app_id: app.appId,
      tenant_key: row.tenant_key,
      // The schema 1.0 names of the same facts, which the SDK's handler types declare beside the 2.0 ones
      // (docs/decisions.md "Fidelity to the SDK").
      ts: String(row.created_at),
      uuid: row.event_id,
      type: 'event_callback',
    },
    event: renderBody(JSON.parse(row.payload), triple, row.tenant_key),
  };
}
