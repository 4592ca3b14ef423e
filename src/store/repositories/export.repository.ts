import type { Kysely, Selectable } from 'kysely';
import type { Database, ExportTaskTable } from '../schema.js';

export type ExportTaskRow = Selectable<ExportTaskTable>;

export const EXPORT_STATUS = { running: 1, failed: 2, done: 3 } as const;

export interface ExportTaskFilter {
  tenantKey?: string;
  appId?: string;
  status?: number;
}

export interface FinishedFile {
  fileToken: string;
  fileName: string;
  fileSize: number;
  rows: number;
  expiresAt: number;
}

/** Export tasks and the chunks of their files. */
export class ExportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ExportTaskTable, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('export_tasks').values(row).execute();
  }

  /** A task of the tenant; other tenants' tasks do not exist for it. */
  async get(tenantKey: string, taskId: string): Promise<ExportTaskRow | undefined> {
    return this.db.selectFrom('export_tasks').selectAll().where('tenant_key', '=', tenantKey).where('task_id', '=', taskId).executeTakeFirst();
  }

  /** Any tenant's task: for the job and the CLI, which act for no tenant in particular. */
  async byId(taskId: string): Promise<ExportTaskRow | undefined> {
    return this.db.selectFrom('export_tasks').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }

  async byFileToken(tenantKey: string, fileToken: string): Promise<ExportTaskRow | undefined> {
    return this.db.selectFrom('export_tasks').selectAll().where('tenant_key', '=', tenantKey).where('file_token', '=', fileToken).executeTakeFirst();
  }

  /** Newest first. */
  async list(filter: ExportTaskFilter, limit: number): Promise<ExportTaskRow[]> {
    let q = this.db.selectFrom('export_tasks').selectAll();
    if (filter.tenantKey) q = q.where('tenant_key', '=', filter.tenantKey);
    if (filter.appId) q = q.where('app_id', '=', filter.appId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.orderBy('created_at', 'desc').orderBy('task_id', 'desc').limit(limit).execute();
  }

  /** Progress of a running task; `total` once it is known. */
  async progress(taskId: string, done: number, total: number | undefined, now: number): Promise<void> {
    await this.db
      .updateTable('export_tasks')
      .set({ rows_done: done, ...(total !== undefined ? { rows_total: total } : {}), updated_at: now })
      .where('task_id', '=', taskId)
      .where('status', '=', EXPORT_STATUS.running)
      .execute();
  }

  async finish(taskId: string, file: FinishedFile, now: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .updateTable('export_tasks')
      .set({
        status: EXPORT_STATUS.done,
        file_token: file.fileToken,
        file_name: file.fileName,
        file_size: file.fileSize,
        rows_done: file.rows,
        rows_total: file.rows,
        finished_at: now,
        expires_at: file.expiresAt,
        updated_at: now,
      })
      .where('task_id', '=', taskId)
      .where('status', '=', EXPORT_STATUS.running)
      .execute();
  }

  /** Marks a task failed and drops whatever part of its file was written. */
  async fail(taskId: string, message: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('export_tasks')
        .set({ status: EXPORT_STATUS.failed, fail_msg: message.slice(0, 1000), finished_at: now, updated_at: now })
        .where('task_id', '=', taskId)
        .where('status', '=', EXPORT_STATUS.running)
        .execute();
      await trx.deleteFrom('export_file_chunks').where('task_id', '=', taskId).execute();
    });
  }

  async putChunk(taskId: string, seq: number, data: Buffer): Promise<void> {
    await this.db.insertInto('export_file_chunks').values({ task_id: taskId, seq, data }).execute();
  }

  /** Chunks from `fromSeq` on, a few at a time (a download streams them). */
  async chunks(taskId: string, fromSeq: number, limit: number): Promise<{ seq: number; data: Buffer }[]> {
    return this.db.selectFrom('export_file_chunks').select(['seq', 'data']).where('task_id', '=', taskId).where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();
  }

  async deleteFile(taskId: string): Promise<void> {
    await this.db.deleteFrom('export_file_chunks').where('task_id', '=', taskId).execute();
  }

  async deleteTask(taskId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('export_file_chunks').where('task_id', '=', taskId).execute();
      await trx.deleteFrom('export_tasks').where('task_id', '=', taskId).execute();
    });
  }
}
