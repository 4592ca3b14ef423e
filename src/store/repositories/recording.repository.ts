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
}
