import type { Logger } from 'pino';
import type { JobRunner } from '../../jobs/runner.js';
import type { MeetingService } from '../../domain/meeting/meeting.service.js';
import { MEETING_JOB } from '../../domain/meeting/meeting-effects.js';

interface MeetingJobPayload {
  tenantKey: string;
  meetingId: string;
  key?: string;
}

/** Durable meeting jobs: end a meeting left empty, stop an unanswered invitation ringing. */
export function registerMeetingJobs(jobs: JobRunner, meetings: MeetingService): void {
  jobs.register(MEETING_JOB.endIfEmpty, async (payload) => {
    const p = payload as MeetingJobPayload;
    await meetings.endIfEmpty(p.tenantKey, p.meetingId);
  });
  jobs.register(MEETING_JOB.ringTimeout, async (payload) => {
    const p = payload as MeetingJobPayload;
    if (p.key) await meetings.ringTimeout(p.tenantKey, p.meetingId, p.key);
  });
}

/**
 * Sessions that stop heartbeating leave their meeting. The sweep reads the store, so sessions left open
 * by a process that died are swept by whichever process runs next.
 */
export function startSessionSweeper(meetings: MeetingService, logger: Logger, everyMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    meetings
      .dropStaleSessions()
      .then((n) => {
        if (n > 0) logger.info({ sessions: n }, 'dropped sessions that stopped heartbeating');
      })
      .catch((err: unknown) => logger.warn({ err }, 'session sweep failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
