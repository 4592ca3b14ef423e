/**
 * Recomputes the report rollups from the meeting history, through the same rules the server applies
 * when a meeting ends (usage.ts), and the admin dashboard's rollups from the sessions, through the rules
 * of their joins and ends (console-rollup.service.ts): after an upgrade that brought reports, or to
 * repair them. Each tenant is rebuilt in one transaction, so its reports are never seen half done.
 *
 * Run it while no server writes to the store (as `openvc simulate`): a meeting ending during the rebuild
 * could be counted twice.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import { meetingUsage, rollup } from './usage.js';
import { rebuildConsoleRollups } from './console-rollup.service.js';

export interface RebuildOptions {
  /** only this tenant; all tenants with meetings or rollups otherwise */
  tenantKey?: string;
  /** meetings read per batch */
  batch?: number;
  /** called before the first batch with how many meetings will be read */
  onStart?: (total: number) => void;
  /** called after each batch with how many meetings have been read */
  onProgress?: (done: number) => void;
}

export interface RebuildSummary {
  tenants: number;
  meetings: number;
  /** sessions rolled up again into the dashboard */
  sessions: number;
}

export async function rebuildReports(db: Kysely<Database>, repos: Pick<Repositories, 'meetings' | 'reports' | 'sessions' | 'consoleRollups'>, o: RebuildOptions = {}): Promise<RebuildSummary> {
  // Tenants with rollups but no meetings left are rebuilt too: to nothing.
  const tenants = o.tenantKey
    ? [o.tenantKey]
    : [...new Set([...(await repos.meetings.tenantKeys()), ...(await repos.reports.tenantKeys()), ...(await repos.sessions.tenantKeys()), ...(await repos.consoleRollups.tenantKeys())])].sort();
  let total = 0;
  for (const t of tenants) total += await repos.meetings.countEnded(t);
  o.onStart?.(total);
  let done = 0;
  let sessions = 0;
  for (const tenantKey of tenants) {
    await db.transaction().execute(async (trx) => {
      await repos.consoleRollups.clear(tenantKey, trx);
      sessions += await rebuildConsoleRollups(repos, tenantKey, trx);
      await repos.reports.clear(tenantKey, trx);
      for (let after: { startedAt: number; id: string } | undefined; ; ) {
        const page = await repos.meetings.endedPage(tenantKey, after, o.batch ?? 5000, trx);
        const last = page.at(-1);
        if (!last) break;
        await repos.reports.add(rollup(page.flatMap((m) => meetingUsage(m) ?? [])), trx);
        done += page.length;
        o.onProgress?.(done);
        after = { startedAt: last.startedAt!, id: last.id };
      }
    });
  }
  return { tenants: tenants.length, meetings: done, sessions };
}
