/**
 * Export files in the database (export_file_chunks): written through a Writable that cuts the byte
 * stream into chunks of about a MiB, read back as a stream of those chunks. Neither side holds more
 * than a chunk or two.
 */
import { Readable, Writable } from 'node:stream';
import type { ExportRepository } from '../store/repositories/export.repository.js';

const CHUNK = 1024 * 1024;

export class ChunkWriter extends Writable {
  private parts: Buffer[] = [];
  private pending = 0;
  private seq = 0;
  /** bytes written */
  size = 0;

  constructor(
    private readonly repo: ExportRepository,
    private readonly taskId: string,
  ) {
    super({ highWaterMark: CHUNK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.parts.push(chunk);
    this.pending += chunk.length;
    this.size += chunk.length;
    if (this.pending < CHUNK) return callback();
    this.flush().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush().then(() => callback(), callback);
  }

  private async flush(): Promise<void> {
    if (this.pending === 0) return;
    const data = Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    await this.repo.putChunk(this.taskId, this.seq++, data);
  }
}

/** The file's bytes in order; a few chunks are read at a time. */
export function readFile(repo: ExportRepository, taskId: string): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; ; ) {
      const rows = await repo.chunks(taskId, seq, 4);
      if (rows.length === 0) return;
      for (const r of rows) yield r.data;
      seq = rows[rows.length - 1]!.seq + 1;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
