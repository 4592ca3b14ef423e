import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { publicUrlOf, type Config } from '../config/config.js';
import { openStore, migrateToLatest, type Store } from '../store/database.js';
import { repositories, type Repositories } from '../store/repositories/index.js';
import { TokenService } from '../domain/auth/tokens.js';
import { SignInService } from '../domain/auth/sign-in.service.js';
import { UpstreamOidc } from '../domain/auth/upstream-oidc.js';
import { parseSeedJson, seedProblems, SeedError, type Seed } from '../domain/seed.js';
import type { SeedSummary } from '../store/repositories/directory.repository.js';
import { demoSeed, DEMO_REDIRECT_URI, DEMO_TENANT_KEY } from '../domain/demo.js';
import { RateLimiter, SharedRateLimiter } from '../http/rate-limit.js';
import { RequestLogBook } from '../http/request-log.js';
import { buildApp } from './http-app.js';
import { readinessOf } from './health.js';
import { GuessThrottle } from '../domain/auth/guess-throttle.js';
import type { AppContext, Readiness } from '../http/context.js';
import { startMaintenance } from '../jobs/maintenance.js';
import { JobRunner } from '../jobs/runner.js';
import { EventDispatcher } from '../events/dispatcher.js';
import { ChatService } from '../domain/meeting/chat.service.js';
import { requestUrlProblem } from '../events/request-url.js';
import { registerReserveJobs } from './jobs/reserve-jobs.js';
import { MeetingService } from '../domain/meeting/meeting.service.js';
import { registerMeetingJobs, startSessionSweeper } from './jobs/meeting-jobs.js';
import { endMeetingOfReserve, reserveRules } from '../domain/meeting/reserved-meetings.js';
import { BookingService } from '../domain/booking/booking.service.js';
import { reserveConfigPolicy } from '../domain/booking/policy.js';
import { registerBookingJobs } from './jobs/booking-jobs.js';
import { registerConsoleJobs } from './jobs/console-jobs.js';
import { ExportService } from '../export/export.service.js';
import { registerExportJobs } from './jobs/export-jobs.js';
import type { MeetingCapture } from '../media/capture.js';
import { RecordingService } from '../recording/recording.service.js';
import { RecordingProcessor } from '../recording/recording-processor.js';
import { registerRecordingJobs } from './jobs/recording-jobs.js';
import { MediaServer } from '../media/media-server.js';
import { iceConfigFor, urlList } from '../media/ice-servers.js';
import { MediaPlacement } from '../media/placement.js';
import { createHmac } from 'node:crypto';
import { directAccessLog, pinoAccessLog, type AccessLog } from '../http/access-log.js';

export interface Runtime {
  config: Config;
  store: Store;
  repos: Repositories;
  tokens: TokenService;
  /** passwords, invitations and browser sign-in sessions */
  signIn: SignInService;
  /** sign-in through an upstream OpenID Connect provider, when one is configured */
  oidc?: UpstreamOidc;
  /** Failed credential guesses, counted in the store. */
  throttle: GuessThrottle;
  /** Durable jobs; each feature registers its handlers here. Started by the server only. */
  jobs: JobRunner;
  meetings: MeetingService;
  /** the meeting chat */
  chat: ChatService;
  bookings: BookingService;
  exports: ExportService;
  /** Export jobs, apart from `jobs` so that a long export holds up no other job. Started by the server only. */
  exportJobs: JobRunner;
  recordings: RecordingService;
  recordingProcessor: RecordingProcessor;
  /** Recording processing, apart from `jobs` for the same reason. Started by the server only. */
  recordingJobs: JobRunner;
  /** Where public URLs are made; set once the server knows its port. */
  links: { publicUrl: string };
  /** Sends outbox events to apps' request URLs. Started by the server only. */
  dispatcher: EventDispatcher;
  /** The SFU carrying this process's meeting media; `media.capture` writes recordings' raw tracks. */
  media: MediaServer;
  /** `/readyz`: store reachable, migrations run, job runners polling (they poll only in a server). */
  readiness: () => Promise<Readiness>;
  logger: Logger;
  /** writes the per-request access line (unredacted; see createLoggers) */
  accessLog: AccessLog;
  /** recent requests' log lines, for the troubleshooter page */
  requestLog: RequestLogBook;
}

/**
 * The server's loggers: JSON lines on stdout, each request's lines also kept in `requestLog` for its
 * troubleshooter page. Lines are written asynchronously and in batches (pino flushes what is left when
 * the process exits), so a busy server makes one system call per many lines. `access` writes the
 * per-request line to the same destination without redaction: that line carries only the method, route
 * pattern, status, duration, app id and log id, none of them secret, and redaction was the costliest step
 * of logging a request.
 */
export function createLoggers(config: Config, requestLog?: RequestLogBook): { logger: Logger; access: AccessLog } {
  // Lines are gathered up to 4 KiB (or 100 ms, whichever first) per write, not one write per line.
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
  // Every line goes to stdout and, through `keep`, to the troubleshooter's book.
  const into = (keep: (line: string) => void) => (requestLog ? { write: (line: string) => (keep(line), stdout.write(line)) } : stdout);
  const destination = into((line) => requestLog?.record(line));
  // The access line joins a request's kept lines only when it has some (it failed, or logged before).
  const accessDestination = { write: (line: string, logId: string) => (requestLog?.appendFor(logId, line), stdout.write(line)) };
  const logger = pino({
    level: config.logLevel,
    base: { service: 'openvc' },
    redact: { paths: ['req.headers.authorization', '*.app_secret', '*.access_token', '*.refresh_token', '*.tenant_access_token', '*.code', '*.encrypt_key', '*.verification_token', '*.adminKey', '*.password', '*.oidcClientSecret'], censor: '[redacted]' },
  }, destination);
  return { logger, access: directAccessLog(logger.isLevelEnabled('info'), 'openvc', accessDestination) };
}

export interface RuntimeOptions {
  logger?: Logger;
  /** where requests' log lines are kept for the troubleshooter page (a given logger must write into it) */
  requestLog?: RequestLogBook;
  /** Writes meetings' media for their recordings (the SFU's); without one, recordings are made from no tracks. */
  capture?: MeetingCapture;
}

/** Opens the store, migrates it and wires the services; shared by the server and the CLI commands. */
export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const requestLog = opts.requestLog ?? new RequestLogBook();
  const loggers = opts.logger ? { logger: opts.logger, access: pinoAccessLog(opts.logger) } : createLoggers(config, requestLog);
  const logger = loggers.logger;
  const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, backgroundCheckpoint: true }, (err) => logger.warn({ err }, 'store error'));
  try {
    await migrateToLatest(store);
  } catch (e) {
    await store.close();
    throw e;
  }
  const repos = repositories(store);
  const key = Buffer.from(await repos.settings.getOrCreate('token_key', () => randomBytes(32).toString('hex')), 'hex');
  const tokens = new TokenService(repos.apps, repos.tokens, key, { tenantS: config.tenantTokenTtl, userS: config.userTokenTtl });
  const throttle = new GuessThrottle(repos.throttle, {
    pairFailures: config.guessFailures,
    sourceFailures: config.guessSourceFailures,
    targetFailures: config.guessTargetFailures,
    lockMs: config.guessLock * 1000,
    maxLockMs: config.guessMaxLock * 1000,
  });
  const signIn = new SignInService(repos.credentials, repos.directory, { sessionTtlS: config.signInSessionTtl, throttle });
  const jobs = new JobRunner(repos.jobs, logger);
  const meetings = new MeetingService(store.db, repos, {
    heartbeatTimeoutMs: config.heartbeatTimeout * 1000,
    emptyGraceMs: config.emptyMeetingGrace * 1000,
    ringTimeoutMs: config.ringTimeout * 1000,
    participantLimit: config.participantLimit,
  });
  registerMeetingJobs(jobs, meetings);
  registerReserveJobs({ jobs, repos }, endMeetingOfReserve(repos, meetings));
  // The one place the booking policy is chosen.
  const bookings = new BookingService({ repos, meetings, reserveRules: reserveRules(repos), policy: reserveConfigPolicy(repos), checkInWindowMs: config.bookingCheckInWindow * 60_000 });
  registerBookingJobs(jobs, bookings);
  registerConsoleJobs(jobs, store.db, repos);
  meetings.onMeetingEnded(bookings.releaseForMeeting);
  // An ended meeting's media assignment goes with it (the table holds live meetings only).
  meetings.onMeetingEnded((m, _at, trx) => repos.mediaNodes.release(m.tenantKey, m.id, trx));
  const exports = new ExportService(store.db, repos, { fileTtlMs: config.exportFileTtl * 1000 }, logger);
  const exportJobs = new JobRunner(repos.jobs, logger, { pollMs: 500, leaseMs: 30_000, maxAttempts: 3 });
  registerExportJobs(exportJobs, exports);
  const dispatcher = new EventDispatcher(
    repos,
    { timeoutMs: config.eventTimeout, retryDelaysMs: [15_000, 300_000, 3_600_000, 21_600_000].map((ms) => Math.max(1, Math.round(ms * config.eventRetryScale))), pollMs: 200, batch: 200, concurrency: config.eventConcurrency },
    logger,
  );
  meetings.onEventsCommitted(() => dispatcher.nudge());
  const chat = new ChatService(store.db, repos, meetings);
  chat.onEventsCommitted(() => dispatcher.nudge());
  const media = new MediaServer(repos, logger, {
    iceHosts: config.mediaIceHosts.split(',').map((h) => h.trim()).filter(Boolean),
    maxVideoStreams: config.mediaMaxVideoStreams,
    answerTimeoutMs: 10_000,
    refreshMs: 3000,
    iceConfig: (sessionId) =>
      iceConfigFor({ stunUrls: urlList(config.mediaStunUrls), turnUrls: urlList(config.mediaTurnUrls), turnSecret: config.mediaTurnSecret, turnTtlS: config.mediaTurnTtl, transportPolicy: config.mediaIceTransportPolicy }, sessionId, Date.now()),
  });
  meetings.onMeetingChanged((_tenantKey, meetingId) => media.meetingChanged(meetingId));
  const links = { publicUrl: publicUrlOf(config) };
  const recordings = new RecordingService(repos, meetings, opts.capture ?? media.capture, { dataDir: config.dataDir, publicUrl: () => links.publicUrl }, logger);
  meetings.onChange(recordings.onMeetingChange);
  const recordingProcessor = new RecordingProcessor(
    store.db,
    repos,
    recordings,
    { ffmpeg: { ffmpeg: config.ffmpegPath, ffprobe: config.ffprobePath, threads: config.recordingThreads }, closeWaitMs: config.recordingCloseWait * 1000 },
    logger,
  );
  recordingProcessor.onEventsCommitted(() => dispatcher.nudge());
  const recordingJobs = new JobRunner(repos.jobs, logger, { pollMs: 500, leaseMs: 60_000, maxAttempts: 5 });
  registerRecordingJobs(recordingJobs, recordingProcessor);
  const readiness = readinessOf({ store, runners: { jobs, exportJobs, recordingJobs } });
  const oidc = config.oidcIssuer
    ? new UpstreamOidc(
        { issuer: config.oidcIssuer, clientId: config.oidcClientId!, clientSecret: config.oidcClientSecret!, claim: config.oidcClaim, redirectUri: () => `${links.publicUrl}/signin/oidc/callback` },
        repos.credentials,
        repos.directory,
        signIn,
      )
    : undefined;
  return { config, store, repos, tokens, throttle, signIn, ...(oidc ? { oidc } : {}), jobs, meetings, chat, bookings, exports, exportJobs, recordings, recordingProcessor, recordingJobs, links, dispatcher, media, readiness, logger, accessLog: loggers.access, requestLog };
}

/**
 * Applies a seed file. Its apps' request URLs pass the checks the admin API makes (not this server, by
 * any spelling of its address): a seed is no way around them.
 */
export async function applySeedFile(rt: Runtime, path: string): Promise<SeedSummary> {
  const input = parseSeedJson(readFileSync(path, 'utf8'), path);
  // Every problem in one report: shape, consistency, scopes, references to the store's departments, URLs.
  const tenants = Array.isArray((input as { tenants?: unknown })?.tenants) ? ((input as { tenants: unknown[] }).tenants as { tenant_key?: unknown; apps?: unknown }[]) : [];
  const keys = tenants.map((t) => t?.tenant_key).filter((k): k is string => typeof k === 'string');
  const existing = await rt.repos.directory.departmentIdsByTenant([...new Set(keys)]);
  const problems = seedProblems(input, (tk) => existing.get(tk));
  const self = { publicUrl: rt.links.publicUrl, port: rt.config.port };
  tenants.forEach((t, ti) =>
    (Array.isArray(t?.apps) ? (t.apps as { events?: { request_url?: unknown } }[]) : []).forEach((a, ai) => {
      const url = a?.events?.request_url;
      const problem = typeof url === 'string' ? requestUrlProblem(url, self) : undefined;
      if (problem) problems.push(`$.tenants[${ti}].apps[${ai}].events.request_url: ${problem}`);
    }),
  );
  if (problems.length > 0) throw new SeedError(problems);
  return rt.repos.directory.applySeed(input as Seed);
}

export interface DemoInfo {
  appId: string;
  appSecret: string;
  userId: string;
  userAccessToken: string;
  /** the demo users' password, printed so that a newcomer can sign in at once */
  password: string;
}

/**
 * Creates the demo tenant on an empty store, its users with one random password; on later starts finds it
 * again. The demo password is kept in the store's settings so that every start can print it: the demo
 * tenant is for trying openvc out, not for real users (docs/decisions.md "Sign-in"). Issues a fresh user token.
 */
export async function ensureDemo(rt: Runtime): Promise<DemoInfo | undefined> {
  const fresh = (await rt.repos.directory.tenantCount()) === 0;
  if (fresh) await rt.repos.directory.applySeed(demoSeed());
  const app = await rt.repos.apps.firstOfTenant(DEMO_TENANT_KEY);
  if (!app) return undefined;
  // A demo store from before registered redirects: the banner's sign-in link must still work.
  if (app.redirectUris.length === 0) await rt.repos.apps.saveRedirectUris(app.appId, [DEMO_REDIRECT_URI]);
  const dir = rt.repos.directory.forTenant(app.tenantKey, app.appId);
  const users = await dir.activeUsers(200);
  const user = users[0];
  if (!user) return undefined;
  // A demo store from before the administrator role: its first user becomes the administrator, as on a fresh one.
  if ((await rt.repos.directory.adminCount(app.tenantKey)) === 0) await rt.repos.directory.setAdmin(app.tenantKey, user.user_id, true);
  const password = await rt.repos.settings.getOrCreate('demo_password', () => randomBytes(9).toString('base64url'));
  // Fresh demo users, and those of a demo store from before sign-in, get the printed password.
  for (const u of users) if (fresh || !(await rt.repos.credentials.passwordHash(app.tenantKey, u.user_id))) await rt.signIn.setPassword(app.tenantKey, u.user_id, password);
  const issued = await rt.tokens.issueUserTokens(app, user.user_id, app.scopes, 'v1', Date.now());
  return { appId: app.appId, appSecret: app.appSecret, userId: user.user_id, userAccessToken: issued.accessToken, password };
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  runtime: Runtime;
  demo?: DemoInfo;
  close(): Promise<void>;
}

export type StartOptions = RuntimeOptions;

/** Thrown when the configured address cannot be listened on; the message says what to change. */
export class ListenError extends Error {
  override name = 'ListenError';
}

function listenProblem(e: NodeJS.ErrnoException, host: string, port: number): ListenError {
  if (e.code === 'EADDRINUSE') return new ListenError(`port ${port} on ${host} is already in use (another openvc or another server?): stop it, or choose another port with --port or OPENVC_PORT`);
  if (e.code === 'EACCES') return new ListenError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): choose another with --port or OPENVC_PORT`);
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') return new ListenError(`cannot listen on ${host}: no such local address; check --host or OPENVC_HOST`);
  return new ListenError(`cannot listen on ${host}:${port}: ${e.message}`);
}

/** Fails before anything is opened or created when the address is taken, rather than after migrating a store. */
async function checkListenable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(listenProblem(e, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  await checkListenable(config.host, config.port);
  // A start that fails must not leave a new, empty database behind.
  const dbFile = config.databaseUrl ? undefined : join(config.dataDir, 'openvc.db');
  const createdStore = dbFile !== undefined && !existsSync(dbFile);
  const removeCreatedStore = () => {
    if (!createdStore) return;
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  };
  let rt: Runtime;
  try {
    rt = await openRuntime(config, opts);
  } catch (e) {
    removeCreatedStore();
    throw e;
  }
  try {
    if (config.seed) {
      const summary = await applySeedFile(rt, config.seed);
      rt.logger.info({ seed: config.seed, ...summary }, 'seed applied');
    }
    const demo = config.demo ? await ensureDemo(rt) : undefined;
    const ctx: AppContext = {
      config,
      publicUrl: publicUrlOf(config),
      store: rt.store,
      repos: rt.repos,
      tokens: rt.tokens,
      signIn: rt.signIn,
      ...(rt.oidc ? { oidc: rt.oidc } : {}),
      throttle: rt.throttle,
      readiness: rt.readiness,
      meetings: rt.meetings,
      chat: rt.chat,
      bookings: rt.bookings,
      exports: rt.exports,
      recordings: rt.recordings,
      reserveRules: reserveRules(rt.repos),
      // One process on SQLite counts in memory; processes sharing PostgreSQL count together in the store.
      rateLimiter: rt.store.dialect === 'postgres' ? new SharedRateLimiter(rt.repos.rateWindows) : new RateLimiter(),
      events: rt.dispatcher,
      media: rt.media,
      logger: rt.logger,
      accessLog: rt.accessLog,
      requestLog: rt.requestLog,
    };
    const app = await buildApp(ctx);
    await app.listen({ host: config.host, port: config.port }).catch((e: NodeJS.ErrnoException) => {
      throw e.code ? listenProblem(e, config.host, config.port) : e;
    });
    const port = (app.server.address() as AddressInfo).port;
    // With --port 0 the public URL is only known now.
    if (!config.publicUrl) ctx.publicUrl = publicUrlOf(config, port);
    rt.links.publicUrl = ctx.publicUrl;
    if (rt.store.dialect === 'postgres') await startPlacement(rt, port);
    const stopMaintenance = startMaintenance({ tokens: rt.tokens, jobs: rt.repos.jobs, deliveries: rt.repos.deliveries, throttle: rt.repos.throttle, rateWindows: rt.repos.rateWindows, credentials: rt.repos.credentials, consoleRequests: rt.repos.console, eventRetentionMs: config.eventRetention * 86_400_000, guessQuietMs: config.guessMaxLock * 1000 }, rt.logger);
    rt.jobs.start();
    rt.exportJobs.start();
    rt.recordingJobs.start();
    await rt.recordings.resumeCaptures();
    rt.dispatcher.start();
    const stopSweeper = startSessionSweeper(rt.meetings, rt.logger, Math.max(1000, (config.heartbeatTimeout * 1000) / 3));
    return {
      app,
      url: ctx.publicUrl,
      runtime: rt,
      ...(demo ? { demo } : {}),
      close: async () => {
        stopMaintenance();
        stopSweeper();
        await rt.jobs.stop();
        await rt.exportJobs.stop();
        await rt.recordingJobs.stop();
        await rt.dispatcher.stop();
        await rt.media.placement.stop();
        await rt.media.close();
        await app.close();
        await rt.store.close();
      },
    };
  } catch (e) {
    await rt.media.placement.stop().catch(() => undefined);
    await rt.media.close().catch(() => undefined);
    await rt.store.close();
    removeCreatedStore();
    throw e;
  }
}

/**
 * Processes sharing PostgreSQL: this one registers as a media node (docs/decisions.md "Media placement").
 * Node rows are signed with a key derived from the store's token key, so only processes of this
 * deployment write rows the others will relay to.
 */
async function startPlacement(rt: Runtime, port: number): Promise<void> {
  const { config } = rt;
  const tokenKey = await rt.repos.settings.getOrCreate('token_key', () => randomBytes(32).toString('hex'));
  const key = createHmac('sha256', Buffer.from(tokenKey, 'hex')).update('openvc media nodes').digest();
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const address = (config.mediaNodeUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, '');
  const timeoutMs = config.mediaNodeTimeout * 1000;
  const placement = MediaPlacement.cluster(
    rt.repos.mediaNodes,
    { nodeId: randomBytes(9).toString('base64url'), address, capacity: config.mediaNodeCapacity, heartbeatMs: Math.max(100, Math.round(timeoutMs / 3)), deadMs: timeoutMs, key },
    () => rt.media.stats().peers,
    rt.logger,
  );
  rt.media.placement = placement;
  // In the background: the start does not wait for werift, but a takeover later need not load it.
  void rt.media.preload().catch((err: unknown) => rt.logger.warn({ err }, 'media: could not load the media engine'));
  await placement.start(() => rt.media.evictMoved());
}
