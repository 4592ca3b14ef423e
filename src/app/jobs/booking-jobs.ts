import type { JobRunner } from '../../jobs/runner.js';
import { BOOKING_JOB, type BookingService, type NoCheckInPayload } from '../../domain/booking/booking.service.js';

/**
 * Durable booking jobs: a booking nobody checked in is released at its check-in deadline. The job is
 * written with the booking's change, so a restart loses nothing; a job that runs late or twice is harmless.
 */
export function registerBookingJobs(jobs: JobRunner, bookings: BookingService): void {
  jobs.register(BOOKING_JOB.noCheckIn, async (payload) => {
    const p = payload as NoCheckInPayload;
    await bookings.releaseUnchecked(p.tenant_key, p.booking_id);
  });
}
