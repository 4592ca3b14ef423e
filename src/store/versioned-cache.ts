import type { ChangeFeed } from './change-feed.js';

/**
 * Values read from the store, kept in this process until another connection changes the store (the
 * ChangeFeed says so) or this process writes them (`clear`). A read that raced a write is never kept:
 * `lookup` hands out a stamp, and `store` keeps the value only if nothing changed since.
 */
export class VersionedCache<V> {
  private readonly map = new Map<string, V>();
  private seen = Number.NaN;
  private generation = 0;

  constructor(
    private readonly changes: ChangeFeed,
    private readonly max = 10_000,
  ) {}

  /** The cached entry, and a stamp to store a freshly read one with. */
  lookup(key: string): { hit?: V; stamp: string } {
    const v = this.changes.version();
    if (v !== this.seen) {
      this.map.clear();
      this.seen = v;
    }
    return { hit: this.map.get(key), stamp: `${v}:${this.generation}` };
  }

  /** Stores only if nothing changed since `lookup`, so a read that raced a write is never kept. */
  store(key: string, value: V, stamp: string): void {
    if (stamp !== `${this.changes.version()}:${this.generation}`) return;
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, value);
  }

  /** Reads through the cache: `read` runs on a miss, and its value is kept unless it is undefined. */
  async get(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const { hit, stamp } = this.lookup(key);
    if (hit !== undefined) return hit;
    const value = await read();
    if (value !== undefined) this.store(key, value, stamp);
    return value;
  }

  clear(): void {
    this.generation++;
    this.map.clear();
  }
}
