import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { methodById } from '../contract/methods.js';
import { isTimeZone } from '../domain/export/format.js';

/**
 * The one configuration object; each field's `description` is its documentation (the README table is
 * generated from it). Sources, strongest first: command-line flags, `OPENVC_*` environment variables, a
 * JSON config file (`--config` / `OPENVC_CONFIG`), then the defaults below.
 */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Interface the HTTP server binds to.' }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'TCP port of the HTTP server; 0 picks a free port.' }),
    dataDir: Type.String({ default: './data', minLength: 1, description: 'Directory of the embedded SQLite database (used when no databaseUrl is set) and of recordings (`recordings/<id>/`: raw tracks and the composed MP4; every process of a PostgreSQL deployment must see the same one).' }),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://… to use PostgreSQL instead of the embedded SQLite database.' })),
    databasePoolSize: Type.Integer({ default: 10, minimum: 1, maximum: 1000, description: 'PostgreSQL: most connections this process opens (its pool); each process of a deployment has its own.' }),
    seed: Type.Optional(Type.String({ minLength: 1, description: 'Seed file applied idempotently at start.' })),
    publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/]+(/.*[^/])?$', description: 'Base URL clients reach this server on (meeting links, OAuth pages); defaults to http://host:port.' })),
    demo: Type.Boolean({ default: true, description: 'Create the demo tenant and app on first start of an empty store.' }),
    rateLimit: Type.Boolean({ default: true, description: 'Feishu-style per API x app x tenant rate limits.' }),
    bodyLimit: Type.Integer({ default: 1_048_576, minimum: 1024, description: 'Largest accepted request body in bytes; larger bodies get HTTP 413.' }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'Log level: fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on stdout.' },
    ),
    rateLimits: Type.Record(
      Type.String({ pattern: '^[A-Za-z]+(\\.[A-Za-z]+)+$' }),
      Type.Object(
        { perMinute: Type.Optional(Type.Integer({ minimum: 1 })), perSecond: Type.Optional(Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
      {
        default: {},
        description: 'Per-method overrides of the published limits, as JSON keyed by method id (see src/contract/methods.ts), e.g. {"contact.user.get":{"perMinute":600}}.',
      },
    ),
    guessFailures: Type.Integer({ default: 5, minimum: 1, maximum: 1000, description: 'Failed guesses of an app secret, admin key, meeting password or user password one source address may make at one target (app, meeting, user) before it is locked out of that target; the locks then grow with each failure (docs/operations.md).' }),
    guessSourceFailures: Type.Integer({ default: 50, minimum: 1, maximum: 100_000, description: 'Failed guesses of one kind one source address may make over all targets (a spray over many apps or meetings) before it is locked out of them all.' }),
    guessTargetFailures: Type.Integer({ default: 100, minimum: 1, maximum: 1_000_000, description: 'Failed guesses at one target from all addresses after which an address that failed there may not try again until the target has been quiet for guessMaxLock; addresses that never failed there still may (the right credential is never locked out).' }),
    guessLock: Type.Integer({ default: 60, minimum: 1, description: 'Seconds of the first lock; each further failure doubles it.' }),
    guessMaxLock: Type.Integer({ default: 3600, minimum: 1, description: 'Longest lock in seconds; failure counters quiet this long start again (and are then pruned).' }),
    headersTimeout: Type.Integer({ default: 10_000, minimum: 100, description: "Milliseconds a client has to send a request's headers; a slower (half-sent) request's connection is closed." }),
    requestTimeout: Type.Integer({ default: 30_000, minimum: 100, description: 'Milliseconds a client has to send a whole request, headers and body; a slower one gets 408 and its connection is closed.' }),
    keepAliveTimeout: Type.Integer({ default: 72_000, minimum: 100, description: 'Milliseconds an idle keep-alive connection stays open between requests (above the 60 s idle timeout of common load balancers, so they close first).' }),
    connectionTimeout: Type.Integer({ default: 120_000, minimum: 0, description: 'Milliseconds a connection may sit without any traffic while a request is in progress (a stalled body, a stalled download) before it is closed; 0 never. WebSockets are not affected.' }),
    maxConnectionsPerAddress: Type.Integer({ default: 256, minimum: 0, description: 'Most connections one client address may hold open at once; further ones are closed as they arrive. 0 means no cap. Behind a reverse proxy every client shares its address: raise this or set it to 0.' }),
    connectionCheckInterval: Type.Integer({ default: 30_000, minimum: 100, description: "Milliseconds between the checks that enforce headersTimeout and requestTimeout (Node checks on an interval, so a timeout fires up to this much late); Node's default. Shorter intervals (1 s) made test/client-api.test.ts fail: see docs/operations.md." }),
    trustProxy: Type.String({ default: '', pattern: '^[0-9A-Fa-f.:/, ]*$', description: 'Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed, so that guess throttling counts the client behind them; empty trusts none.' }),
    heartbeatTimeout: Type.Integer({ default: 45, minimum: 1, description: 'Seconds without a heartbeat after which a participant session leaves its meeting (network). The page beats every 10 s and at once when its network is back, so a network drop of up to this minus about 12 s keeps the session.' }),
    emptyMeetingGrace: Type.Integer({ default: 60, minimum: 0, description: 'Seconds a started meeting may stay empty before it ends.' }),
    participantLimit: Type.Integer({ default: 500, minimum: 2, maximum: 10_000, description: 'Most participants a meeting holds at once.' }),
    ringTimeout: Type.Integer({ default: 60, minimum: 1, description: 'Seconds an invitee rings before the call times out.' }),
    eventTimeout: Type.Integer({ default: 3000, minimum: 100, description: 'Milliseconds an app has to answer an event with a 2xx.' }),
    eventRetryScale: Type.Number({ default: 1, exclusiveMinimum: 0, maximum: 1, description: "Multiplies Feishu's retry waits (15 s, 5 min, 1 h, 6 h); tests shrink them." }),
    eventConcurrency: Type.Integer({ default: 8, minimum: 1, maximum: 64, description: "Deliveries one app may have in flight at once, never two of one meeting (a meeting's events always arrive in order); 1 sends each app's events strictly one at a time." }),
    eventRetention: Type.Number({ default: 7, exclusiveMinimum: 0, description: 'Days finished event deliveries, their attempt log and delivered outbox events are kept.' }),
    metrics: Type.Boolean({ default: true, description: 'Serve Prometheus metrics at /metrics (no token, no tenant data: aggregates only; keep it on the internal network or turn it off).' }),
    adminKey: Type.Optional(Type.String({ minLength: 16, description: 'Bearer key of the admin HTTP API (/openvc/v1/admin/…: event subscriptions, delivery log); unset turns that API off.' })),
    // How long a browser stays signed in (the session cookie and its row in the store) before it must sign in again.
    signInSessionTtl: Type.Integer({ default: 43_200, minimum: 60, maximum: 31_536_000, description: 'Seconds a browser sign-in session lasts (cookie and store row); then the user signs in again.' }),
    devPickUser: Type.Boolean({ default: false, description: 'DEVELOPMENT ONLY: the OAuth consent page lets anyone pick any active user instead of signing in. Never turn this on where others can reach the server.' }),
    oidcIssuer: Type.Optional(Type.String({ pattern: '^https?://', description: 'Issuer URL of an upstream OpenID Connect provider users may sign in with (its /.well-known/openid-configuration is read); unset turns that sign-in off. Register `<publicUrl>/signin/oidc/callback` as the redirect URI.' })),
    oidcClientId: Type.Optional(Type.String({ minLength: 1, description: 'Client id of openvc at the upstream OpenID Connect provider.' })),
    oidcClientSecret: Type.Optional(Type.String({ minLength: 1, description: 'Client secret of openvc at the upstream OpenID Connect provider.' })),
    oidcClaim: Type.String({ default: 'email', pattern: '^[A-Za-z0-9_.:-]+$', description: "ID token claim that names the user: `email` matches users' emails, any other claim (e.g. `preferred_username`) their user_id." }),
    reportWindow: Type.Integer({ default: 90, minimum: 1, maximum: 3660, description: 'Days back the report API reaches (Feishu: 90); a start_time before that gets 121003.' }),
    tenantTokenTtl: Type.Integer({ default: 7200, minimum: 60, description: 'Tenant and app access token lifetime in seconds (Feishu: 7200).' }),
    userTokenTtl: Type.Integer({ default: 7200, minimum: 60, description: 'User access token lifetime in seconds (Feishu: 7200).' }),
    bookingCheckInWindow: Type.Number({ default: 15, minimum: 0, maximum: 1440, description: 'Minutes after its start within which a room booking must be checked in, else the room is released; 0 turns check-in off. Fractions allowed.' }),
    exportFileTtl: Type.Integer({ default: 86_400, minimum: 60, description: 'Seconds an export\'s file stays downloadable after the export finished; then it is deleted and its file_token answers 121004.' }),
    mediaMaxVideoStreams: Type.Integer({ default: 9, minimum: 0, maximum: 64, description: 'Most video streams (cameras and screens) the media server forwards to one participant; beyond that video is paused (screens first, then cameras in the order people connected) and the meeting page shows why. Bounds the work per process: forwarded streams grow with participants x this.' }),
    mediaIceHosts: Type.String({ default: '127.0.0.1', pattern: '^[0-9A-Fa-f.:, ]*$', description: 'Comma-separated addresses the media server offers as ICE host candidates in addition to its interfaces\' own (loopback is not gathered otherwise); behind NAT, its public address. The server itself gathers host candidates only: clients reach it directly or through TURN.' }),
    mediaStunUrls: Type.String({ default: '', pattern: '^\\s*(stun:[^,\\s]+(\\s*,\\s*stun:[^,\\s]+)*)?\\s*$', description: 'Comma-separated STUN server URLs handed to the meeting page (`stun:stun.example.com:3478`), so that clients learn their public address; empty hands out none.' }),
    mediaTurnUrls: Type.String({ default: '', pattern: '^\\s*(turns?:[^,\\s]+(\\s*,\\s*turns?:[^,\\s]+)*)?\\s*$', description: 'Comma-separated TURN server URLs handed to the meeting page (`turn:turn.example.com:3478?transport=udp,turn:turn.example.com:3478?transport=tcp`) with a time-limited credential each time media connects; needs mediaTurnSecret. Clients behind NAT or firewalls relay through it (docs/operations.md "TURN").' }),
    mediaTurnSecret: Type.Optional(Type.String({ minLength: 16, description: 'The shared secret of the TURN server (coturn `use-auth-secret` / `static-auth-secret`) that TURN credentials are signed with (TURN REST API scheme). Keep it secret: whoever holds it can relay through the TURN server.' })),
    mediaTurnTtl: Type.Integer({ default: 86_400, minimum: 60, maximum: 604_800, description: 'Seconds a TURN credential stays good from the moment media connects; the TURN server refuses it after that (401), also for an allocation still in use, so a relayed connection lasts at most this long before the page reconnects with a fresh one.' }),
    mediaIceTransportPolicy: Type.Union([Type.Literal('all'), Type.Literal('relay')], { default: 'all', description: 'ICE transport policy handed to the meeting page: `all`, or `relay` to send all media through TURN (hides clients\' addresses; needs mediaTurnUrls).' }),
    mediaNodeUrl: Type.Optional(Type.String({ pattern: '^https?://[^/?#@]+/?$', description: 'PostgreSQL clusters: the internal URL other openvc processes reach this one at, to relay media signalling sockets to the node that carries a meeting (docs/operations.md "Cluster"); defaults to http://host:port (127.0.0.1 when host is 0.0.0.0 or ::). Must not be the load balancer.' })),
    mediaNodeCapacity: Type.Integer({ default: 500, minimum: 1, maximum: 100_000, description: 'PostgreSQL clusters: most media peers this process carries before new meetings are placed on other processes.' }),
    mediaNodeTimeout: Type.Number({ default: 3, minimum: 0.5, maximum: 300, description: 'PostgreSQL clusters: seconds without a heartbeat after which a media node counts as dead and its meetings move to a live one on their next connection (heartbeats every third of it).' }),
    exportTimeZone: Type.String({ default: 'Asia/Shanghai', minLength: 1, description: 'IANA time zone the exported times are shown in (`2022.07.21 11:01:40 (GMT+08:00)`), unless a request names its own with `time_zone`.' }),
    ffmpegPath: Type.String({ default: 'ffmpeg', minLength: 1, description: 'The ffmpeg executable that composes recordings (a name on PATH or a path).' }),
    ffprobePath: Type.String({ default: 'ffprobe', minLength: 1, description: 'The ffprobe executable that checks recorded tracks before they are composed.' }),
    recordingThreads: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'Encoder threads ffmpeg may use for one recording.' }),
    recordingCloseWait: Type.Integer({ default: 30, minimum: 0, description: "Seconds after a recording stops that its processing waits for the media capture to close the raw tracks, before it composes whatever was written." }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ConfigInput = Partial<Record<keyof Config, unknown>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const keys = Object.keys(ConfigSchema.properties) as (keyof Config)[];

export function envName(key: string): string {
  return 'OPENVC_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** Reads `OPENVC_*` variables; values are strings and get converted by the schema. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: ConfigInput = {};
  for (const key of keys) {
    const raw = env[envName(key)];
    if (raw !== undefined && raw !== '') out[key] = raw;
  }
  return out;
}

export function configFromFile(path: string): ConfigInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: expected a JSON object`);
  }
  return parsed as ConfigInput;
}

/** Merges the sources (later wins), converts strings from env and flags, and validates the result. */
export function resolveConfig(...sources: ConfigInput[]): Config {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined) merged[k] = v;
  }
  // Object-valued settings arrive as JSON text from flags and the environment.
  for (const key of keys) {
    const v = merged[key];
    if (typeof v === 'string' && (ConfigSchema.properties[key] as { type?: string }).type === 'object') {
      try {
        merged[key] = JSON.parse(v);
      } catch {
        throw new ConfigError(`invalid configuration:\n  ${key}: not valid JSON (got ${JSON.stringify(v)}) [--${kebab(key)} / ${envName(key)}]`);
      }
    }
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, merged));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const key = e.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
      const shown = e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`;
      const hint = keys.includes(key as keyof Config) ? ` [--${kebab(key)} / ${envName(key)}]` : '';
      return `  ${key}: ${e.message}${shown}${hint}`;
    });
    throw new ConfigError(`invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const config = withDefaults as Config;
  if (!isTimeZone(config.exportTimeZone)) throw new ConfigError(`invalid configuration:\n  exportTimeZone: not a time zone the runtime knows (got ${JSON.stringify(config.exportTimeZone)}) [--export-time-zone / ${envName('exportTimeZone')}]`);
  if (config.mediaTurnUrls.trim() && !config.mediaTurnSecret) throw new ConfigError(`invalid configuration:\n  mediaTurnUrls needs mediaTurnSecret [--media-turn-secret / ${envName('mediaTurnSecret')}]`);
  if (config.mediaIceTransportPolicy === 'relay' && !config.mediaTurnUrls.trim()) throw new ConfigError(`invalid configuration:\n  mediaIceTransportPolicy relay needs mediaTurnUrls [--media-turn-urls / ${envName('mediaTurnUrls')}]`);
  if (config.oidcIssuer && (!config.oidcClientId || !config.oidcClientSecret)) throw new ConfigError(`invalid configuration:\n  oidcIssuer needs oidcClientId and oidcClientSecret [--oidc-client-id / ${envName('oidcClientId')}, --oidc-client-secret / ${envName('oidcClientSecret')}]`);
  // Node refuses to start a server whose headers may take longer than the whole request.
  if (config.headersTimeout > config.requestTimeout) throw new ConfigError(`invalid configuration:\n  headersTimeout: must not exceed requestTimeout (${config.requestTimeout}) [--headers-timeout / ${envName('headersTimeout')}]`);
  const unknown = Object.keys(config.rateLimits).filter((id) => !methodById.has(id));
  if (unknown.length > 0) throw new ConfigError(`invalid configuration:\n  rateLimits: unknown method id(s) ${unknown.join(', ')} [--rate-limits / ${envName('rateLimits')}]`);
  return config;
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Flags > env > file > defaults. `flags` holds only what was given on the command line. */
export function loadConfig(flags: ConfigInput & { config?: string }, env = process.env): Config {
  const { config: file, ...rest } = flags;
  const path = file ?? env.OPENVC_CONFIG;
  return resolveConfig(path ? configFromFile(path) : {}, configFromEnv(env), rest);
}

export function publicUrlOf(config: Config, boundPort?: number): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort ?? config.port}`;
}

/** Markdown table of every setting: the README's configuration section. */
export function configTable(): string {
  const rows = keys.map((key) => {
    const prop = ConfigSchema.properties[key] as { default?: unknown; description?: string };
    const flag = key === 'demo' || key === 'rateLimit' ? `--no-${kebab(key)}` : `--${kebab(key)}`;
    const def = prop.default === undefined ? '—' : `\`${typeof prop.default === 'object' ? JSON.stringify(prop.default) : String(prop.default)}\``;
    return `| \`${key}\` | \`${flag}\` | \`${envName(key)}\` | ${def} | ${prop.description ?? ''} |`;
  });
  return ['| key (config file) | flag | environment | default | meaning |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}
