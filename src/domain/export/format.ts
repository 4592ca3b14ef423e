/**
 * How exported values read (export.md §9): date-times `2022.07.21 11:01:40 (GMT+08:00)` in a display
 * time zone, durations `01:00:00`, booleans 是/否, masked phone numbers `+86123****8910`.
 */

/** True when the runtime knows the IANA zone name (`Asia/Shanghai`, `UTC`, `Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

/**
 * Formats instants in one time zone. Exports format millions of times, and Intl costs microseconds per
 * call, so the zone's offset is looked up once per hour of time and reused: an hour whose start and end
 * share an offset has it throughout (zones change offset at most once in any hour); an hour with a
 * change in it is formatted exactly.
 */
export class ZonedTime {
  private readonly parts: Intl.DateTimeFormat;
  private readonly hours = new Map<number, number>();
  private readonly days = new Map<number, string>();

  constructor(readonly zone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** `2022.07.21 11:01:40 (GMT+08:00)` */
  dateTime(ms: number): string {
    const offset = this.offsetMinutes(ms);
    const local = ms + offset * 60_000;
    const day = Math.floor(local / DAY);
    const s = Math.floor((local - day * DAY) / 1000);
    return `${this.date(day)} ${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)} ${this.label(offset)}`;
  }

  /** `20220721_110140`, for file names. */
  stamp(ms: number): string {
    return this.dateTime(ms).slice(0, 19).replace(/[.:]/g, '').replace(' ', '_');
  }

  /** Days repeat across millions of rows: each is formatted once. */
  private date(day: number): string {
    let text = this.days.get(day);
    if (text === undefined) {
      const d = new Date(day * DAY);
      text = `${d.getUTCFullYear()}.${pad2(d.getUTCMonth() + 1)}.${pad2(d.getUTCDate())}`;
      if (this.days.size >= 10_000) this.days.clear();
      this.days.set(day, text);
    }
    return text;
  }

  private label(offset: number): string {
    const abs = Math.abs(offset);
    return `(GMT${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)})`;
  }

  /** Minutes east of UTC at `ms`. */
  offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR);
    let offset = this.hours.get(hour);
    if (offset === undefined) {
      const start = this.exactOffset(hour * HOUR);
      offset = start === this.exactOffset(hour * HOUR + HOUR - 1) ? start : Number.NaN;
      if (this.hours.size >= 100_000) this.hours.clear();
      this.hours.set(hour, offset);
    }
    return Number.isNaN(offset) ? this.exactOffset(ms) : offset;
  }

  private exactOffset(ms: number): number {
    const f: Record<string, number> = {};
    for (const p of this.parts.formatToParts(ms)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const asUtc = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  }
}

/** `HH:MM:SS`, hours growing past 99 when they must; negative spans read as zero. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}

export const yesNo = (b: boolean): string => (b ? '是' : '否');

/** The four characters before the last four become `****`: `+8612345678910` → `+86123****8910`. */
export function maskMobile(mobile: string | null | undefined): string {
  if (!mobile) return '';
  if (mobile.length <= 4) return '****';
  const end = mobile.length - 4;
  const start = Math.max(0, end - 4);
  return mobile.slice(0, start) + '****' + mobile.slice(end);
}

/** `50kbps`, `5ms`, `2%`: a number with its unit, at most one decimal; blank when unknown. */
export function withUnit(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return `${Math.round(value * 10) / 10}${unit}`;
}
