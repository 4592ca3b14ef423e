import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { MediaNodeRepository, MediaNodeRow } from '../store/repositories/media-node.repository.js';

/** Where a meeting's media is carried: here, or at another node's address. */
export type MediaOwner = { local: true } | { local: false; node: MediaNodeRow };

export interface PlacementOptions {
  /** this process's node id (random per start) */
  nodeId: string;
  /** the internal URL other processes relay signalling sockets to */
  address: string;
  /** most peers this node takes before new meetings go elsewhere */
  capacity: number;
  /** ms between heartbeats */
  heartbeatMs: number;
  /** ms without a heartbeat after which a node is dead and its meetings move */
  deadMs: number;
  /** signs the node rows: only a process that knows the store's token key writes a row others trust */
  key: Buffer;
}

/** Checks an address read from the store before any socket (or token) is sent to it; a reason when refused. */
export function nodeAddressProblem(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not http(s)`;
  if (url.username || url.password) return 'carries credentials';
  if (url.search || url.hash) return 'carries a query or fragment';
  if (url.pathname !== '/' && url.pathname !== '') return 'has a path';
  if (!url.hostname) return 'has no host';
  return undefined;
}

/**
 * Media placement across the processes of one PostgreSQL store (docs/decisions.md "Media placement"), as
 * LiveKit does it: each node registers itself (address, capacity, load, heartbeat); a meeting is assigned
 * to one live node when its first media socket says hello (one row per meeting, first insert wins); a node
 * whose heartbeat is older than `deadMs` is dead, and the next socket of its meetings moves them (a
 * compare-and-set on the row's version, so two processes never move one meeting to two places).
 * Rows are signed with a key derived from the store's token key, and addresses are checked before use:
 * a row this cluster's nodes did not write is refused and logged, never connected to.
 */
export class MediaPlacement {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private beating: Promise<void> | undefined;
  private readonly warned = new Set<string>();

  private constructor(
    private readonly repo: MediaNodeRepository | undefined,
    private readonly options: PlacementOptions | undefined,
    private readonly load: () => number,
    private readonly logger: Logger,
  ) {}

  /** One process (SQLite): every meeting's media is here. */
  static local(logger: Logger): MediaPlacement {
    return new MediaPlacement(undefined, undefined, () => 0, logger);
  }

  static cluster(repo: MediaNodeRepository, options: PlacementOptions, load: () => number, logger: Logger): MediaPlacement {
    return new MediaPlacement(repo, options, load, logger);
  }

  get clustered(): boolean {
    return this.repo !== undefined;
  }

  get nodeId(): string | undefined {
    return this.options?.nodeId;
  }

  /** Registers this node and keeps its heartbeat (a no-op on one process). */
  async start(afterBeat?: () => Promise<void>): Promise<void> {
    if (!this.repo || !this.options) return;
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .then(() => afterBeat?.())
        .catch((err: unknown) => this.logger.warn({ err }, 'media: node heartbeat failed'))
        .finally(() => (this.beating = undefined));
    }, this.options.heartbeatMs);
    this.timer.unref();
    this.logger.info({ node_id: this.options.nodeId, address: this.options.address, capacity: this.options.capacity }, 'media: node registered');
  }

  private beats = 0;
  private async beat(): Promise<void> {
    const o = this.options!;
    // Now and then, rows of nodes silent for an hour go (their meetings were moved or will be).
    if (this.beats++ % 600 === 0) await this.repo!.prune(Date.now() - 3_600_000);
    await this.repo!.heartbeat({ id: o.nodeId, address: o.address, signature: this.sign(o.nodeId, o.address), capacity: o.capacity, load: this.load(), started_at: this.startedAt, heartbeat_at: Date.now() });
  }

  /** Stops heartbeating and takes the node's row out: its meetings move on their next connection. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    if (this.repo && this.options) await this.repo.remove(this.options.nodeId).catch((err: unknown) => this.logger.warn({ err }, 'media: could not deregister the node'));
  }

  private sign(id: string, address: string): string {
    return createHmac('sha256', this.options!.key).update(`openvc media node\n${id}\n${address}`).digest('base64url');
  }

  /** Whether a row may be connected to: signed by a node of this cluster, with a plain http(s) address. */
  private trusted(n: MediaNodeRow): boolean {
    const expected = Buffer.from(this.sign(n.id, n.address));
    const given = Buffer.from(n.signature);
    const problem = expected.length !== given.length || !timingSafeEqual(expected, given) ? 'its signature does not match (not written by a node of this cluster)' : nodeAddressProblem(n.address);
    if (!problem) return true;
    const key = `${n.id} ${n.address}`;
    if (!this.warned.has(key)) {
      if (this.warned.size > 1000) this.warned.clear();
      this.warned.add(key);
      this.logger.warn({ node_id: n.id.slice(0, 64), address: n.address.slice(0, 200), reason: problem }, 'media: refused a node row of the store');
    }
    return false;
  }

  /**
   * A node is live while its heartbeat is fresh. One that refused a connection just now (nothing listens
   * at its address: it died) is dead as soon as it has missed a heartbeat, without waiting for `deadMs`.
   */
  private live(n: MediaNodeRow, now: number, refused?: string): boolean {
    const o = this.options!;
    if (n.id === refused && n.heartbeat_at < now - Math.round(o.heartbeatMs * 1.5)) return false;
    return n.heartbeat_at >= now - o.deadMs;
  }

  /** The node the meeting's media belongs on now; places (or moves) it when it has no live node. */
  async owner(tenantKey: string, meetingId: string, refused?: string): Promise<MediaOwner> {
    if (!this.repo || !this.options) return { local: true };
    const self = this.options.nodeId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = Date.now();
      const a = await this.repo.assignment(tenantKey, meetingId);
      if (a?.node_id === self) return { local: true };
      if (a) {
        const n = await this.repo.node(a.node_id);
        if (n && this.live(n, now, refused) && this.trusted(n)) return { local: false, node: n };
        const target = await this.choose(now);
        if (await this.repo.reassign(tenantKey, meetingId, a.version, target?.id ?? self, now)) {
          this.logger.warn({ meeting_id: meetingId, from_node: a.node_id, to_node: target?.id ?? self, reason: !n ? 'node gone' : !this.live(n, now, refused) ? `no heartbeat for ${now - n.heartbeat_at} ms${n.id === refused ? ', connection refused' : ''}` : 'node row refused' }, 'media: meeting moved to another node');
          return target ? { local: false, node: target } : { local: true };
        }
        continue;
      }
      const target = await this.choose(now);
      if (await this.repo.assign(tenantKey, meetingId, target?.id ?? self, now)) {
        this.logger.info({ meeting_id: meetingId, node_id: target?.id ?? self }, 'media: meeting placed');
        return target ? { local: false, node: target } : { local: true };
      }
    }
    throw new Error(`media: could not settle the node of meeting ${meetingId}`);
  }

  /** The least loaded live node with room (undefined: this one); this one wins ties (one hop fewer). */
  private async choose(now: number): Promise<MediaNodeRow | undefined> {
    const o = this.options!;
    const nodes = (await this.repo!.live(now - o.deadMs)).filter((n) => n.id === o.nodeId || this.trusted(n));
    let best: { n: MediaNodeRow | undefined; ratio: number } = { n: undefined, ratio: this.load() / o.capacity };
    for (const n of nodes) {
      if (n.id === o.nodeId || n.load >= n.capacity) continue;
      const ratio = n.load / Math.max(1, n.capacity);
      if (ratio < best.ratio) best = { n, ratio };
    }
    return best.n;
  }

  /** Whether this node carries the meeting now (the capture follows the meeting's node). */
  async isLocal(tenantKey: string | undefined, meetingId: string): Promise<boolean> {
    if (!this.repo || !this.options) return true;
    if (tenantKey === undefined) return false;
    const a = await this.repo.assignment(tenantKey, meetingId);
    return a?.node_id === this.options.nodeId;
  }
}
