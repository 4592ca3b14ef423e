import { randomInt } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Progress } from '../simulate/progress.js';
import { configFromOptions, loadRuntime, storeOptions } from './options.js';

const DAY = 86_400_000;

function count(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

/**
 * An ISO date or date-time, unix seconds, or `<n>d` for n days before now (so that an example stays inside
 * the report window whenever it is run). A bare date as `--to` means the end of that day.
 */
function instant(endOfDay: boolean) {
  return (v: string): number => {
    const daysAgo = /^(\d{1,4})d$/.exec(v);
    if (daysAgo) return Date.now() - Number(daysAgo[1]) * DAY;
    const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (!Number.isFinite(t)) throw new InvalidArgumentError('must be an ISO date (2024-05-01, 2024-05-01T09:00:00Z), unix seconds, or 30d (30 days ago)');
    return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(v) ? t + DAY : t;
  };
}

interface SimulateOptions {
  meetings: number;
  participants: number;
  from?: number;
  to?: number;
  tenant?: string;
  app?: string;
  seed?: number;
  live?: boolean;
  url?: string;
  duration: number;
  heartbeat: number;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  logLevel?: string;
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');

export function simulateCommand(): Command {
  return storeOptions(
    new Command('simulate').description(
      'fill the store with realistic meeting history through the meeting rules, or (--live) drive live meetings on a running server through the participant protocol',
    ),
  )
    .addOption(new Option('--meetings <n>', 'how many meetings').argParser(count(1)).default(10))
    .addOption(new Option('--participants <m>', 'participants per meeting: 2..M each in history, M in live meetings').argParser(count(2)).default(5))
    .addOption(new Option('--from <date>', 'history: start of the window the meetings fall in: ISO date, unix seconds or 30d (days ago) [7 days before --to]').argParser(instant(false)))
    .addOption(new Option('--to <date>', 'history: end of the window, same forms [now]').argParser(instant(true)))
    .addOption(new Option('--tenant <key>', "the tenant whose users meet (its first app is used) [the demo tenant, created on an empty store]"))
    .addOption(new Option('--app <app_id>', 'the app the sessions are opened through (implies its tenant)'))
    .addOption(new Option('--seed <n>', 'seed of the random choices; the same seed replays the same history [random]').argParser(count(0)))
    .addOption(new Option('--live', 'drive live meetings on a running server (needs --url and the store flags of that server, to issue user tokens)'))
    .addOption(new Option('--url <url>', 'live: base URL of the running server'))
    .addOption(new Option('--duration <seconds>', 'live: how long the meetings last').argParser(seconds).default(60))
    .addOption(new Option('--heartbeat <seconds>', 'live: seconds between heartbeats of each session').argParser(seconds).default(5))
    .action(async (opts: SimulateOptions, cmd: Command) => {
      if (opts.live && !opts.url) cmd.error('error: --live needs --url of the running server');
      if (!opts.live && opts.url) cmd.error('error: --url is for --live');
      const to = opts.to ?? Date.now();
      const from = opts.from ?? to - 7 * DAY;
      if (from >= to) cmd.error('error: --from must be before --to');
      const seed = opts.seed ?? randomInt(0, 2 ** 31);

      const { dataDir, databaseUrl, config, logLevel } = opts;
      const [{ openRuntime }, { simulateHistory }, { liveCast, runLive, userTokens }, { resolveTarget }] = await Promise.all([
        loadRuntime(),
        import('../simulate/history.js'),
        import('../simulate/live.js'),
        import('../simulate/target.js'),
      ]);
      const rt = await openRuntime(configFromOptions({ dataDir, databaseUrl, config, logLevel: logLevel ?? 'warn' }));
      let closed = false;
      const close = async () => {
        if (!closed) await rt.store.close();
        closed = true;
      };
      try {
        const target = await resolveTarget(rt, { ...(opts.tenant ? { tenant: opts.tenant } : {}), ...(opts.app ? { app: opts.app } : {}) });
        if (target.createdDemo) console.error(`the store was empty: created the demo tenant (app ${target.app.appId})`);

        if (!opts.live) {
          const progress = new Progress({ total: opts.meetings, unit: 'meetings' });
          const s = await simulateHistory(rt, target, { meetings: opts.meetings, participants: opts.participants, from, to, seed, onMeeting: (n) => progress.update(n) });
          progress.finish();
          console.log(
            `simulated ${s.meetings} meetings (${s.reserved} booked as reserves), ${s.sessions} sessions, ${s.samples} quality samples, ${s.events} events in ${s.seconds.toFixed(1)} s ` +
              `(${(s.meetings / s.seconds).toFixed(1)} meetings/s) — tenant ${target.tenantKey}, ${iso(from)} to ${iso(to)}, seed ${seed}`,
          );
          return;
        }

        const cast = liveCast(seed, target.userIds, opts.meetings, opts.participants);
        const tokens = await userTokens(rt, target, cast.flat());
        // Everything else goes through the server.
        await close();
        const stop = new AbortController();
        const onSignal = () => {
          console.error('\nleaving all sessions… (Ctrl-C again to quit at once)');
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        const progress = new Progress({ total: Math.round(opts.duration), unit: 's', rate: false });
        try {
          const s = await runLive({
            url: opts.url!.replace(/\/+$/, ''),
            cast,
            tokens,
            durationMs: opts.duration * 1000,
            heartbeatMs: opts.heartbeat * 1000,
            seed,
            signal: stop.signal,
            onTick: (t) => progress.update(Math.min(Math.round(opts.duration), Math.floor(t.seconds)), `${t.sessions} sessions  ${t.heartbeats} heartbeats  ${t.errors} errors`),
          });
          progress.finish();
          console.log(
            `ran ${s.meetingIds.length} live meetings, ${s.sessions} sessions, ${s.heartbeats} heartbeats, ${s.samples} quality samples, ${s.left} left, ${s.errors} errors in ${s.seconds.toFixed(1)} s — meetings ${s.meetingIds.join(' ')}`,
          );
        } finally {
          process.removeListener('SIGINT', onSignal);
        }
      } finally {
        await close();
      }
    });
}
