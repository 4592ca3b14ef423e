import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver, type MigrationResultSet } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { pgChangeFeed, sqliteChangeFeed, type ChangeFeed } from './change-feed.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** postgres://… ; absent means the embedded SQLite database in dataDir */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL: most pooled connections (default 10) */
  poolSize?: number;
  /** SQLite: checkpoint the write-ahead log from a worker thread rather than inside commits (servers) */
  backgroundCheckpoint?: boolean;
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for start-up output; never contains a password. */
  location: string;
  /** Signals changes made by other connections, for in-process caches. */
  changes: ChangeFeed;
  /** SQLite: the connection Kysely runs on (its statements cached), for repositories that read rows as arrays */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

// bigint columns hold unix milliseconds, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export function openStore(options: DatabaseOptions, onError: (err: Error) => void = () => undefined): Store {
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const changes = pgChangeFeed(options.databaseUrl, onError);
    url.password = '';
    return {
      db,
      dialect: 'postgres',
      location: `${url.protocol}//${url.username ? url.username + '@' : ''}${url.host}${url.pathname}`,
      changes,
      close: async () => {
        await changes.close();
        await db.destroy();
      },
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, 'openvc.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // With the worker checkpointing every quarter second, commits cross this only if it stops (a backstop).
  const checkpointer = options.backgroundCheckpoint ? (sqlite.pragma('wal_autocheckpoint = 10000'), startWalCheckpointer(file, 250, onError)) : undefined;
  const cached = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cached }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite: cached,
    location: file,
    changes: sqliteChangeFeed(sqlite),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Transactions begin IMMEDIATE: they take the write lock first, waiting for it up to busy_timeout while
 * another process (`openvc seed`, a second server) writes. A deferred transaction that read before that
 * process committed could not upgrade its stale snapshot to a write: SQLite answers SQLITE_BUSY at once,
 * without waiting ("database is locked").
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

async function migratorOf(store: Store): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (store.dialect === 'postgres') {
    const schema = await sql<{ s: string }>`select current_schema() as s`.execute(store.db);
    migrationTableSchema = schema.rows[0]?.s;
    if (!migrationTableSchema) throw new Error('PostgreSQL search_path names no existing schema');
  }
  // Kysely looks for its migration tables in every schema unless told which one: another schema's
  // kysely_migration_lock would then hide the missing one in ours.
  return new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Features are built in parallel and land in any order: a database that already ran 0009 must still
    // accept a 0008 that lands after it. Migrations are written to be independent of each other's order.
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const result = await (await migratorOf(store)).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** Names of the migrations this code knows that the store has not run (readiness: none). */
export async function pendingMigrations(store: Store): Promise<string[]> {
  const known = await (await migratorOf(store)).getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a simple indexed query. Queries
 * are built from a fixed set of shapes (values are parameters), so a bounded cache of prepared statements
 * keyed by SQL text removes that cost. Least recently used statements go first: lists of varying length
 * (`in (?, ?, …)`, multi-row inserts) make many one-off texts that must not push out the hot ones.
 */
function withStatementCache(sqlite: SQLite.Database, max = 1000): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    let stmt = cache.get(source);
    if (stmt) {
      // Map keeps insertion order: re-inserting marks the statement as most recently used.
      cache.delete(source);
      cache.set(source, stmt);
      return stmt;
    }
    stmt = sqlite.prepare(source);
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(source, stmt);
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
