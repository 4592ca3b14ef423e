import type { JobRunner } from '../../jobs/runner.js';
import { EXPORT_JOB, type ExportService } from '../../export/export.service.js';

/**
 * Export jobs: writing a task's file, and deleting expired files and old tasks. They run on a runner of
 * their own (see openRuntime), so that a long export does not hold up meeting and reserve jobs.
 */
export function registerExportJobs(jobs: JobRunner, exports: ExportService): void {
  jobs.register(
    EXPORT_JOB.run,
    async (payload, _job, lease) => exports.run((payload as { task_id: string }).task_id, lease),
    // Out of attempts (the store kept failing): the task says so instead of staying "in progress".
    async (payload, error) => exports.fail((payload as { task_id: string }).task_id, `the export failed: ${error}`),
  );
  jobs.register(EXPORT_JOB.expire, async (payload) => exports.expire(payload as Parameters<ExportService['expire']>[0]));
}
