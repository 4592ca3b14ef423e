import type { JobRunner } from '../../jobs/runner.js';
import type { ReserveRepository } from '../../store/repositories/reserve.repository.js';
import { EXPIRE_JOB, expireReserve, expiredReserveOf } from '../../domain/reserve/expiry.js';

/** A reserve's number is released at its end_time by a durable job (domain/reserve/expiry.ts); `onExpired` follows a release. */
export function registerReserveJobs(
  rt: { jobs: JobRunner; repos: { reserves: ReserveRepository } },
  onExpired: (tenantKey: string, reserveId: string) => Promise<void> = async () => undefined,
): void {
  rt.jobs.register(EXPIRE_JOB, async (payload) => {
    if (!(await expireReserve(rt.repos.reserves, payload, Date.now()))) return;
    const { tenantKey, reserveId } = expiredReserveOf(payload);
    await onExpired(tenantKey, reserveId);
  });
}
