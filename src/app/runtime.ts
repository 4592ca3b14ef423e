import { readFileSync } from 'node:fs';
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
import { parseSeedText, SeedError } from '../domain/seed.js';
import type { SeedSummary } from '../store/repositories/directory.repository.js';
import { demoSeed, DEMO_REDIRECT_URI, DEMO_TENANT_KEY } from '../domain/demo.js';
import { RateLimiter } from '../http/rate-limit.js';
import { buildApp } from './http-app.js';
import { readinessOf } from './health.js';
import { GuessThrottle } from '../domain/auth/guess-throttle.js';
import type { AppContext, Readiness } from '../http/context.js';
import { startMaintenance } from '../jobs/maintenance.js';
import { JobRunner } from '../jobs/runner.js';
import { EventDispatcher } from '../events/dispatcher.js';
import { requestUrlProblem } from '../events/request-url.js';
import { registerReserveJobs } from './jobs/reserve-jobs.js';
import { MeetingService } from '../domain/meeting/meeting.service.js';
import { registerMeetingJobs, startSessionSweeper } from './jobs/meeting-jobs.js';
import { endMeetingOfReserve, reserveRules } from '../domain/meeting/reserved-meetings.js';
import { BookingService } from '../domain/booking/booking.service.js';
import { reserveConfigPolicy } from '../domain/booking/policy.js';
import { registerBookingJobs } from './jobs/booking-jobs.js';
import { ExportService } from '../export/export.service.js';
import { registerExportJobs } from './jobs/export-jobs.js';
import type { MeetingCapture } from '../media/capture.js';
import { RecordingService } from '../recording/recording.service.js';
import { RecordingProcessor } from '../recording/recording-processor.js';
import { registerRecordingJobs } from './jobs/recording-jobs.js';
import { MediaServer } from '../media/media-server.js';

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
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'openvc' },
    redact: { paths: ['req.headers.authorization', '*.app_secret', '*.access_token', '*.refresh_token', '*.tenant_access_token', '*.code', '*.encrypt_key', '*.verification_token', '*.adminKey', '*.password', '*.oidcClientSecret'], censor: '[redacted]' },
  });
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Writes meetings' media for their recordings (the SFU's); without one, recordings are made from no tracks. */
  capture?: MeetingCapture;
}

/** Opens the store, migrates it and wires the services; shared by the server and the CLI commands. */
export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? createLogger(config);
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
  meetings.onMeetingEnded(bookings.releaseForMeeting);
  const exports = new ExportService(store.db, repos, { fileTtlMs: config.exportFileTtl * 1000 }, logger);
  const exportJobs = new JobRunner(repos.jobs, logger, { pollMs: 500, leaseMs: 30_000, maxAttempts: 3 });
  registerExportJobs(exportJobs, exports);
  const dispatcher = new EventDispatcher(
    repos,
    { timeoutMs: config.eventTimeout, retryDelaysMs: [15_000, 300_000, 3_600_000, 21_600_000].map((ms) => Math.max(1, Math.round(ms * config.eventRetryScale))), pollMs: 200, batch: 200, concurrency: config.eventConcurrency },
    logger,
  );
  meetings.onEventsCommitted(() => dispatcher.nudge());
  const media = new MediaServer(repos, logger, {
    iceHosts: config.mediaIceHosts.split(',').map((h) => h.trim()).filter(Boolean),
    maxVideoStreams: config.mediaMaxVideoStreams,
    answerTimeoutMs: 10_000,
    refreshMs: 3000,
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
  return { config, store, repos, tokens, throttle, signIn, ...(oidc ? { oidc } : {}), jobs, meetings, bookings, exports, exportJobs, recordings, recordingProcessor, recordingJobs, links, dispatcher, media, readiness, logger };
}

/**
 * Applies a seed file. Its apps' request URLs pass the checks the admin API makes (not this server, by
 * any spelling of its address): a seed is no way around them.
 */
export async function applySeedFile(rt: Runtime, path: string): Promise<SeedSummary> {
  const seed = parseSeedText(readFileSync(path, 'utf8'), path);
  const self = { publicUrl: rt.links.publicUrl, port: rt.config.port };
  const problems = seed.tenants.flatMap((t, ti) =>
    (t.apps ?? []).flatMap((a, ai) => {
      const problem = a.events?.request_url === undefined ? undefined : requestUrlProblem(a.events.request_url, self);
      return problem ? [`$.tenants[${ti}].apps[${ai}].events.request_url: ${problem}`] : [];
    }),
  );
  if (problems.length > 0) throw new SeedError(problems);
  return rt.repos.directory.applySeed(seed);
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

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const rt = await openRuntime(config, opts);
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
      bookings: rt.bookings,
      exports: rt.exports,
      recordings: rt.recordings,
      reserveRules: reserveRules(rt.repos),
      rateLimiter: new RateLimiter(),
      events: rt.dispatcher,
      media: rt.media,
      logger: rt.logger,
    };
    const app = await buildApp(ctx);
    await app.listen({ host: config.host, port: config.port });
    const port = (app.server.address() as AddressInfo).port;
    // With --port 0 the public URL is only known now.
    if (!config.publicUrl) ctx.publicUrl = publicUrlOf(config, port);
    rt.links.publicUrl = ctx.publicUrl;
    const stopMaintenance = startMaintenance({ tokens: rt.tokens, jobs: rt.repos.jobs, deliveries: rt.repos.deliveries, throttle: rt.repos.throttle, credentials: rt.repos.credentials, eventRetentionMs: config.eventRetention * 86_400_000, guessQuietMs: config.guessMaxLock * 1000 }, rt.logger);
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
        await rt.media.close();
        await app.close();
        await rt.store.close();
      },
    };
  } catch (e) {
    await rt.store.close();
    throw e;
  }
}
