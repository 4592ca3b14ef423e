/**
 * The log lines of this process's recent requests, by log id, so that the `troubleshooter` link of an error
 * (`/troubleshoot?log_id=…`) can show them to an administrator of the tenant that made the request. Lines
 * are kept as the logger wrote them (already redacted). Bounded: the newest `maxRequests` requests, at most
 * `maxLinesPerRequest` lines each; older ones are dropped first. Only this process's requests are here; the
 * log stream (stdout) holds every process's.
 */
export interface RequestLogEntry {
  lines: string[];
  /** the tenant of the caller, once an error was rendered for an identified caller */
  tenantKey?: string;
  /** the Feishu code the error carried */
  code?: number;
}

const LOG_ID_FIELD = '"log_id":"';

/** The log id a JSON log line carries, if any (at most 64 characters). */
function logIdOf(line: string): string | undefined {
  const at = line.indexOf(LOG_ID_FIELD);
  if (at < 0) return undefined;
  const start = at + LOG_ID_FIELD.length;
  const end = line.indexOf('"', start);
  return end < 0 || end - start > 64 ? undefined : line.slice(start, end);
}

export class RequestLogBook {
  private readonly entries = new Map<string, RequestLogEntry>();

  constructor(
    readonly maxRequests = 5000,
    private readonly maxLinesPerRequest = 50,
  ) {}

  /** A line as the logger writes it (JSON); lines without a log id (start-up, jobs) are not kept. */
  record(line: string): void {
    const logId = logIdOf(line);
    if (logId !== undefined) this.keep(this.entry(logId), line);
  }

  /**
   * A line that belongs with a request only if the request already has lines here (the access line, whose
   * writer knows its log id): a request that logged nothing and did not fail would never be shown, so it
   * takes no place in the book.
   */
  appendFor(logId: string, line: string): void {
    const entry = this.entries.get(logId);
    if (entry) this.keep(entry, line);
  }

  private keep(entry: RequestLogEntry, line: string): void {
    if (entry.lines.length < this.maxLinesPerRequest) entry.lines.push(line.trimEnd());
  }

  /** Marks the request as failed for an identified caller of this tenant (whose administrators may see it). */
  failed(logId: string, code: number, tenantKey: string | undefined): void {
    const entry = this.entry(logId);
    entry.code = code;
    if (tenantKey !== undefined) entry.tenantKey = tenantKey;
  }

  get(logId: string): RequestLogEntry | undefined {
    return this.entries.get(logId);
  }

  private entry(logId: string): RequestLogEntry {
    let entry = this.entries.get(logId);
    if (!entry) {
      entry = { lines: [] };
      this.entries.set(logId, entry);
      if (this.entries.size > this.maxRequests) this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry;
  }
}
