import { Command, InvalidArgumentError, Option } from 'commander';
import { presentDelivery } from '../events/delivery-view.js';
import type { DeliveryFilter, DeliveryStatus } from '../store/repositories/delivery.repository.js';
import { storeOptions, withRuntime } from './options.js';

const STATUSES = ['pending', 'delivered', 'failed'];

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** The filter options `list` and `redeliver` share. */
function filterOptions(cmd: Command): Command {
  return storeOptions(cmd)
    .addOption(new Option('--app <app_id>', 'only this app'))
    .addOption(new Option('--status <status>', 'only deliveries in this status').choices(STATUSES))
    .addOption(new Option('--type <event_type>', 'only this event type'))
    .addOption(new Option('--event <event_id>', 'only this event'))
    .addOption(new Option('--since <time>', 'created at or after (ISO time or ms since the epoch)'));
}

function filterOf(opts: Record<string, unknown>): DeliveryFilter {
  const since = typeof opts.since === 'string' ? (/^\d+$/.test(opts.since) ? Number(opts.since) : Date.parse(opts.since)) : undefined;
  if (since !== undefined && Number.isNaN(since)) throw new Error(`--since ${String(opts.since)} is not a time`);
  return {
    ...(typeof opts.app === 'string' ? { appId: opts.app } : {}),
    ...(typeof opts.status === 'string' ? { status: opts.status as DeliveryStatus } : {}),
    ...(typeof opts.type === 'string' ? { eventType: opts.type } : {}),
    ...(typeof opts.event === 'string' ? { eventId: opts.event } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}

const iso = (ms: string | null) => (ms === null ? '' : new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function eventsCommand(): Command {
  const events = new Command('events').description('the event delivery log: inspect and redeliver');
  events.addCommand(
    filterOptions(new Command('list').description('list deliveries, newest first'))
      .addOption(new Option('--limit <n>', 'at most this many').default(50).argParser(positive))
      .option('--json', 'print JSON lines instead of a table')
      .action(async (opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const rows = (await rt.repos.deliveries.list(filterOf(opts), Number(opts.limit))).map(presentDelivery);
          if (opts.json) return void rows.forEach((r) => console.log(JSON.stringify(r)));
          if (rows.length === 0) return void console.error('no deliveries match');
          const head = ['created', 'status', 'tries', 'app', 'event type', 'event id', 'last'];
          console.log(table([head, ...rows.map((r) => [iso(r.created_at), r.status, String(r.attempts), r.app_id, r.event_type, r.event_id, r.last_error ?? (r.last_status === null ? '' : String(r.last_status))])]));
        }),
      ),
  );
  events.addCommand(
    storeOptions(new Command('show').description('one delivery and every attempt made'))
      .argument('<delivery_id>', 'delivery id (event_id:app_id, as `list --json` prints it)')
      .action(async (id: string, opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          const d = await rt.repos.deliveries.get(id);
          if (!d) throw new Error(`delivery ${id} does not exist`);
          const attempts = await rt.repos.deliveries.attempts(id);
          console.log(JSON.stringify({ ...presentDelivery(d), attempt_log: attempts.map((a) => ({ ...a, at: new Date(Number(a.at)).toISOString() })) }, null, 2));
        }),
      ),
  );
  events.addCommand(
    filterOptions(new Command('redeliver').description('send deliveries again, same event_id (a running server picks them up within its poll interval)'))
      .argument('[delivery_ids...]', 'delivery ids; or select with --app and the other filters')
      .action(async (ids: string[], opts: Record<string, unknown>) =>
        withRuntime(opts, async (rt) => {
          if (ids.length === 0 && typeof opts.app !== 'string') throw new Error('name the deliveries, or an app with --app');
          const count = await rt.repos.deliveries.redeliver({ ...filterOf(opts), ...(ids.length > 0 ? { ids } : {}) }, Date.now());
          console.log(`${count} deliveries queued again`);
        }),
      ),
  );
  return events;
}
