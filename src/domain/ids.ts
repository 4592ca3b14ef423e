import { createHash, randomBytes } from 'node:crypto';

/**
 * Identity derivation. open_id is per app, union_id per tenant, open_department_id per tenant; all are
 * derived from stable keys so that re-seeding or rebuilding a store yields the same IDs (auth.md §6).
 */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

const openIds = new Map<string, string>();

/** Memoised (bounded): every response that names a user derives its open_id. */
export function deriveOpenId(appId: string, tenantKey: string, userId: string): string {
  const key = `${appId}\u0000${tenantKey}\u0000${userId}`;
  let id = openIds.get(key);
  if (id === undefined) {
    id = 'ou_' + digest('open_id', appId, tenantKey, userId);
    if (openIds.size >= 50_000) openIds.delete(openIds.keys().next().value as string);
    openIds.set(key, id);
  }
  return id;
}

export const deriveUnionId = (tenantKey: string, userId: string): string => 'on_' + digest('union_id', tenantKey, userId);

export const deriveOpenDepartmentId = (tenantKey: string, departmentId: string): string =>
  'od-' + digest('open_department_id', tenantKey, departmentId);

const logIdPrefix = randomBytes(4).toString('hex').toUpperCase();
let logIdCounter = 0;
let stampSecond = -1;
let stamp = '';

/**
 * Feishu log id: yyyyMMddHHmmss (UTC) + 20 upper-case hex chars, e.g. 202407260711088FB107A76E0100002087.
 * The hex part is a per-process random prefix and a counter: unique across processes without paying for
 * random bytes on every request (this runs once per request).
 */
export function newLogId(nowMs = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = new Date(second * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  }
  logIdCounter = (logIdCounter + 1) % 0x1000000000000;
  return stamp + logIdPrefix + logIdCounter.toString(16).toUpperCase().padStart(12, '0');
}

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * Feishu's numeric ids (reserves, export tasks): unix seconds in the high 32 bits and random low bits,
 * which gives a 19-digit number (e.g. 6911188411932033028) until 2043. Primary keys catch the rare repeat.
 */
export function timeOrderedId(nowMs: number): string {
  return ((BigInt(Math.floor(nowMs / 1000)) << 32n) | BigInt(randomBytes(4).readUInt32BE())).toString();
}

export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');
