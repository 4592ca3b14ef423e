/**
 * A reserve expires at its end_time (reserve.md): its meeting number is released and expire_status
 * becomes 2. A durable job does the release, scheduled in the transaction that sets the end_time; until
 * it runs, a reserve past its end_time already reads as expired and its number is free to take.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { JobRepository } from '../../store/repositories/job.repository.js';
import type { ReserveRepository, ReserveRow } from '../../store/repositories/reserve.repository.js';

export const EXPIRE_JOB = 'reserve.expire';
export const expireJobKey = (reserveId: string): string => `${EXPIRE_JOB}:${reserveId}`;

export const EXPIRE_STATUS = { live: 1, expired: 2 } as const;

interface ExpirePayload {
  tenant_key: string;
  reserve_id: string;
}

export function expireStatus(r: Pick<ReserveRow, 'live_meeting_no' | 'end_time'>, now: number): 1 | 2 {
  return r.live_meeting_no !== null && r.end_time > now ? EXPIRE_STATUS.live : EXPIRE_STATUS.expired;
}

/** (Re)schedules the release for the reserve's end_time; one pending job per reserve. */
export async function scheduleExpiry(jobs: JobRepository, trx: Kysely<Database>, r: Pick<ReserveRow, 'tenant_key' | 'id' | 'end_time'>, now: number): Promise<void> {
  const payload: ExpirePayload = { tenant_key: r.tenant_key, reserve_id: r.id };
  await jobs.schedule({ kind: EXPIRE_JOB, payload, runAt: r.end_time, dedupeKey: expireJobKey(r.id) }, trx, now);
}

export async function cancelExpiry(jobs: JobRepository, trx: Kysely<Database>, reserveId: string): Promise<void> {
  await jobs.cancel(expireJobKey(reserveId), trx);
}

/**
 * Runs one expiry job: releases the reserve's number unless it was deleted or renewed since the job was
 * scheduled (its new job will come). Idempotent. Returns whether the reserve was released.
 */
export async function expireReserve(reserves: ReserveRepository, payload: unknown, now: number): Promise<boolean> {
  const p = payload as ExpirePayload;
  const r = await reserves.forTenant(p.tenant_key).find(p.reserve_id);
  if (!r || r.end_time > now) return false;
  await reserves.forTenant(p.tenant_key).release(p.reserve_id, now);
  return true;
}

/** Who an expiry job names, for the work that follows a release. */
export function expiredReserveOf(payload: unknown): { tenantKey: string; reserveId: string } {
  const p = payload as ExpirePayload;
  return { tenantKey: p.tenant_key, reserveId: p.reserve_id };
}
