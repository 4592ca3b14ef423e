import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXPORT_STATUS, type ExportTaskRow } from '../store/repositories/export.repository.js';
import { readFile } from '../export/file-store.js';
import { Progress } from '../simulate/progress.js';
import type { Runtime } from '../app/runtime.js';
import { storeOptions, withRuntime } from './options.js';

const STATUS_NAMES: Record<number, string> = { [EXPORT_STATUS.running]: 'running', [EXPORT_STATUS.failed]: 'failed', [EXPORT_STATUS.done]: 'done' };
const STATUS_OF: Record<string, number> = { running: EXPORT_STATUS.running, failed: EXPORT_STATUS.failed, done: EXPORT_STATUS.done };

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The stored parameters; shown as stored when they do not parse (such a task fails saying so). */
function paramsOf(t: ExportTaskRow): unknown {
  try {
    return JSON.parse(t.params) as unknown;
  } catch {
    return t.params;
  }
}

/** A task as the CLI shows it (the params hold the checked query). */
function view(t: ExportTaskRow) {
  return {
    task_id: t.task_id,
    kind: t.kind,
    status: STATUS_NAMES[t.status] ?? String(t.status),
    tenant_key: t.tenant_key,
    app_id: t.app_id,
    user_id: t.user_id,
    rows: t.rows_done,
    rows_total: t.rows_total,
    created_at: iso(t.created_at),
    finished_at: iso(t.finished_at),
    expires_at: iso(t.expires_at),
    file_name: t.file_name,
    file_size: t.file_size,
    fail_msg: t.fail_msg,
    params: paramsOf(t),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Polls a running task until it is over, drawing its progress (rows written of rows to write) on stderr. */
async function follow(rt: Runtime, taskId: string, pollMs: number): Promise<ExportTaskRow> {
  let bar: Progress | undefined;
  for (;;) {
    const t = await rt.repos.exports.byId(taskId);
    if (!t) throw new Error(`export task ${taskId} does not exist`);
    if (t.rows_total !== null) {
      bar ??= new Progress({ total: t.rows_total, unit: 'rows' });
      bar.update(t.rows_done);
    }
    if (t.status !== EXPORT_STATUS.running) {
      bar?.finish();
      return t;
    }
    await sleep(pollMs);
  }
}

export function exportsCommand(): Command {
  const exportsCmd = new Command('exports').description('export tasks (the vc/v1/exports API): list them, follow one, save its file');
  exportsCmd.addCommand(
    storeOptions(new Command('list').description('list export tasks, newest first'))
      .addOption(new Option('--tenant <tenant_key>', 'only this tenant'))
      .addOption(new Option('--app <app_id>', 'only tasks created through this app'))
      .addOption(new Option('--status <status>', 'only tasks in this status').choices(Object.keys(STATUS_OF)))
      .addOption(new Option('--limit <n>', 'at most this many').default(50).argParser(positive))
      .option('--json', 'print JSON lines instead of a table')
      .action(async (opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const rows = await rt.repos.exports.list(
            {
              ...(typeof opts.tenant === 'string' ? { tenantKey: opts.tenant } : {}),
              ...(typeof opts.app === 'string' ? { appId: opts.app } : {}),
              ...(typeof opts.status === 'string' ? { status: STATUS_OF[opts.status] } : {}),
            },
            Number(opts.limit),
          );
          if (opts.json) return void rows.forEach((r) => console.log(JSON.stringify(view(r))));
          if (rows.length === 0) return void console.error('no export tasks match');
          const head = ['created', 'task_id', 'kind', 'status', 'rows', 'app', 'user', 'file / failure'];
          const line = (t: ExportTaskRow) => [
            new Date(t.created_at).toISOString().replace('T', ' ').slice(0, 19),
            t.task_id,
            t.kind,
            STATUS_NAMES[t.status] ?? String(t.status),
            t.rows_total === null ? String(t.rows_done) : `${t.rows_done}/${t.rows_total}`,
            t.app_id,
            t.user_id ?? '',
            t.fail_msg ?? t.file_name ?? '',
          ];
          console.log(table([head, ...rows.map(line)]));
        }),
      ),
  );
  exportsCmd.addCommand(
    storeOptions(new Command('get').description('one task; while it runs (on a server using this store), its progress until it is over'))
      .argument('<task_id>', 'the task_id the export API returned')
      .option('--no-wait', 'print the task as it is now, without waiting for a running one')
      .option('--save <file>', 'write the exported .xlsx there (done tasks whose file has not expired)')
      .action(async (taskId: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          let task = await rt.repos.exports.byId(taskId);
          if (!task) throw new Error(`export task ${taskId} does not exist`);
          if (task.status === EXPORT_STATUS.running && opts.wait !== false) task = await follow(rt, taskId, 500);
          console.log(JSON.stringify(view(task), null, 2));
          if (typeof opts.save !== 'string') return;
          if (task.status !== EXPORT_STATUS.done) throw new Error(`export task ${taskId} is ${STATUS_NAMES[task.status]}: there is no file to save`);
          if (task.expires_at !== null && task.expires_at <= Date.now()) throw new Error(`the file of export task ${taskId} expired at ${iso(task.expires_at)}`);
          await pipeline(readFile(rt.repos.exports, taskId), createWriteStream(opts.save));
          console.error(`saved ${task.file_size ?? 0} bytes to ${opts.save}`);
        }),
      ),
  );
  return exportsCmd;
}
