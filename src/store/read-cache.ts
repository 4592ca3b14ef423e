import type SQLite from 'better-sqlite3';
import type pg from 'pg';

/** The areas whose reads are cached; triggers bump an area's version per tenant (migration 0036). */
export type CacheArea = 'directory' | 'rooms';

/**
 * Reads kept in this process and answered again while the store says their area of the tenant has not
 * changed: every `get` first reads the area's version (one primary-key row, bumped by triggers in the
 * transaction of every write to the area), and an entry is served only when it was read at that version.
 * An entry is tagged with the version read before its data, so a read that raced a write is stored under
 * the older version and is never served once the write's version is seen. Keys always carry the tenant:
 * no entry can answer another tenant. Values are shared between requests and must not be mutated.
 * docs/decisions.md "Versioned read caches" gives the consistency argument across processes.
 */
export class ReadCache {
  private readonly entries = new Map<string, { version: number; value: unknown }>();

  constructor(
    /** the area's committed version; undefined when it cannot be known now (the read then goes to the store) */
    private readonly versionOf: (tenantKey: string, area: CacheArea) => number | undefined | Promise<number | undefined>,
    private readonly max = 20_000,
  ) {}

  async get<V>(tenantKey: string, area: CacheArea, key: string, read: () => Promise<V>): Promise<V> {
    const pending = this.versionOf(tenantKey, area);
    const version = pending instanceof Promise ? await pending : pending;
    if (version === undefined) return read();
    const id = `${tenantKey}\u0000${area}\u0000${key}`;
    const hit = this.entries.get(id);
    if (hit && hit.version === version) return hit.value as V;
    const value = await read();
    if (value !== undefined) {
      if (hit) this.entries.delete(id);
      else if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(id, { version, value });
    }
    return value;
  }
}

/**
 * One version read per key per turn of the event loop, shared by every request that asked for it before
 * the read was made: the first asker schedules the read for the end of the turn (setImmediate), later
 * askers of the same turn join it, and an asker after the read was made schedules the next one. So each
 * read still happens after every request it answers arrived, and a write that completed before a
 * request arrived is always seen; a busy server makes one read where it made one per request.
 */
export function perTurn<K extends unknown[], V>(keyOf: (...k: K) => string, read: (...k: K) => V | Promise<V>): (...k: K) => Promise<V> {
  const waiting = new Map<string, Promise<V>>();
  return (...k: K) => {
    const key = keyOf(...k);
    let pending = waiting.get(key);
    if (!pending) {
      pending = new Promise<V>((resolve, reject) =>
        setImmediate(() => {
          waiting.delete(key);
          try {
            resolve(read(...k));
          } catch (e) {
            reject(e as Error);
          }
        }),
      );
      waiting.set(key, pending);
    }
    return pending;
  };
}

const areaKey = (tenantKey: string, area: CacheArea) => `${area}\u0000${tenantKey}`;
const meetingKey = (tenantKey: string, id: string) => `${tenantKey}\u0000${id}`;

/**
 * SQLite: the version read synchronously on the store's one connection (a cached statement). While that
 * connection is inside a transaction it would see the transaction's own, uncommitted bump, which a
 * rollback could later hand to different data; then nothing is cached or served.
 */
export function sqliteReadCache(sqlite: SQLite.Database): ReadCache {
  let stmt: SQLite.Statement | undefined;
  return new ReadCache(
    perTurn(areaKey, (tenantKey: string, area: CacheArea) => {
      if (sqlite.inTransaction) return undefined;
      stmt ??= sqlite.prepare('select version from cache_versions where tenant_key = ? and area = ?').pluck();
      return (stmt.get(tenantKey, area) as number | undefined) ?? 0;
    }),
  );
}

/**
 * PostgreSQL: one round trip per read, instead of the reads it replaces: a named (prepared once per
 * connection) statement straight on the pool, without the query builder.
 */
export function pgReadCache(pool: pg.Pool): ReadCache {
  const query = { name: 'openvc_cache_version', text: 'select version from cache_versions where tenant_key = $1 and area = $2', rowMode: 'array' as const };
  return new ReadCache(
    perTurn(areaKey, async (tenantKey: string, area: CacheArea) => {
      const r = await pool.query<[number]>({ ...query, values: [tenantKey, area] });
      return r.rows[0]?.[0] ?? 0;
    }),
  );
}

/**
 * The committed `version` of one meeting row (every save bumps it), read without the query builder:
 * undefined when the meeting does not exist, null when it cannot be known now (SQLite inside a
 * transaction, which would see its own uncommitted save).
 */
export type MeetingVersionProbe = (tenantKey: string, id: string) => number | undefined | null | Promise<number | undefined | null>;

export function sqliteMeetingVersion(sqlite: SQLite.Database): MeetingVersionProbe {
  let stmt: SQLite.Statement | undefined;
  return perTurn(meetingKey, (tenantKey: string, id: string) => {
    if (sqlite.inTransaction) return null;
    stmt ??= sqlite.prepare('select version from meetings where tenant_key = ? and id = ?').pluck();
    return stmt.get(tenantKey, id) as number | undefined;
  });
}

export function pgMeetingVersion(pool: pg.Pool): MeetingVersionProbe {
  const query = { name: 'openvc_meeting_version', text: 'select version from meetings where tenant_key = $1 and id = $2', rowMode: 'array' as const };
  return perTurn(meetingKey, async (tenantKey: string, id: string) => {
    const r = await pool.query<[string | number]>({ ...query, values: [tenantKey, id] });
    const v = r.rows[0]?.[0];
    return v === undefined ? undefined : Number(v);
  });
}
