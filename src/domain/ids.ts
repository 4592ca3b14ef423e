import { createHash, randomBytes } from 'node:crypto';

/**
 * Identity derivation. open_id is per app, union_id per tenant, open_department_id per tenant; all are
 * derived from stable keys so that re-seeding or rebuilding a store yields the same IDs (auth.md §6).
 */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export const deriveOpenId = (appId: string, tenantKey: string, userId: string): string =>
  'ou_' + digest('open_id', appId, tenantKey, userId);

export const deriveUnionId = (tenantKey: string, userId: string): string => 'on_' + digest('union_id', tenantKey, userId);

export const deriveOpenDepartmentId = (tenantKey: string, departmentId: string): string =>
  'od-' + digest('open_department_id', tenantKey, departmentId);

/** Feishu log id: yyyyMMddHHmmss (UTC) + 20 upper-case hex chars, e.g. 202407260711088FB107A76E0100002087. */
export function newLogId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');
