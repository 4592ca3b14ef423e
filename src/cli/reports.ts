import { Command, Option } from 'commander';
import { Progress } from '../simulate/progress.js';
import { storeOptions, withRuntime } from './options.js';

export function reportsCommand(): Command {
  const rebuild = storeOptions(
    new Command('rebuild').description('recompute the report rollups from the meeting history and the admin dashboard\'s rollups from the sessions (after an upgrade, or to repair them); run it while no server uses the store'),
  )
    .addOption(new Option('--tenant <key>', 'only this tenant [every tenant]'))
    .action(async (opts: Record<string, unknown>) => {
      await withRuntime(opts, async (rt) => {
        const started = performance.now();
        let progress: Progress | undefined;
        const { rebuildReports } = await import('../domain/report/rebuild.js');
        const s = await rebuildReports(rt.store.db, rt.repos, {
          ...(typeof opts.tenant === 'string' ? { tenantKey: opts.tenant } : {}),
          onStart: (total) => (progress = new Progress({ total, unit: 'meetings' })),
          onProgress: (done) => progress?.update(done),
        });
        progress?.finish();
        const seconds = (performance.now() - started) / 1000;
        console.log(`rebuilt the reports of ${s.tenants} tenant(s) from ${s.meetings} ended meetings, and their dashboards from ${s.sessions} sessions, in ${seconds.toFixed(1)} s`);
      });
    });
  return new Command('reports').description('report rollups behind /open-apis/vc/v1/reports/* and the admin dashboard').addCommand(rebuild);
}
