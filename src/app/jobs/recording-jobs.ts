import type { JobRunner } from '../../jobs/runner.js';
import { RECORDING_JOB } from '../../recording/recording.service.js';
import type { RecordingProcessor } from '../../recording/recording-processor.js';

/**
 * Recording jobs: composing a segment's file. They run on a runner of their own (see openRuntime), so
 * that a long composition holds up no meeting job.
 */
export function registerRecordingJobs(jobs: JobRunner, processor: RecordingProcessor): void {
  jobs.register(
    RECORDING_JOB.process,
    async (payload, _job, lease) => processor.process((payload as { recording_id: string }).recording_id, lease),
    // Out of attempts (the store or the disk kept failing): the segment says so instead of staying "processing".
    async (payload, error) => processor.giveUp((payload as { recording_id: string }).recording_id, error),
  );
}
