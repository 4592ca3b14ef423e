/**
 * Meeting recordings (recording.md): segments opened and closed in the transaction of the meeting change
 * that starts or stops the recording (the API, auto_record, the meeting's end), the media capture told
 * once that transaction committed, the Open API's reads and grants, and who may watch a recording.
 * Making the file is the processor's job (recording-processor.ts).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { Repositories } from '../store/repositories/index.js';
import { RECORDING_STATUS, type RecordingRow } from '../store/repositories/recording.repository.js';
import type { Principal } from '../domain/auth/principal.js';
import { ApiError, apiError } from '../contract/errors.js';
import { timeOrderedId } from '../domain/ids.js';
import type { UserIdMapper } from '../domain/identity/user-ids.js';
import { participant, userKey, type Meeting, type MeetingEvent } from '../domain/meeting/meeting.js';
import type { MeetingService } from '../domain/meeting/meeting.service.js';
import type { AfterCommit } from '../domain/meeting/meeting-effects.js';
import { PERMISSION_ACTION, PERMISSION_TYPE, mayWatch, startRecording, stopRecording, type Grant, type Viewer } from '../domain/recording/recording.js';
import type { MeetingCapture } from '../media/capture.js';
import { newUrlToken, playerUrl, rawDirOf } from './recording-files.js';

export const RECORDING_JOB = { process: 'recording.process' } as const;

export const processJobKey = (recordingId: string): string => `${RECORDING_JOB.process}:${recordingId}`;

export interface PermissionObject {
  id?: string;
  type: number;
  permission: number;
}

export type WatchResult = { ok: true; recording: RecordingRow; meeting: Meeting } | { ok: false; reason: 'not_found' | 'forbidden' | 'sign_in' };

/** The tenant user behind a participant key, if it names one of the meeting's own users. */
function tenantUserOf(m: Meeting, key: string | null): string | null {
  const p = key ? participant(m, key) : undefined;
  return p?.userId && (p.tenantKey === null || p.tenantKey === m.tenantKey) ? p.userId : null;
}

export class RecordingService {
  constructor(
    private readonly repos: Repositories,
    private readonly meetings: MeetingService,
    private readonly capture: MeetingCapture,
    private readonly o: { dataDir: string; publicUrl: () => string },
    private readonly logger: Logger,
    private readonly clock: { now(): number } = Date,
  ) {}

  /** The player URL of a recording. */
  urlOf(r: Pick<RecordingRow, 'url_token'>): string {
    return playerUrl(this.o.publicUrl(), r.url_token);
  }

  /**
   * MeetingService.onChange: a `recording_started` opens a segment, a `recording_ended` closes the open
   * one and schedules its processing, in the change's transaction; the capture starts or stops after it.
   */
  readonly onMeetingChange = async (m: Meeting, events: MeetingEvent[], at: number, trx: Kysely<Database>): Promise<AfterCommit | undefined> => {
    const after: (() => Promise<void>)[] = [];
    for (const e of events) {
      if (e.type === 'recording_started') {
        const id = timeOrderedId(at);
        const rawDir = rawDirOf(this.o.dataDir, id);
        await this.repos.recordings.insert(
          {
            id,
            tenant_key: m.tenantKey,
            meeting_id: m.id,
            url_token: newUrlToken(),
            status: RECORDING_STATUS.recording,
            started_at: at,
            ended_at: null,
            started_by_user_id: tenantUserOf(m, e.operatorKey),
            host_user_id: tenantUserOf(m, m.hostKey),
            timezone: e.timezone ?? null,
            raw_dir: rawDir,
            file_path: null,
            file_size: null,
            duration_ms: null,
            fail_reason: null,
            created_at: at,
            updated_at: at,
            ready_at: null,
          },
          trx,
        );
        after.push(async () => {
          await this.capture.start(m.id, rawDir, at);
          this.logger.info({ meeting_id: m.id, recording_id: id }, 'recording started');
        });
      } else if (e.type === 'recording_ended') {
        const open = await this.repos.recordings.open(m.tenantKey, m.id, trx);
        if (!open) continue;
        await this.repos.recordings.end(m.tenantKey, open.id, at, trx);
        await this.repos.jobs.schedule({ kind: RECORDING_JOB.process, payload: { recording_id: open.id }, runAt: at, dedupeKey: processJobKey(open.id) }, trx, at);
        after.push(async () => {
          await this.capture.stop(m.id);
          this.logger.info({ meeting_id: m.id, recording_id: open.id, ms: at - open.started_at }, 'recording stopped');
        });
      }
    }
    if (after.length === 0) return undefined;
    return async () => {
      for (const work of after) {
        // The segment is committed either way: a capture that failed leaves a recording with less media, not none.
        await work().catch((err: unknown) => this.logger.error({ err, meeting_id: m.id }, 'media capture failed'));
      }
    };
  };

  /**
   * At start: segments still recording (their meeting goes on, the process that captured it may have died)
   * get their capture started again, appending to the same raw directory.
   */
  async resumeCaptures(): Promise<number> {
    const open = await this.repos.recordings.allOpen(10_000);
    for (const r of open) {
      await this.capture.start(r.meeting_id, r.raw_dir, r.started_at).catch((err: unknown) => this.logger.error({ err, meeting_id: r.meeting_id, recording_id: r.id }, 'media capture failed to resume'));
    }
    if (open.length > 0) this.logger.info({ recordings: open.length }, 'resumed the capture of recordings in progress');
    return open.length;
  }

  /** The host (user token) starts recording. */
  async start(p: Principal, meetingId: string, timezone: number | undefined): Promise<void> {
    await this.logRefusal('start', p, meetingId, () =>
      this.meetings.mutate(p.tenantKey, meetingId, (m, at) => ({ events: startRecording(m, userKey(p.userId ?? ''), at, timezone), result: undefined })),
    );
  }

  /** The host (user token) stops recording. */
  async stop(p: Principal, meetingId: string): Promise<void> {
    await this.logRefusal('stop', p, meetingId, () => this.meetings.mutate(p.tenantKey, meetingId, (m, at) => ({ events: stopRecording(m, userKey(p.userId ?? ''), at), result: undefined })));
  }

  /** Who was refused what, and why: recording control is worth a line when it is refused. */
  private async logRefusal<T>(action: string, p: Principal, meetingId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ApiError) this.logger.warn({ action, meeting_id: meetingId, tenant_key: p.tenantKey, app_id: p.appId, user_id: p.userId, code: e.code, reason: e.message }, 'recording request refused');
      throw e;
    }
  }

  /** The meeting, for a caller who may manage its recordings: any app of the tenant, or its owner. */
  private async ownMeeting(p: Principal, meetingId: string): Promise<Meeting> {
    const m = await this.repos.meetings.find(p.tenantKey, meetingId);
    if (!m) throw apiError('meetingNotExist', `meeting not exist: meeting ${meetingId} does not exist`);
    if (p.kind === 'user' && p.userId !== m.ownerUserId) throw apiError('noPermission', 'no permission: only the meeting owner can read or share its recording');
    return m;
  }

  /**
   * The meeting's recording once it has ended and its file is ready: the latest ready segment (earlier
   * ones keep their own URLs). 122001 while the meeting goes on, 121004 when nothing was recorded or the
   * file could not be made, 124002 while a file is still being made.
   */
  async get(p: Principal, meetingId: string): Promise<{ id: string; meeting_id: string; url: string; duration: string }> {
    const m = await this.ownMeeting(p, meetingId);
    if (m.status !== 3) throw apiError('meetingStatusUnexpected', 'meeting status unexpected: the recording can be fetched once the meeting has ended');
    const segments = await this.repos.recordings.ofMeeting(m.tenantKey, m.id);
    if (segments.length === 0) throw apiError('dataNotExist', 'data not exist: the meeting was not recorded');
    if (segments.some((r) => r.status === RECORDING_STATUS.recording || r.status === RECORDING_STATUS.processing)) {
      throw apiError('recordProcessing', 'record processing: the recording file is still being generated');
    }
    const ready = segments.filter((r) => r.status === RECORDING_STATUS.ready).pop();
    if (!ready) throw apiError('dataNotExist', `data not exist: the recording file could not be made (${segments[segments.length - 1]!.fail_reason ?? 'unknown reason'})`);
    return { id: ready.id, meeting_id: m.id, url: this.urlOf(ready), duration: String(ready.duration_ms ?? 0) };
  }

  /**
   * The owner grants or revokes watching the meeting's recordings: users (type 1), the whole tenant (3),
   * anyone with the link (4). Groups (2) are not supported: openvc has no chats. Everything is checked
   * before anything changes.
   */
  async setPermission(p: Principal, meetingId: string, objects: readonly PermissionObject[], actionType: number, ids: UserIdMapper): Promise<void> {
    await this.logRefusal('set_permission', p, meetingId, () => this.changeGrants(p, meetingId, objects, actionType, ids));
  }

  private async changeGrants(p: Principal, meetingId: string, objects: readonly PermissionObject[], actionType: number, ids: UserIdMapper): Promise<void> {
    const m = await this.ownMeeting(p, meetingId);
    if (actionType !== PERMISSION_ACTION.grant && actionType !== PERMISSION_ACTION.revoke) throw apiError('paramError', `param error: action_type must be 0 (grant) or 1 (revoke), not ${actionType}`);
    const grants: Grant[] = [];
    const userIds: string[] = [];
    for (const [i, o] of objects.entries()) {
      if (o.permission !== 1) throw apiError('paramError', `param error: permission_objects[${i}].permission must be 1 (view)`);
      if (o.type === PERMISSION_TYPE.group) throw apiError('notSupport', `not support: permission_objects[${i}] grants a group (type 2); openvc has no chats`);
      if (o.type === PERMISSION_TYPE.tenant) grants.push({ kind: 'tenant', userId: '' });
      else if (o.type === PERMISSION_TYPE.public) grants.push({ kind: 'public', userId: '' });
      else if (o.type === PERMISSION_TYPE.user) {
        if (!o.id) throw apiError('paramError', `param error: permission_objects[${i}].id is required for a user (type 1)`);
        userIds.push(o.id);
      } else throw apiError('paramError', `param error: permission_objects[${i}].type must be 1, 2, 3 or 4, not ${o.type}`);
    }
    for (const u of await ids.resolveMany(userIds)) grants.push({ kind: 'user', userId: u.user_id });
    const segments = await this.repos.recordings.ofMeeting(m.tenantKey, m.id);
    if (!segments.some((r) => r.status === RECORDING_STATUS.ready)) throw apiError('dataNotExist', 'data not exist: the meeting has no recording file yet');
    const action = actionType === PERMISSION_ACTION.grant ? 'grant' : 'revoke';
    await this.repos.recordings.setGrants(m.tenantKey, m.id, grants.map((g) => ({ kind: g.kind, user_id: g.userId })), action, p.userId ?? '', this.clock.now());
    this.logger.info({ meeting_id: m.id, action, grants: grants.map((g) => (g.kind === 'user' ? `user:${g.userId}` : g.kind)) }, 'recording permissions changed');
  }

  /**
   * Whether `viewer` may watch the recording behind a player token. Grants are read on every call, so
   * a revocation takes effect at the next request. `sign_in`: nobody is signed in and the recording is
   * not public.
   */
  async watch(token: string, viewer: Viewer): Promise<WatchResult> {
    const recording = await this.repos.recordings.byToken(token);
    const meeting = recording ? await this.repos.meetings.find(recording.tenant_key, recording.meeting_id) : undefined;
    if (!recording || !meeting) return { ok: false, reason: 'not_found' };
    const grants = (await this.repos.recordings.grants(recording.tenant_key, recording.meeting_id)).map((g) => ({ kind: g.kind as Grant['kind'], userId: g.user_id }));
    if (mayWatch({ tenantKey: recording.tenant_key, ownerUserId: meeting.ownerUserId, hostUserId: recording.host_user_id, grants }, viewer)) return { ok: true, recording, meeting };
    return { ok: false, reason: viewer ? 'forbidden' : 'sign_in' };
  }

  // The admin console's recording management (docs/decisions.md "Admin console") -------------------

  /** A segment of the tenant, or 121004. */
  private async segment(tenantKey: string, id: string): Promise<RecordingRow> {
    const rec = /^\d{1,19}$/.test(id) ? await this.repos.recordings.byId(id) : undefined;
    if (!rec || rec.tenant_key !== tenantKey) throw apiError('dataNotExist', `data not exist: recording ${id} is no recording of this tenant`);
    return rec;
  }

  /** Composes a finished segment again from its raw tracks: back to processing, with its job, in one transaction. */
  async recompose(tenantKey: string, id: string): Promise<void> {
    const rec = await this.segment(tenantKey, id);
    if (!(await stat(rec.raw_dir).catch(() => undefined))?.isDirectory()) throw apiError('dataNotExist', `data not exist: the raw tracks of recording ${id} are gone`);
    const now = this.clock.now();
    await this.repos.recordings.transaction(async (trx) => {
      if (!(await this.repos.recordings.reprocess(tenantKey, id, now, trx))) throw apiError('dataConflict', `data conflict: recording ${id} is still being recorded or composed`);
      await this.repos.jobs.schedule({ kind: RECORDING_JOB.process, payload: { recording_id: id }, runAt: now, dedupeKey: processJobKey(id) }, trx, now);
    });
    this.logger.info({ recording_id: id, meeting_id: rec.meeting_id }, 'recording sent to be composed again');
  }

  /** Deletes a finished segment: its row, then its directory (raw tracks and file). */
  async remove(tenantKey: string, id: string): Promise<void> {
    const rec = await this.segment(tenantKey, id);
    if (!(await this.repos.recordings.deleteFinished(tenantKey, id))) throw apiError('dataConflict', `data conflict: recording ${id} is still being recorded or composed`);
    const dir = dirname(rec.raw_dir);
    // Only the segment's own directory (recordings/<id>/), never anything a malformed row could name.
    if (basename(dir) === id) await rm(dir, { recursive: true, force: true });
    this.logger.info({ recording_id: id, meeting_id: rec.meeting_id }, 'recording deleted');
  }

  /** Bytes on disk of a segment's directory (raw tracks and file). */
  async bytesOf(rec: Pick<RecordingRow, 'raw_dir' | 'id'>): Promise<number> {
    const dir = dirname(rec.raw_dir);
    if (basename(dir) !== rec.id) return 0;
    let total = 0;
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const path = join(d, e.name);
        if (e.isDirectory()) await walk(path);
        else total += (await stat(path).catch(() => undefined))?.size ?? 0;
      }
    };
    await walk(dir);
    return total;
  }
}
