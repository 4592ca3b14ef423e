import { sql, type Kysely } from 'kysely';
import pg from 'pg';

/** A key that got new client events, and the newest event's seq. Keys: `s:<session_id>`, `u:<tenant>:<user_id>`. */
export interface WakeMark {
  key: string;
  seq: number;
}

export interface Waiter {
  /** resolves when one of the keys gets a new event */
  promise: Promise<void>;
  cancel(): void;
}

export const WAKE_CHANNEL = 'openvc_wake';
/** PostgreSQL refuses NOTIFY payloads from 8000 bytes on. */
const PAYLOAD_MAX = 7900;

/**
 * Wakes long-polls when their events arrive, instead of each poll asking the store every 250 ms (issue 16).
 * Writers `announce` the keys they wrote in their transaction (PostgreSQL: `pg_notify`, delivered to every
 * process on commit) and call `published` after the commit (this process, at once). Waiters `subscribe`
 * before they read, so that nothing arriving between their read and their wait is missed.
 *
 * `lastSeq` remembers the newest seq seen per key while the bus is `reliable` (SQLite: always, one
 * process; PostgreSQL: while the LISTEN connection is up, and it forgets everything when that connection
 * is lost). A poll whose cursor is already at `lastSeq` need not read the store at all.
 */
export class WakeBus {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly last = new Map<string, number>();
  private listening: boolean;
  /** changes whenever `last` may have missed a notification; reads started in an older epoch are not recorded */
  private epochNo = 0;
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly connectionString: string | undefined,
    private readonly onError: (err: Error) => void,
    private readonly maxKeys: number,
  ) {
    this.listening = connectionString === undefined;
  }

  /** One process on SQLite: every write is made here, so the bus hears all of them. */
  static inProcess(maxKeys = 200_000): WakeBus {
    return new WakeBus(undefined, () => undefined, maxKeys);
  }

  /** Processes sharing PostgreSQL: a LISTEN connection hears every process's commits (started on first use). */
  static postgres(connectionString: string, onError: (err: Error) => void, maxKeys = 200_000): WakeBus {
    return new WakeBus(connectionString, onError, maxKeys);
  }

  /** In the writing transaction: tells the other processes on commit (nothing to do on SQLite). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: the statement names no table
  async announce(marks: WakeMark[], trx: Kysely<any>): Promise<void> {
    if (this.connectionString === undefined || marks.length === 0) return;
    let chunk = '';
    for (const m of marks) {
      const item = `${m.key} ${m.seq}`;
      if (chunk && chunk.length + item.length + 1 > PAYLOAD_MAX) {
        await sql`select pg_notify(${WAKE_CHANNEL}, ${chunk})`.execute(trx);
        chunk = '';
      }
      chunk = chunk ? `${chunk}\n${item}` : item;
    }
    if (chunk) await sql`select pg_notify(${WAKE_CHANNEL}, ${chunk})`.execute(trx);
  }

  /** After the commit: wakes this process's waiters for these keys. */
  published(marks: WakeMark[]): void {
    for (const m of marks) this.mark(m.key, m.seq);
  }

  subscribe(keys: string[]): Waiter {
    this.start();
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    for (const k of keys) {
      let set = this.waiters.get(k);
      if (!set) this.waiters.set(k, (set = new Set()));
      set.add(wake);
    }
    return {
      promise,
      cancel: () => {
        for (const k of keys) {
          const set = this.waiters.get(k);
          set?.delete(wake);
          if (set?.size === 0) this.waiters.delete(k);
        }
      },
    };
  }

  /** Whether every new event reaches this process (else waiters must look for themselves now and then). */
  reliable(): boolean {
    this.start();
    return this.listening;
  }

  epoch(): number {
    return this.epochNo;
  }

  /** How many waits this process holds on the key now. */
  waiting(key: string): number {
    return this.waiters.get(key)?.size ?? 0;
  }

  /** The newest seq known for the key, if known. */
  lastSeq(key: string): number | undefined {
    return this.listening ? this.last.get(key) : undefined;
  }

  /** A read that started in `epoch` found the key's newest seq to be at most `seq`. */
  noteRead(key: string, seq: number, epoch: number): void {
    if (epoch !== this.epochNo || !this.listening) return;
    const known = this.last.get(key);
    if (known === undefined || seq > known) this.remember(key, seq);
  }

  private mark(key: string, seq: number): void {
    const known = this.last.get(key);
    if (known === undefined || seq > known) this.remember(key, seq);
    const set = this.waiters.get(key);
    if (set) for (const wake of set) wake();
  }

  private remember(key: string, seq: number): void {
    this.last.delete(key);
    this.last.set(key, seq);
    if (this.last.size > this.maxKeys) this.last.delete(this.last.keys().next().value as string);
  }

  private lost(): void {
    this.listening = false;
    this.epochNo++;
    this.last.clear();
    // Waiters look for themselves while nothing can be heard.
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  private started = false;
  private start(): void {
    if (this.started || this.connectionString === undefined) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.connectionString });
    this.client = c;
    const lost = (err?: Error) => {
      if (err && !this.closed) this.onError(err);
      if (this.client !== c) return;
      this.client = undefined;
      this.lost();
      c.removeAllListeners();
      c.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.connect(), 1000).unref();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (n) => {
      if (n.channel !== WAKE_CHANNEL || !n.payload) return;
      for (const line of n.payload.split('\n')) {
        const space = line.lastIndexOf(' ');
        const seq = Number(line.slice(space + 1));
        if (space > 0 && Number.isFinite(seq)) this.mark(line.slice(0, space), seq);
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKE_CHANNEL}`);
      if (this.closed || this.client !== c) return;
      this.epochNo++;
      this.last.clear();
      this.listening = true;
      // Anything written while we were not listening: let waiters look.
      for (const set of this.waiters.values()) for (const wake of set) wake();
    } catch (err) {
      lost(err as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners();
      await c.end().catch(() => undefined);
    }
  }
}
