/**
 * A progress bar on a terminal (`[#####.....] 120/500 meetings  12.3/s  eta 30s`, redrawn in place),
 * or a plain line at every tenth of the way when the output is a file or a pipe.
 */

export interface ProgressOptions {
  total: number;
  /** what is counted: "meetings", "s" */
  unit: string;
  /** show the rate and the time left (off when the count is itself time) */
  rate?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
}

const WIDTH = 30;
const REDRAW_MS = 100;

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly now: () => number;
  private readonly started: number;
  private lastDraw = -Infinity;
  private lastTenth = -1;
  private done = 0;
  private note = '';

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.now = o.now ?? Date.now;
    this.started = this.now();
  }

  /** The count so far, and an optional note shown after it. */
  update(done: number, note?: string): void {
    this.done = done;
    if (note !== undefined) this.note = note;
    const t = this.now();
    if (this.stream.isTTY) {
      if (t - this.lastDraw < REDRAW_MS && done < this.o.total) return;
      this.lastDraw = t;
      this.stream.write(`\r${this.line(t)}\x1b[K`);
      return;
    }
    const tenth = this.o.total > 0 ? Math.floor((10 * done) / this.o.total) : 10;
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.line(t)}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write(`\r${this.line(this.now())}\x1b[K\n`);
    else if (this.lastTenth < 10) this.stream.write(`${this.line(this.now())}\n`);
  }

  line(t: number): string {
    const { total, unit } = this.o;
    const share = total > 0 ? Math.min(1, this.done / total) : 1;
    const filled = Math.round(share * WIDTH);
    const parts = [`[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${this.done}/${total} ${unit}`];
    if (this.o.rate !== false) {
      const elapsed = (t - this.started) / 1000;
      const rate = elapsed > 0 ? this.done / elapsed : 0;
      parts.push(`${rate.toFixed(1)}/s`, `eta ${rate > 0 ? duration((total - this.done) / rate) : '?'}`);
    }
    if (this.note) parts.push(this.note);
    return parts.join('  ');
  }
}
