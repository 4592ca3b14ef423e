/**
 * A minimal streaming zip writer (PKWARE APPNOTE 6.3): deflated entries whose sizes and CRC follow the
 * data in a data descriptor, so no entry is ever held in memory or written twice. Only what an xlsx needs:
 * no ZIP64 (an archive stops at 4 GiB with a ZipTooLarge), no encryption, no comments.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';

/** zlib streams take the stream options too, which the typings leave out. */
type ZlibOptionsWithMark = ZlibOptions & { highWaterMark: number };

const LIMIT = 0xffffffff;
/** bit 3: sizes and CRC in a data descriptor after the data; bit 11: names are UTF-8 */
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;

export class ZipTooLarge extends Error {
  override readonly name = 'ZipTooLarge';
}

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** MS-DOS time and date fields of a local time. */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** One entry being written: feed it with `write`, then `close` it. */
export class ZipEntry {
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private readonly deflate: DeflateRaw;
  private readonly pumped: Promise<void>;

  constructor(
    private readonly zip: ZipWriter,
    private readonly written: Omit<Written, 'crc' | 'compressed' | 'size'>,
    level: number,
  ) {
    // Large buffers on both sides: the producer formats the next rows while zlib (on the thread pool)
    // compresses the last ones, instead of the two taking turns in 16 KiB steps.
    const deflate = createDeflateRaw({ level, memLevel: 9, chunkSize: 256 * 1024, highWaterMark: 2 * 1024 * 1024 } as ZlibOptionsWithMark);
    this.deflate = deflate;
    // Compressed bytes go out as they come; awaiting each write makes the output's backpressure reach
    // the deflater (it stops reading) and through it the producer (its writes stop draining).
    this.pumped = (async () => {
      for await (const chunk of deflate as AsyncIterable<Buffer>) {
        this.compressed += chunk.length;
        await this.zip.put(chunk);
      }
    })();
    this.pumped.catch((e: unknown) => deflate.destroy(e as Error));
  }

  async write(data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (buf.length === 0) return;
    this.crc = crc32(buf, this.crc);
    this.size += buf.length;
    if (this.size > LIMIT) throw new ZipTooLarge('a part of the file would exceed 4 GiB');
    if (!this.deflate.write(buf)) await Promise.race([once(this.deflate, 'drain'), this.pumped]);
  }

  /** Gives the entry up (the archive will not be finished): frees the compressor at once. */
  abort(): void {
    this.deflate.destroy();
  }

  async close(): Promise<void> {
    this.deflate.end();
    await this.pumped;
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(this.crc >>> 0, 4);
    d.writeUInt32LE(this.compressed, 8);
    d.writeUInt32LE(this.size, 12);
    await this.zip.put(d);
    this.zip.closed({ ...this.written, crc: this.crc >>> 0, compressed: this.compressed, size: this.size });
  }
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];
  private readonly stamp = dosTime(new Date());

  constructor(
    private readonly out: Writable,
    /** deflate level, 1 (fast) … 9 (small) */
    private readonly level = 6,
  ) {}

  /** Starts an entry; one at a time, each closed before the next starts. */
  async entry(name: string): Promise<ZipEntry> {
    const nameBytes = Buffer.from(name, 'utf8');
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(VERSION, 4);
    h.writeUInt16LE(FLAGS, 6);
    h.writeUInt16LE(DEFLATE, 8);
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    // CRC and sizes (14…25) stay 0: the data descriptor carries them
    h.writeUInt16LE(nameBytes.length, 26);
    const offset = this.offset;
    await this.put(Buffer.concat([h, nameBytes]));
    return new ZipEntry(this, { name: nameBytes, offset }, this.level);
  }

  /** A small entry in one go. */
  async file(name: string, content: string): Promise<void> {
    const e = await this.entry(name);
    await e.write(content);
    await e.close();
  }

  /** Writes the central directory; the archive is complete once this resolves (the output is not ended). */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(VERSION, 4);
      c.writeUInt16LE(VERSION, 6);
      c.writeUInt16LE(FLAGS, 8);
      c.writeUInt16LE(DEFLATE, 10);
      c.writeUInt16LE(this.stamp.time, 12);
      c.writeUInt16LE(this.stamp.date, 14);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      await this.put(Buffer.concat([c, e.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.put(end);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.offset;
  }

  /** @internal raw output, honouring the output's backpressure */
  async put(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    if (this.offset > LIMIT) throw new ZipTooLarge('the file would exceed 4 GiB');
    if (!this.out.write(buf)) await once(this.out, 'drain');
  }

  /** @internal */
  closed(e: Written): void {
    this.entries.push(e);
  }
}
