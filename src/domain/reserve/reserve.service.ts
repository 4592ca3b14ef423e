/**
 * What the reserve API does: each command checks the rules, converts user IDs outside the transaction
 * (the directory is read on its own connection), then writes the reserve and its expiry job in one.
 */
import type { Principal } from '../auth/principal.js';
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';
import type { JobRepository } from '../../store/repositories/job.repository.js';
import type { ReserveChanges, ReserveRepository, ReserveRow } from '../../store/repositories/reserve.repository.js';
import { MAX_AHEAD_MS, endTimeRule } from './end-time.js';
import { cancelExpiry, scheduleExpiry } from './expiry.js';
import { newReserveId, randomMeetingNo } from './numbers.js';
import { ownsReserve } from './ownership.js';
import { checkPassword, randomPassword } from './password.js';
import { MEETING_TYPE, checkSettings, meetingTypeOf, mergeSettings, type MeetingSettings, type MeetingSettingsInput } from './settings.js';
import { internalSettings } from './settings-ids.js';

export interface ReserveDeps {
  reserves: ReserveRepository;
  jobs: JobRepository;
}

export interface ApplyInput {
  end_time?: string;
  owner_id?: string;
  meeting_settings: MeetingSettingsInput;
}

export interface UpdateInput {
  end_time?: string;
  meeting_settings?: MeetingSettingsInput;
}

export interface Written {
  reserve: ReserveRow;
  /** assign_host_list IDs that named no active user of the tenant and were left out */
  invalidHostIds: string[];
}

const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);

export const storedSettings = (r: ReserveRow): MeetingSettings => JSON.parse(r.settings) as MeetingSettings;

export async function applyReserve(deps: ReserveDeps, p: Principal, ids: UserIdMapper, input: ApplyInput, now: number): Promise<Written> {
  const { password, ...requested } = input.meeting_settings;
  // With a user token the caller owns the reserve and owner_id is ignored (reserve.md).
  if (p.kind === 'tenant' && !input.owner_id) throw paramError('owner_id is required with a tenant_access_token');
  checkSettings(requested);
  const endTime = input.end_time !== undefined ? endTimeRule(input.end_time, now) : defaultEndTime(requested, now);
  const pwd = password === undefined ? randomPassword() : checkPassword(password);
  const owner = p.kind === 'user' ? p.userId! : await activeOwner(ids, input.owner_id!);
  const { settings, invalidHostIds } = await internalSettings(ids, requested);
  const reserve = await deps.reserves.transaction(async (trx) => {
    const row = await deps.reserves
      .forTenant(p.tenantKey, trx)
      .insert({ id: newReserveId(now), app_id: p.appId, owner_user_id: owner, password: pwd, end_time: endTime, settings: JSON.stringify(settings) }, randomMeetingNo, now);
    await scheduleExpiry(deps.jobs, trx, row, now);
    return row;
  });
  return { reserve, invalidHostIds };
}

/** end_time may only be left out for a 1v1 call; it then lasts as long as a reserve can (decisions.md). */
function defaultEndTime(s: MeetingSettings, now: number): number {
  if (meetingTypeOf(s) !== MEETING_TYPE.oneOnOne) throw paramError('end_time is required for a multi-party meeting');
  return Math.floor((now + MAX_AHEAD_MS) / 1000) * 1000;
}

async function activeOwner(ids: UserIdMapper, ownerId: string): Promise<string> {
  const user = await ids.resolve(ownerId);
  if (user.status !== 'active') throw paramError('owner_id must name an active user of the tenant');
  return user.user_id;
}

export async function updateReserve(deps: ReserveDeps, p: Principal, ids: UserIdMapper, id: string, input: UpdateInput, now: number): Promise<Written> {
  const current = await findOwnedReserve(deps, p, id);
  const { password, ...patch } = input.meeting_settings ?? {};
  checkSettings(mergeSettings(storedSettings(current), patch));
  const endTime = input.end_time !== undefined ? endTimeRule(input.end_time, now) : undefined;
  const pwd = password === undefined ? undefined : checkPassword(password);
  const { settings, invalidHostIds } = await internalSettings(ids, patch);
  const reserve = await deps.reserves.transaction(async (trx) => {
    const reserves = deps.reserves.forTenant(p.tenantKey, trx);
    // Locked and read again: another update may have committed since the checks above.
    const row = owned(await reserves.find(id, true), p);
    const merged = mergeSettings(storedSettings(row), settings);
    checkSettings(merged);
    const changes: ReserveChanges = { settings: JSON.stringify(merged) };
    if (pwd !== undefined) changes.password = pwd;
    if (endTime !== undefined) {
      changes.end_time = endTime;
      // Renewing an expired reserve: it needs a number again.
      if (row.live_meeting_no === null) await reserves.holdNumberAgain(row, randomMeetingNo, now);
      await scheduleExpiry(deps.jobs, trx, { ...row, end_time: endTime }, now);
    }
    await reserves.update(id, changes, now);
    return (await reserves.find(id))!;
  });
  return { reserve, invalidHostIds };
}

export async function deleteReserve(deps: ReserveDeps, p: Principal, id: string): Promise<void> {
  checkReserveId(id);
  await deps.reserves.transaction(async (trx) => {
    const reserves = deps.reserves.forTenant(p.tenantKey, trx);
    owned(await reserves.find(id, true), p);
    await reserves.delete(id);
    await cancelExpiry(deps.jobs, trx, id);
  });
}

/** The reserve if the caller may act on it: 121003 for an id that cannot exist, 121004 unknown, 121005 someone else's. */
export async function findOwnedReserve(deps: ReserveDeps, p: Principal, id: string): Promise<ReserveRow> {
  checkReserveId(id);
  return owned(await deps.reserves.forTenant(p.tenantKey).find(id), p);
}

function checkReserveId(id: string): void {
  if (!/^\d{1,19}$/.test(id)) throw paramError('reserve_id must be a numeric string');
}

/** Another tenant's reserve is never found (the lookup is tenant-scoped), so it is 121004 rather than 121005. */
function owned(row: ReserveRow | undefined, p: Principal): ReserveRow {
  if (!row) throw apiError('dataNotExist', 'data not exist: no such reserve');
  if (!ownsReserve(p, { tenantKey: row.tenant_key, appId: row.app_id, ownerUserId: row.owner_user_id })) {
    throw apiError('noPermission', 'no permission: only the reserve owner may do this');
  }
  return row;
}
