import type { Kysely, Selectable } from 'kysely';
import type { Database, RecordingPermissionTable, RecordingTable } from '../schema.js';

export type RecordingRow = Selectable<RecordingTable>;
export type RecordingGrant = Pick<RecordingPermissionTable, 'kind' | 'user_id'>;

export const RECORDING_STATUS = { recording: 'recording', processing: 'processing', ready: 'ready', failed: 'failed' } as const;
export type RecordingStatus = (typeof RECORDING_STATUS)[keyof typeof RECORDING_STATUS];

export interface ReadyFile {
  filePath: string;
  fileSize: number;
  durationMs: number;
}

/**
 * Recording segments and the grants on a meeting's recordings. Reads for a tenant take its key; the
 * processing job (`byId`) and the player page (`byToken`, an unguessable token) act for no tenant in
 * particular and check what they found themselves.
 */
export class RecordingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async insert(row: RecordingTable, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('recordings').values(row).execute();
  }

  /** The meeting's segment being recorded now, if any. */
  async open(tenantKey: string, meetingId: string, db: Kysely<Database> = this.db): Promise<RecordingRow | undefined> {
    return db
      .selectFrom('recordings')
      .selectAll()
      .where('tenant_key', '=', tenantKey)
      .where('meeting_id', '=', meetingId)
      .where('status', '=', RECORDING_STATUS.recording)
      .executeTakeFirst();
  }

  /** A segment stops recording and waits for its file. */
  async end(tenantKey: string, id: string, endedAt: number, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .updateTable('recordings')
      .set({ status: RECORDING_STATUS.processing, ended_at: endedAt, updated_at: endedAt })
      .where('tenant_key', '=', tenantKey)
      .where('id', '=', id)
      .where('status', '=', RECORDING_STATUS.recording)
      .execute();
  }

  /** The meeting's segments, oldest first. */
  async ofMeeting(tenantKey: string, meetingId: string): Promise<RecordingRow[]> {
    return this.db.selectFrom('recordings').selectAll().where('tenant_key', '=', tenantKey).where('meeting_id', '=', meetingId).orderBy('started_at').orderBy('id').execute();
  }

  /** Every segment being recorded now, of any tenant (a starting process resumes their capture). */
  async allOpen(limit: number): Promise<RecordingRow[]> {
    return this.db.selectFrom('recordings').selectAll().where('status', '=', RECORDING_STATUS.recording).orderBy('started_at').limit(limit).execute();
  }

  async byId(id: string): Promise<RecordingRow | undefined> {
    return this.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byToken(urlToken: string): Promise<RecordingRow | undefined> {
    return this.db.selectFrom('recordings').selectAll().where('url_token', '=', urlToken).executeTakeFirst();
  }

  /** Marks a processing segment ready; false when it was not processing (another attempt finished it). */
  async ready(tenantKey: string, id: string, file: ReadyFile, now: number, db: Kysely<Database> = this.db): Promise<boolean> {
    const res = await db
      .updateTable('recordings')
      .set({ status: RECORDING_STATUS.ready, file_path: file.filePath, file_size: file.fileSize, duration_ms: file.durationMs, ready_at: now, updated_at: now })
      .where('tenant_key', '=', tenantKey)
      .where('id', '=', id)
      .where('status', '=', RECORDING_STATUS.processing)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async fail(tenantKey: string, id: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ status: RECORDING_STATUS.failed, fail_reason: reason.slice(0, 2000), updated_at: now })
      .where('tenant_key', '=', tenantKey)
      .where('id', '=', id)
      .where('status', '=', RECORDING_STATUS.processing)
      .execute();
  }

  async grants(tenantKey: string, meetingId: string): Promise<RecordingGrant[]> {
    return this.db.selectFrom('recording_permissions').select(['kind', 'user_id']).where('tenant_key', '=', tenantKey).where('meeting_id', '=', meetingId).execute();
  }

  /** Adds grants (those already there stay as they were) or removes them, in one transaction. */
  async setGrants(tenantKey: string, meetingId: string, grants: RecordingGrant[], action: 'grant' | 'revoke', by: string, now: number): Promise<void> {
    if (grants.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const g of grants) {
        if (action === 'grant') {
          await trx
            .insertInto('recording_permissions')
            .values({ tenant_key: tenantKey, meeting_id: meetingId, kind: g.kind, user_id: g.user_id, granted_by_user_id: by, granted_at: now })
            .onConflict((oc) => oc.columns(['tenant_key', 'meeting_id', 'kind', 'user_id']).doNothing())
            .execute();
        } else {
          await trx.deleteFrom('recording_permissions').where('tenant_key', '=', tenantKey).where('meeting_id', '=', meetingId).where('kind', '=', g.kind).where('user_id', '=', g.user_id).execute();
        }
      }
    });
  }

  /** The tenant's segments, newest first, with their meeting's topic and number (the admin console's list). */
  async list(tenantKey: string, limit: number): Promise<(RecordingRow & { topic: string; meeting_no: string })[]> {
    return this.db
      .selectFrom('recordings as r')
      .innerJoin('meetings as m', (j) => j.onRef('m.tenant_key', '=', 'r.tenant_key').onRef('m.id', '=', 'r.meeting_id'))
      .selectAll('r')
      .select(['m.topic', 'm.meeting_no'])
      .where('r.tenant_key', '=', tenantKey)
      .orderBy('r.started_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Bytes of the tenant's composed files. */
  async fileBytes(tenantKey: string): Promise<number> {
    const r = await this.db.selectFrom('recordings').select((eb) => eb.fn.sum<number>('file_size').as('n')).where('tenant_key', '=', tenantKey).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * Sends a finished segment (ready or failed) back to processing, its old file forgotten; false when it
   * is not finished (still recording or already processing). The caller schedules the job in `db`.
   */
  async reprocess(tenantKey: string, id: string, now: number, db: Kysely<Database> = this.db): Promise<boolean> {
    const r = await db
      .updateTable('recordings')
      .set({ status: RECORDING_STATUS.processing, file_path: null, file_size: null, fail_reason: null, ready_at: null, updated_at: now })
      .where('tenant_key', '=', tenantKey)
      .where('id', '=', id)
      .where('status', 'in', [RECORDING_STATUS.ready, RECORDING_STATUS.failed])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes a finished segment's row; false when it is not finished. Its files are the caller's to remove. */
  async deleteFinished(tenantKey: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('recordings')
      .where('tenant_key', '=', tenantKey)
      .where('id', '=', id)
      .where('status', 'in', [RECORDING_STATUS.ready, RECORDING_STATUS.failed])
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
