/**
 * Export tasks (export.md §1–7): created after the query is checked, run as a durable job that streams
 * the sheet into the database, read and downloaded only by their creator, and deleted once expired. The
 * JSON twins (§10) read the same row sources a page per request.
 */
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Repositories } from '../store/repositories/index.js';
import { EXPORT_STATUS, type ExportTaskRow } from '../store/repositories/export.repository.js';
import type { Principal } from '../domain/auth/principal.js';
import { apiError } from '../contract/errors.js';
import { timeOrderedId } from '../domain/ids.js';
import { UserIdMapper, type UserIdType } from '../domain/identity/user-ids.js';
import { ZonedTime } from '../domain/export/format.js';
import type { Fail } from '../domain/export/queries.js';
import { JobInterrupted, type JobLease } from '../jobs/runner.js';
import { encodePageToken, decodePageToken } from '../contract/page-token.js';
import { exportKinds, isExportKind, type ExportData, type ExportKind, type ExportKindDef, type QueryOf } from './kinds.js';
import type { Page, ReadContext } from './row-sources.js';
import { ChunkWriter, readFile } from './file-store.js';
import { XlsxWriter, ZipTooLarge } from './xlsx/index.js';

export const EXPORT_JOB = { run: 'export.run', expire: 'export.expire' } as const;

/** What a task row's params hold. */
interface TaskParams {
  query: unknown;
  user_id_type: UserIdType;
  time_zone: string;
}

interface ExpirePayload {
  task_id: string;
  /** 'file': the file's time is up; 'task': the task itself is forgotten */
  stage: 'file' | 'task';
}

export interface ExportOptions {
  /** how long a finished export's file stays downloadable */
  fileTtlMs: number;
  /** rows read and written per step */
  batch?: number;
  /**
   * Deflate level of the files. 1 unless told: on sheet XML it compresses three times faster than 6
   * for files a fifth larger, and compression is what an export of millions of rows waits on.
   */
  level?: number;
}

/** Tasks stay readable this long after they finished or their file expired (then they are deleted). */
const KEEP_TASKS_MS = 7 * 86_400_000;
/** How often a running export records its progress and renews its job's lease. */
const BEAT_MS = 500;

/** A reason the export cannot be made that retrying will not change: the task fails with it. */
class ExportFailure extends Error {
  override readonly name = 'ExportFailure';
}
const failTask: Fail = (_problem, message) => {
  throw new ExportFailure(message);
};

/** A read started before it is awaited: its failure waits for the await instead of going unhandled. */
function readAhead<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export interface PageResult<Row> {
  rows: Row[];
  has_more: boolean;
  page_token?: string;
}

/** Tenant tokens read what their app created; user tokens what their user created (through any app). */
function isCreator(p: Principal, t: ExportTaskRow): boolean {
  return p.kind === 'tenant' ? t.app_id === p.appId : t.user_id === p.userId;
}

export class ExportService {
  private readonly batch: number;
  private readonly data: ExportData;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Repositories,
    private readonly o: ExportOptions,
    private readonly logger: Logger,
    private readonly clock: { now(): number } = Date,
  ) {
    this.batch = o.batch ?? 1000;
    this.data = { meetings: repos.meetingData, reservations: repos.reservationData };
  }

  private readContext(tenantKey: string, appId: string, userId: string | null | undefined, idType: UserIdType): ReadContext {
    return {
      tenantKey,
      ...(userId ? { userId } : {}),
      ids: new UserIdMapper(this.repos.directory.forTenant(tenantKey, appId), idType),
      now: this.clock.now(),
    };
  }

  private readerOf(p: Principal, idType: UserIdType): ReadContext {
    return this.readContext(p.tenantKey, p.appId, p.kind === 'user' ? p.userId : undefined, idType);
  }

  /** Checks what the query names, then stores the task and its job together; returns the task_id. */
  async create<K extends ExportKind>(p: Principal, kind: K, query: QueryOf<K>, idType: UserIdType, timeZone: string, fail: Fail): Promise<string> {
    const def = exportKinds[kind] as ExportKindDef<QueryOf<K>, unknown>;
    await def.open(this.data, this.readerOf(p, idType), query, fail);
    const now = this.clock.now();
    const taskId = timeOrderedId(now);
    const params: TaskParams = { query, user_id_type: idType, time_zone: timeZone };
    await this.db.transaction().execute(async (trx) => {
      await this.repos.exports.insert(
        {
          task_id: taskId,
          tenant_key: p.tenantKey,
          app_id: p.appId,
          user_id: p.kind === 'user' ? (p.userId ?? null) : null,
          kind,
          params: JSON.stringify(params),
          status: EXPORT_STATUS.running,
          fail_msg: null,
          file_token: null,
          file_name: null,
          file_size: null,
          rows_done: 0,
          rows_total: null,
          created_at: now,
          updated_at: now,
          finished_at: null,
          expires_at: null,
        },
        trx,
      );
      await this.repos.jobs.schedule({ kind: EXPORT_JOB.run, payload: { task_id: taskId }, runAt: now, dedupeKey: `${EXPORT_JOB.run}:${taskId}` }, trx, now);
    });
    return taskId;
  }

  /** One page of a JSON twin: the export's rows, `size` at a time. */
  async page<K extends ExportKind>(p: Principal, kind: K, query: QueryOf<K>, idType: UserIdType, pageToken: string | undefined, size: number, fail: Fail): Promise<PageResult<unknown>> {
    const def = exportKinds[kind] as ExportKindDef<QueryOf<K>, unknown>;
    const source = await def.open(this.data, this.readerOf(p, idType), query, fail);
    const after = decodePageToken(pageToken, source.cursor);
    const page = await source.page(after, size);
    return { rows: page.rows, has_more: page.next !== undefined, ...(page.next ? { page_token: encodePageToken(page.next) } : {}) };
  }

  /** The caller's task: 121003 for a malformed id, 121004 when the tenant has none, 121005 when another created it. */
  async task(p: Principal, taskId: string): Promise<ExportTaskRow> {
    if (!/^\d{1,19}$/.test(taskId)) throw apiError('paramError', `param error: task_id must be a string of up to 19 digits, not "${taskId}"`);
    const task = await this.repos.exports.get(p.tenantKey, taskId);
    if (!task) throw apiError('dataNotExist', `export task ${taskId} does not exist`);
    if (!isCreator(p, task)) throw apiError('noPermission', `export task ${taskId} was created by another ${p.kind === 'tenant' ? 'app' : 'user'}: only its creator may read it`);
    return task;
  }

  /** The file behind a token, for its creator: 121004 when the tenant has no such file or it expired, 121005 for others. */
  async download(p: Principal, fileToken: string): Promise<{ task: ExportTaskRow; stream: Readable }> {
    const task = await this.repos.exports.byFileToken(p.tenantKey, fileToken);
    if (!task) throw apiError('dataNotExist', 'no export file has this file_token');
    if (!isCreator(p, task)) throw apiError('noPermission', `the file of export task ${task.task_id} was exported by another ${p.kind === 'tenant' ? 'app' : 'user'}: only its creator may download it`);
    if (task.expires_at !== null && task.expires_at <= this.clock.now()) {
      throw apiError('dataNotExist', `the file of export task ${task.task_id} expired at ${new Date(task.expires_at).toISOString()}; export again`);
    }
    return { task, stream: readFile(this.repos.exports, task.task_id) };
  }

  /**
   * The job: writes the task's file from scratch (a previous attempt's partial file is dropped first),
   * recording progress and renewing the job's lease as it goes, and stopping at a page boundary when the
   * runner stops (the job then runs again from the start). A task whose query no longer holds fails with
   * the reason; other errors are retried by the runner.
   */
  async run(taskId: string, lease: JobLease): Promise<void> {
    const task = await this.repos.exports.byId(taskId);
    if (!task || task.status !== EXPORT_STATUS.running) return;
    try {
      await this.write(task, lease);
    } catch (e) {
      if (e instanceof ExportFailure || e instanceof ZipTooLarge) {
        await this.fail(taskId, e instanceof ZipTooLarge ? `${e.message}: export a shorter time range` : e.message);
        return;
      }
      throw e;
    }
  }

  private async write(task: ExportTaskRow, lease: JobLease): Promise<void> {
    await this.repos.exports.deleteFile(task.task_id);
    if (!isExportKind(task.kind)) throw new ExportFailure(`unknown export kind ${task.kind}`);
    let params: TaskParams;
    try {
      params = JSON.parse(task.params) as TaskParams;
    } catch {
      throw new ExportFailure('the task parameters are unreadable');
    }
    const def = exportKinds[task.kind] as ExportKindDef<unknown, unknown>;
    const ctx = this.readContext(task.tenant_key, task.app_id, task.user_id, params.user_id_type);
    const source = await def.open(this.data, ctx, params.query, failTask);
    const total = await source.count();
    await this.repos.exports.progress(task.task_id, 0, total, this.clock.now());

    const time = new ZonedTime(params.time_zone);
    const out = new ChunkWriter(this.repos.exports, task.task_id);
    let xlsx: XlsxWriter | undefined;
    try {
      xlsx = await XlsxWriter.open(out, { sheetName: def.sheet.title, columns: def.sheet.columns, level: this.o.level ?? 1 });
      const columns = def.sheet.columns;
      let done = 0;
      let beat = this.clock.now();
      let ahead: Promise<Page<unknown>> | undefined = source.page(undefined, this.batch);
      while (ahead) {
        if (lease.stopping()) throw new JobInterrupted(`export ${task.task_id} interrupted`);
        const page: Page<unknown> = await ahead;
        // The next page is read while this one is written: on SQLite its query runs while the writer waits
        // for the compressor to drain, on PostgreSQL its round trip overlaps the writing.
        ahead = page.next ? readAhead(source.page(page.next, this.batch)) : undefined;
        await xlsx.addRows(page.rows, (row) => columns.map((c) => c.cell(row, time)));
        done += page.rows.length;
        if (this.clock.now() - beat >= BEAT_MS) {
          beat = this.clock.now();
          await this.repos.exports.progress(task.task_id, done, undefined, beat);
          if (!(await lease.renew())) throw new Error(`export ${task.task_id}: another process took the job over`);
        }
      }
      await xlsx.finish();
      out.end();
      await finished(out);

      const now = this.clock.now();
      const expiresAt = now + this.o.fileTtlMs;
      await this.db.transaction().execute(async (trx) => {
        await this.repos.exports.finish(
          task.task_id,
          { fileToken: randomBytes(32).toString('base64'), fileName: `${def.sheet.title}_${time.stamp(task.created_at)}.xlsx`, fileSize: out.size, rows: done, expiresAt },
          now,
          trx,
        );
        await this.scheduleExpiry({ task_id: task.task_id, stage: 'file' }, expiresAt, trx);
      });
      this.logger.info({ task_id: task.task_id, kind: task.kind, rows: done, bytes: out.size, ms: now - ctx.now }, 'export done');
    } catch (e) {
      xlsx?.abort();
      out.destroy();
      throw e;
    }
  }

  /** Marks the task failed (its partial file goes) and forgets it later. */
  async fail(taskId: string, message: string): Promise<void> {
    const now = this.clock.now();
    await this.repos.exports.fail(taskId, message, now);
    await this.scheduleExpiry({ task_id: taskId, stage: 'task' }, now + KEEP_TASKS_MS);
  }

  /** Job: an expired file is deleted (the task stays readable for a week), then the task. */
  async expire(p: ExpirePayload): Promise<void> {
    if (p.stage === 'task') return this.repos.exports.deleteTask(p.task_id);
    await this.repos.exports.deleteFile(p.task_id);
    await this.scheduleExpiry({ task_id: p.task_id, stage: 'task' }, this.clock.now() + KEEP_TASKS_MS);
  }

  private async scheduleExpiry(payload: ExpirePayload, at: number, db: Kysely<Database> = this.db): Promise<void> {
    await this.repos.jobs.schedule({ kind: EXPORT_JOB.expire, payload, runAt: at, dedupeKey: `${EXPORT_JOB.expire}:${payload.task_id}` }, db, this.clock.now());
  }
}
