import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { exported, finished, protocol, sheetOf } from './helpers/exports.js';
import { JobInterrupted, JobRunner } from '../src/jobs/runner.js';
import { registerExportJobs } from '../src/app/jobs/export-jobs.js';
import type { ExportService } from '../src/export/export.service.js';
import { cliArgv } from './helpers/cli.js';

const sec = (ms: number) => String(Math.floor(ms / 1000));

/** Runs the CLI as a user would. */
function openvc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args), { env: { ...process.env, OPENVC_LOG_LEVEL: 'silent' } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Export tasks are durable jobs: a process that dies mid-export leaves its job to the next one, which
 * writes the file again from the start; a task that cannot be made fails with its reason.
 */
describe('export tasks across restarts', () => {
  const store = new TestStore();
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    await store.dispose();
  });

  it('finishes a task whose process died mid-export, fails one that cannot be made, and shows both in the CLI', async () => {
    const config = { emptyMeetingGrace: 0, rateLimit: false };
    const first = await startTestServer({ store, config });
    const acme = (await first.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const p = async (u: string) => protocol(first.url, (await first.runtime.tokens.issueUserTokens(acme, u, acme.scopes, 'v1', Date.now())).accessToken);
    const from = sec(Date.now() - 1000);
    const alice = await p('alice');
    const started = await alice.start('Before the crash', { type: 'desktop', os: 'macOS 14.5' });
    const bob = await p('bob');
    const joined = await bob.join(started.meeting.meeting_no, { type: 'web' });
    await alice.leave(started.session_id);
    await bob.leave(joined.session_id);
    await first.runtime.jobs.runDue();
    const client = first.client(fixture.acme.full);
    const data = { start_time: from, end_time: sec(Date.now() + 1000) };
    const before = await exported(client, client.vc.export.meetingList({ data }));
    expect(before.rows.map((r) => r[1])).toEqual(['会议主题', 'Before the crash']);
    const taskId = (await first.runtime.repos.exports.list({}, 1))[0]!.task_id;

    const broken = (await client.vc.export.meetingList({ data })).data!.task_id!;
    await finished(client, broken);

    // What a process killed mid-export leaves behind: the task in progress, part of a file, its job
    // claimed by a lease that has run out. And a task whose parameters cannot be read. (This server's
    // export runner stops first, so that only the next server can pick them up.)
    await first.runtime.exportJobs.stop();
    const db = first.runtime.store.db;
    await db.updateTable('export_tasks').set({ status: 1, file_token: null, expires_at: null, rows_done: 1 }).where('task_id', '=', taskId).execute();
    await db.deleteFrom('export_file_chunks').where('task_id', '=', taskId).execute();
    await db.insertInto('export_file_chunks').values({ task_id: taskId, seq: 0, data: Buffer.from('half a file') }).execute();
    await db.deleteFrom('jobs').where('kind', '=', 'export.expire').execute();
    await db.updateTable('jobs').set({ status: 'running', locked_until: Date.now() - 1, attempts: 1 }).where('dedupe_key', '=', `export.run:${taskId}`).execute();
    await db.updateTable('export_tasks').set({ status: 1, file_token: null, params: 'not json' }).where('task_id', '=', broken).execute();
    await db.updateTable('jobs').set({ status: 'pending', attempts: 0 }).where('dedupe_key', '=', `export.run:${broken}`).execute();
    await first.close();

    server = await startTestServer({ store, seed: null, config });
    const again = server.client(fixture.acme.full);
    const done = await finished(again, taskId);
    expect(done.status).toBe(3);
    const file = await again.vc.export.download({ params: { file_token: done.file_token } });
    const chunks: Buffer[] = [];
    for await (const c of file.getReadableStream()) chunks.push(c as Buffer);
    expect((await sheetOf(Buffer.concat(chunks))).rows).toEqual(before.rows);
    expect(await finished(again, broken)).toEqual({ status: 2, fail_msg: 'the task parameters are unreadable' });

    // the CLI reads the same tasks from the store, and saves a file
    const list = await openvc(['exports', 'list', '--json', ...store.cliArgs()]);
    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.task_id, r.status])).toEqual(expect.arrayContaining([[taskId, 'done'], [broken, 'failed']]));
    const out = store.file('saved.xlsx', '');
    const get = await openvc(['exports', 'get', taskId, '--save', out, ...store.cliArgs()]);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ task_id: taskId, kind: 'meeting_list', status: 'done', rows: 1, rows_total: 1 });
    expect((await sheetOf(readFileSync(out))).rows).toEqual(before.rows);
    const failed = await openvc(['exports', 'get', broken, '--save', out, ...store.cliArgs()]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/is failed: there is no file/);
  }, 60_000);

  it('gives a job back without spending an attempt when its runner stops mid-way', async () => {
    const rt = server!.runtime;
    const runner = new JobRunner(rt.repos.jobs, pino({ level: 'silent' }), { pollMs: 10 });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    runner.register('test.long', async (_payload, _job, lease) => {
      started();
      while (!lease.stopping()) await new Promise((r) => setTimeout(r, 5));
      throw new JobInterrupted('stopping');
    });
    await rt.repos.jobs.schedule({ kind: 'test.long', payload: {}, runAt: Date.now(), dedupeKey: 'test.long:1' });
    runner.start();
    await running;
    await runner.stop();
    expect(await rt.repos.jobs.byKey('test.long:1')).toMatchObject({ status: 'pending', attempts: 0, locked_until: null });
  });

  it('fails an export task whose job ran out of attempts, with the last error', async () => {
    const rt = server!.runtime;
    const client = server!.client(fixture.acme.full);
    const taskId = (await client.vc.export.meetingList({ data: { start_time: sec(Date.now() - 60_000), end_time: sec(Date.now()) } })).data!.task_id!;
    await finished(client, taskId);
    // Its job runs again on a runner whose every attempt fails (as if the store kept failing), and whose
    // first attempt is its last: the runner gives up and the task says why.
    await rt.exportJobs.stop();
    await rt.store.db.updateTable('export_tasks').set({ status: 1, file_token: null }).where('task_id', '=', taskId).execute();
    const broken = Object.assign(Object.create(rt.exports) as ExportService, { run: async () => Promise.reject(new Error('the store went away')) });
    const runner = new JobRunner(rt.repos.jobs, pino({ level: 'silent' }), { maxAttempts: 1 });
    registerExportJobs(runner, broken);
    await rt.repos.jobs.schedule({ kind: 'export.run', payload: { task_id: taskId }, runAt: Date.now(), dedupeKey: `export.run:${taskId}` });
    await runner.runDue();
    expect(await finished(client, taskId)).toEqual({ status: 2, fail_msg: 'the export failed: the store went away' });
  });
});
