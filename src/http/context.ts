import type { AccessLog } from './access-log.js';
import type { RequestLogBook } from './request-log.js';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Store } from '../store/database.js';
import type { Repositories } from '../store/repositories/index.js';
import type { TokenService } from '../domain/auth/tokens.js';
import type { SignInService } from '../domain/auth/sign-in.service.js';
import type { UpstreamOidc } from '../domain/auth/upstream-oidc.js';
import type { MeetingService, ReserveRules } from '../domain/meeting/meeting.service.js';
import type { ChatService } from '../domain/meeting/chat.service.js';
import type { BookingService } from '../domain/booking/booking.service.js';
import type { Limiter } from './rate-limit.js';
import type { GuessThrottle } from '../domain/auth/guess-throttle.js';
import type { ExportService } from '../export/export.service.js';
import type { RecordingService } from '../recording/recording.service.js';
import type { MediaServer } from '../media/media-server.js';

/** What `/readyz` reports: each check's `ok` or why it failed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** Everything a route module may use; built once per server process. */
export interface AppContext {
  config: Config;
  /** Base URL for links we hand out (no trailing slash). */
  publicUrl: string;
  store: Store;
  repos: Repositories;
  tokens: TokenService;
  signIn: SignInService;
  /** set when an upstream OpenID Connect provider is configured */
  oidc?: UpstreamOidc;
  meetings: MeetingService;
  /** the meeting chat */
  chat: ChatService;
  bookings: BookingService;
  exports: ExportService;
  recordings: RecordingService;
  /** What reserves decide about their meetings. */
  reserveRules: ReserveRules;
  /** per-process (SQLite) or cluster-wide (PostgreSQL) rate limits */
  rateLimiter: Limiter;
  /** Counts failed credential guesses and refuses locked sources (app secrets, admin key, meeting passwords, user passwords). */
  throttle: GuessThrottle;
  /** The readiness checks behind `/readyz`. */
  readiness: () => Promise<Readiness>;
  /** Wakes this process's event dispatcher (after a redelivery was requested). */
  events: { nudge(): void };
  /** The SFU; the media socket attaches peers to it. */
  media: MediaServer;
  logger: Logger;
  /** writes each request's access line (same destination as `logger`, no redaction: the line holds nothing secret) */
  accessLog?: AccessLog;
  /** recent requests' log lines, kept for the troubleshooter page of their errors */
  requestLog?: RequestLogBook;
}
