import type { Kysely } from 'kysely';
import type { Database, MediaAssignmentTable, MediaNodeTable } from '../schema.js';

export type MediaNodeRow = MediaNodeTable;
export type MediaAssignmentRow = MediaAssignmentTable;

const node = (r: MediaNodeRow): MediaNodeRow => ({ ...r, capacity: Number(r.capacity), load: Number(r.load), started_at: Number(r.started_at), heartbeat_at: Number(r.heartbeat_at) });
const assignment = (r: MediaAssignmentRow): MediaAssignmentRow => ({ ...r, version: Number(r.version), assigned_at: Number(r.assigned_at) });

/**
 * The media cluster's registry (migration 0038): nodes heartbeat their own row; a meeting's assignment is
 * created once (insert, first wins) and moved only by compare-and-set on its version.
 */
export class MediaNodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes this node's own row (first registration and every heartbeat). */
  async heartbeat(row: MediaNodeRow): Promise<void> {
    await this.db
      .insertInto('media_nodes')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ address: row.address, signature: row.signature, capacity: row.capacity, load: row.load, heartbeat_at: row.heartbeat_at }))
      .execute();
  }

  /** A node that stops cleanly takes its row out (its meetings move on their next connection). */
  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('media_nodes').where('id', '=', id).execute();
  }

  async node(id: string): Promise<MediaNodeRow | undefined> {
    const r = await this.db.selectFrom('media_nodes').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? node(r) : undefined;
  }

  /** Nodes that heartbeat at or after `since`. */
  async live(since: number): Promise<MediaNodeRow[]> {
    const rows = await this.db.selectFrom('media_nodes').selectAll().where('heartbeat_at', '>=', since).orderBy('id').limit(1000).execute();
    return rows.map(node);
  }

  /** Nodes silent since before `before` (dead) are forgotten. */
  async prune(before: number): Promise<number> {
    const r = await this.db.deleteFrom('media_nodes').where('heartbeat_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async assignment(tenantKey: string, meetingId: string): Promise<MediaAssignmentRow | undefined> {
    const r = await this.db.selectFrom('media_assignments').selectAll().where('tenant_key', '=', tenantKey).where('meeting_id', '=', meetingId).executeTakeFirst();
    return r ? assignment(r) : undefined;
  }

  /** Places a meeting that has no node yet; false when another process placed it first. */
  async assign(tenantKey: string, meetingId: string, nodeId: string, at: number): Promise<boolean> {
    const r = await this.db
      .insertInto('media_assignments')
      .values({ tenant_key: tenantKey, meeting_id: meetingId, node_id: nodeId, version: 1, assigned_at: at })
      .onConflict((oc) => oc.columns(['tenant_key', 'meeting_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Moves a meeting from the node at `version` to another; false when someone moved it first. */
  async reassign(tenantKey: string, meetingId: string, version: number, nodeId: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('media_assignments')
      .set({ node_id: nodeId, version: version + 1, assigned_at: at })
      .where('tenant_key', '=', tenantKey)
      .where('meeting_id', '=', meetingId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** A meeting that ended needs no node (in the transaction that ends it). */
  async release(tenantKey: string, meetingId: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.deleteFrom('media_assignments').where('tenant_key', '=', tenantKey).where('meeting_id', '=', meetingId).execute();
  }
}
