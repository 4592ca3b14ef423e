import type SQLite from 'better-sqlite3';
import pg from 'pg';

/**
 * Tells in-process caches whether another connection (another server process, the CLI) may have changed
 * the data since they were filled: `version()` changes when it may have. Writes made through this
 * process's own repositories invalidate their caches directly.
 */
export interface ChangeFeed {
  version(): number;
  close(): Promise<void>;
}

export const DIRECTORY_CHANNEL = 'openvc_directory';

/** SQLite: `PRAGMA data_version` changes whenever another connection commits to the file. */
export function sqliteChangeFeed(sqlite: SQLite.Database): ChangeFeed {
  const stmt = sqlite.prepare('PRAGMA data_version').pluck();
  return { version: () => stmt.get() as number, close: async () => undefined };
}

/**
 * PostgreSQL: a dedicated connection LISTENs for the notifications directory writers send in their
 * transactions (delivered on commit). While it is not connected, every call returns a new version, so
 * nothing is served from a cache that might be stale.
 */
export function pgChangeFeed(connectionString: string, onError: (err: Error) => void): ChangeFeed {
  let version = 0;
  let listening = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  let started = false;
  const connect = async () => {
    const c = new pg.Client({ connectionString });
    client = c;
    const lost = (err?: Error) => {
      // A connection cut short by close() (a CLI command that ends at once) is no error.
      if (err && !closed) onError(err);
      if (client !== c) return;
      listening = false;
      version++;
      client = undefined;
      c.removeAllListeners();
      c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1000).unref();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', () => version++);
    try {
      await c.connect();
      await c.query(`LISTEN ${DIRECTORY_CHANNEL}`);
      version++;
      listening = !closed;
    } catch (err) {
      lost(err as Error);
    }
  };
  return {
    // The listener starts with the first question, so CLI commands that never cache never connect it.
    version: () => {
      if (!started) {
        started = true;
        void connect();
      }
      return listening ? version : ++version;
    },
    close: async () => {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        await c.end().catch(() => undefined);
      }
    },
  };
}
