import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver, type MigrationResultSet } from 'kysely';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { pgChangeFeed, sqliteChangeFeed, type ChangeFeed } from './change-feed.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { WakeBus } from './wake-bus.js';

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
  /** Wakes long-polls when their client events are written, in any process of the store. */
  wake: WakeBus;
  /** PostgreSQL: the pool's connections (open, idle, callers waiting for one), for metrics */
  poolStats?: () => { total: number; idle: number; waiting: number; max: number };
  /** PostgreSQL: the pool Kysely runs on, for the one hot statement that skips the query builder (read-cache versions) */
  pgPool?: pg.Pool;
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
    const wake = WakeBus.postgres(options.databaseUrl, onError);
    url.password = '';
    return {
      db,
      dialect: 'postgres',
      location: `${url.protocol}//${url.username ? url.username + '@' : ''}${url.host}${url.pathname}`,
      changes,
      wake,
      pgPool: pool,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize ?? 10 }),
      close: async () => {
        await wake.close();
        await changes.close();
        await db.destroy();
      },
    };
  }
  ensureDataDir(options.dataDir);
  const file = join(options.dataDir, 'openvc.db');
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (e) {
    throw new StoreOpenError(`cannot open the SQLite database ${file}: ${(e as Error).message}`);
  }
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
    wake: WakeBus.inProcess(),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** The store cannot be opened where the configuration points; the message says where and why. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * Creates the data directory (and its parents) one level at a time and checks that it can be written.
 * `mkdirSync(…, { recursive: true })` loops forever under some read-only trees such as /proc (Node
 * retries ENOENT), so a bad `--data-dir` hung silently; here it fails at once and says which path.
 */
export function ensureDataDir(dir: string): void {
  const path = resolve(dir);
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) throw new StoreOpenError(`--data-dir ${dir}: ${at} exists and is not a directory`);
      break;
    } catch (e) {
      if (e instanceof StoreOpenError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw new StoreOpenError(`--data-dir ${dir}: cannot read ${at}: ${(e as Error).message}`);
      missing.unshift(at);
    }
  }
  for (const at of missing) {
    try {
      mkdirSync(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreOpenError(`--data-dir ${dir}: cannot create ${at}: ${(e as Error).message}`);
    }
  }
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new StoreOpenError(`--data-dir ${dir}: the directory is not writable: ${(e as Error).message}`);
  }
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

/**
 * Kysely's migrator looks for its tables with an introspection of every schema of the database, which calls
 * `pg_get_serial_sequence` by name: a schema, table or column that another client drops during that query
 * (another deployment's, or another test file's) fails it, though ours is fine: 3F000 "schema … does not
 * exist", 42P01 "relation … does not exist" or 42703 "column … of relation … does not exist". Unless the
 * message names our schema, the migration is tried again (in its transaction, so from where it was); one of
 * ours that really fails so fails the same way each time, and the last error is reported.
 */
const VANISHED = new Set(['3F000', '42P01', '42703']);
function anotherSchemaVanished(store: Store, e: unknown, ours: string | undefined): boolean {
  if (store.dialect !== 'postgres' || !e || typeof e !== 'object') return false;
  const err = e as { code?: string; message?: string };
  if (!err.code || !VANISHED.has(err.code)) return false;
  return ours === undefined || !(err.message ?? '').includes(`"${ours}`);
}

export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    let ours: string | undefined;
    try {
      const migrator = await migratorOf(store);
      if (store.dialect === 'postgres') ours = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s;
      const result = await migrator.migrateToLatest();
      if (result.error) throw result.error;
      return result;
    } catch (e) {
      if (attempt < 10 && anotherSchemaVanished(store, e, ours)) {
        await new Promise((r) => setTimeout(r, 50 * attempt));
        continue;
      }
      throw storeProblem(store, e);
    }
  }
}

/** PostgreSQL's (or the network's) error with where it came from and, for the common ones, what to do. */
function storeProblem(store: Store, e: unknown): Error {
  if (store.dialect !== 'postgres' || e instanceof StoreOpenError) return e as Error;
  const err = e as Error & { code?: string };
  const hints: Record<string, string> = {
    ECONNREFUSED: 'is PostgreSQL running and listening there?',
    ENOTFOUND: 'the host name does not resolve',
    ETIMEDOUT: 'no answer from the host (firewall?)',
    '28000': 'the role may not log in (check the user name and pg_hba.conf)',
    '28P01': 'wrong password',
    '3D000': 'create the database first (createdb), or name an existing one in the URL',
  };
  const hint = err.code ? hints[err.code] : undefined;
  return new StoreOpenError(`PostgreSQL at ${store.location}: ${err.message}${hint ? ` (${hint})` : ''}`);
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
