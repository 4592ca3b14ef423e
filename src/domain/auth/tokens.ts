import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { App, AppRepository } from '../../store/repositories/app.repository.js';
import type { TokenRepository, TokenRow } from '../../store/repositories/token.repository.js';
import type { GuestPass, Principal } from './principal.js';

/** Lifetimes and rules from auth.md. Times are milliseconds unless a name says otherwise. */
export const REISSUE_WINDOW_MS = 30 * 60_000;
export const CODE_TTL_MS = 5 * 60_000;
export const V1_REFRESH_TTL_S = 2_591_999;
export const V2_REFRESH_TTL_S = 604_800;
export const REFRESH_GRACE_MS = 60_000;
export const GRANT_MAX_AGE_MS = 365 * 24 * 3600_000;
/**
 * How long a verified token is trusted without asking the store again. Bounds how late another process
 * sees a revocation or a changed app scope list; this process drops its entries at once.
 */
export const VERIFY_CACHE_MS = 5_000;
const VERIFY_CACHE_MAX = 20_000;

export type Flavor = 'v1' | 'v2';

export interface Clock {
  now(): number;
}

export interface IssuedTenantToken {
  token: string;
  /** remaining validity, seconds */
  expire: number;
}

export interface IssuedUserToken {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  refreshExpiresIn?: number;
  scopes: string[];
  userId: string;
  tenantKey: string;
}

export interface CodeMeta {
  redirectUri?: string;
  /** sent to one of the server's own pages (meeting page, player): redeemable there only, as a page credential */
  serverPage?: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

/** Why a code or refresh token cannot be used; the endpoint maps it to its own error shape. */
export type GrantFailure =
  | 'not_found'
  | 'used'
  | 'expired'
  | 'other_app'
  | 'redirect_mismatch'
  | 'redirect_missing'
  | 'pkce_failed'
  | 'grant_too_old'
  | 'scope_not_granted'
  | 'wrong_flavor';

export class GrantError extends Error {
  override readonly name = 'GrantError';
  constructor(readonly reason: GrantFailure) {
    super(reason);
  }
}

export type BearerFailure = 'tenant' | 'user';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const parseScopes = (s: string | null): string[] => (s ? (JSON.parse(s) as string[]) : []);

/**
 * Issues and verifies every token kind. Only sha256 hashes of tokens are stored. A tenant token is
 * derived from its row id with the installation's key, so that the same token can be handed out again
 * while it has more than 30 minutes left (auth.md §2); user tokens, refresh tokens and codes cannot be
 * recovered from the store at all.
 */
export class TokenService {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  /** Hashes of recently presented tokens, so that a repeated bearer is not hashed on every request. */
  private readonly hashes = new Map<string, string>();
  /** Verifications asking the store now, by hash: the same token presented meanwhile waits for that answer. */
  private readonly verifying = new Map<string, Promise<Principal | BearerFailure>>();

  constructor(
    private readonly apps: AppRepository,
    private readonly tokens: TokenRepository,
    private readonly key: Buffer,
    private readonly ttl: { tenantS: number; userS: number },
    private readonly clock: Clock = Date,
  ) {}

  /** Checks app credentials in constant time. */
  async authenticateApp(appId: string, appSecret: string): Promise<App | 'unknown_app' | 'bad_secret'> {
    const app = await this.apps.find(appId);
    if (!app) return 'unknown_app';
    const a = Buffer.from(app.appSecret);
    const b = Buffer.from(appSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? app : 'bad_secret';
  }

  private deriveTenantToken(id: string): string {
    return 't-' + createHmac('sha256', this.key).update(id).digest('hex').slice(0, 40);
  }

  /** The reuse rule: ≥ 30 min left → the same token; otherwise a new one, the old staying valid. */
  async tenantToken(app: App): Promise<IssuedTenantToken> {
    const now = this.clock.now();
    const current = await this.tokens.newestTenantToken(app.appId, now + REISSUE_WINDOW_MS);
    if (current) {
      return { token: this.deriveTenantToken(current.id), expire: Math.floor((current.expires_at - now) / 1000) };
    }
    const id = randomBytes(16).toString('hex');
    const token = this.deriveTenantToken(id);
    await this.tokens.insert({
      token_hash: hashToken(token),
      id,
      kind: 'tenant',
      flavor: 'v1',
      app_id: app.appId,
      tenant_key: app.tenantKey,
      user_id: null,
      scopes: null,
      granted_at: null,
      meta: null,
      created_at: now,
      expires_at: now + this.ttl.tenantS * 1000,
      revoked_at: null,
    });
    return { token, expire: this.ttl.tenantS };
  }

  /**
   * The principal of a token verified within the last VERIFY_CACHE_MS (and still unexpired), answered
   * without waiting; undefined when `verify` must ask the store.
   */
  verifiedRecently(token: string): Principal | undefined {
    const hash = this.hashes.get(token);
    if (hash === undefined) return undefined;
    const cached = this.verified.get(hash);
    return cached && cached.until > this.clock.now() ? cached.principal : undefined;
  }

  /** Resolves a bearer token to its principal, or says which kind of token it failed as. */
  async verify(token: string): Promise<Principal | BearerFailure> {
    const expectKind = expectedKind(token);
    // A bad guest or page token fails as a bad user token would: the participant protocol answers 99991668.
    const failure: BearerFailure = expectKind === 'tenant' ? 'tenant' : 'user';
    if (token.length > 4096) return failure;
    const recent = this.verifiedRecently(token);
    if (recent) return recent;
    const hash = this.hashOf(token);
    // Many requests with one token at once (clients coming back after a restart) make one store read.
    let pending = this.verifying.get(hash);
    if (!pending) {
      pending = this.lookUp(hash, expectKind, failure).finally(() => this.verifying.delete(hash));
      this.verifying.set(hash, pending);
    }
    return pending;
  }

  private async lookUp(hash: string, expectKind: ReturnType<typeof expectedKind>, failure: BearerFailure): Promise<Principal | BearerFailure> {
    const now = this.clock.now();
    // Not verified recently: whatever is kept for it has run out.
    this.verified.delete(hash);
    const row = await this.tokens.findByHash(hash);
    if (!row || row.kind !== expectKind || row.revoked_at !== null || row.expires_at <= now) return failure;
    let principal: Principal;
    if (row.kind === 'guest') {
      principal = { kind: 'guest', appId: '', tenantKey: row.tenant_key, appScopes: [], userId: row.user_id ?? '', guest: JSON.parse(row.meta ?? '{}') as GuestPass };
    } else {
      const app = await this.apps.find(row.app_id);
      if (!app || app.tenantKey !== row.tenant_key) return failure;
      principal = this.principalOf(row, app);
    }
    if (this.verified.size >= VERIFY_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(hash, { principal, until: Math.min(now + VERIFY_CACHE_MS, row.expires_at) });
    return principal;
  }

  private hashOf(token: string): string {
    let hash = this.hashes.get(token);
    if (hash === undefined) {
      hash = hashToken(token);
      if (this.hashes.size >= VERIFY_CACHE_MAX) this.hashes.delete(this.hashes.keys().next().value as string);
      this.hashes.set(token, hash);
    }
    return hash;
  }

  private principalOf(row: TokenRow, app: App): Principal {
    if (row.kind === 'tenant') return { kind: 'tenant', appId: app.appId, tenantKey: app.tenantKey, appScopes: app.scopes };
    // No scope at all: nothing that checks scopes can be reached with it, whatever the app may do.
    if (row.kind === 'page') return { kind: 'page', appId: app.appId, tenantKey: app.tenantKey, appScopes: [], userId: row.user_id ?? undefined };
    return {
      kind: 'user',
      appId: app.appId,
      tenantKey: app.tenantKey,
      appScopes: app.scopes,
      userId: row.user_id ?? undefined,
      grantedScopes: parseScopes(row.scopes),
    };
  }

  /**
   * A guest's access token (`g-…`): names the guest, the meeting's tenant and the one meeting they were
   * admitted to; issued through no app, so no Open API call accepts it.
   */
  async issueGuestToken(tenantKey: string, guestId: string, pass: GuestPass, ttlS: number): Promise<{ accessToken: string; expiresIn: number }> {
    return this.issueScopeless('g-', 'guest', { appId: '', tenantKey, userId: guestId, grantedAt: null, meta: JSON.stringify(pass) }, ttlS);
  }

  /** An authorization code for a signed-in user (5 minutes, single use). */
  async createCode(app: App, userId: string, scopes: string[], meta: CodeMeta): Promise<string> {
    const code = randomBytes(48).toString('base64url');
    const now = this.clock.now();
    await this.tokens.insert({
      token_hash: hashToken(code),
      id: randomBytes(16).toString('hex'),
      kind: 'code',
      flavor: 'v1',
      app_id: app.appId,
      tenant_key: app.tenantKey,
      user_id: userId,
      scopes: JSON.stringify(scopes),
      granted_at: now,
      meta: JSON.stringify(meta),
      created_at: now,
      expires_at: now + CODE_TTL_MS,
      revoked_at: null,
    });
    return code;
  }

  /**
   * Exchanges a code for Open API tokens. v2 (OAuth): `redirect_uri` must be sent, and equal, when the
   * code was bound to one (RFC 6749 §4.1.3), and the PKCE verifier must match. v1 (historic) has neither
   * field in its contract: a redirect_uri it is sent must match, and a PKCE-bound code is refused there.
   */
  async exchangeCode(
    app: App,
    code: string,
    flavor: Flavor,
    opts: { redirectUri?: string; codeVerifier?: string; scopes?: string[]; strictPkce?: boolean } = {},
  ): Promise<IssuedUserToken> {
    const { row, scopes } = await this.claimCode(app, code, opts.scopes, (meta) => {
      if (meta.serverPage) throw new GrantError('redirect_mismatch');
      if (meta.redirectUri !== undefined && opts.redirectUri === undefined && flavor === 'v2') throw new GrantError('redirect_missing');
      if (opts.redirectUri !== undefined && opts.redirectUri !== meta.redirectUri) throw new GrantError('redirect_mismatch');
      // The historic endpoint has no code_verifier field: a PKCE-bound code can only be redeemed where the
      // verifier can be checked, or PKCE would protect nothing.
      if (flavor === 'v1' ? meta.codeChallenge !== undefined : !pkceOk(meta, opts.codeVerifier, opts.strictPkce ?? false)) throw new GrantError('pkce_failed');
    });
    return this.issueUserTokens(app, row.user_id ?? '', scopes, flavor, row.granted_at ?? this.clock.now());
  }

  /**
   * Exchanges a code that one of the server's own pages received (at `redirectUri`) for a page credential
   * (`p-…`): the participant protocol and the recording player accept it, no Open API method does.
   */
  async exchangePageCode(app: App, code: string, redirectUri: string, codeVerifier?: string): Promise<{ accessToken: string; expiresIn: number }> {
    const { row } = await this.claimCode(app, code, undefined, (meta) => {
      if (!meta.serverPage || meta.redirectUri !== redirectUri) throw new GrantError('redirect_mismatch');
      if (!pkceOk(meta, codeVerifier, true)) throw new GrantError('pkce_failed');
    });
    return this.issueScopeless('p-', 'page', { appId: app.appId, tenantKey: app.tenantKey, userId: row.user_id, grantedAt: row.granted_at, meta: null }, this.ttl.userS);
  }

  /** A credential that carries no scopes (guests, meeting pages): only the routes that accept its kind take it. */
  private async issueScopeless(
    prefix: 'g-' | 'p-',
    kind: 'guest' | 'page',
    who: { appId: string; tenantKey: string; userId: string | null; grantedAt: number | null; meta: string | null },
    ttlS: number,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = prefix + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.tokens.insert({
      token_hash: hashToken(accessToken),
      id: randomBytes(16).toString('hex'),
      kind,
      flavor: 'v1',
      app_id: who.appId,
      tenant_key: who.tenantKey,
      user_id: who.userId,
      scopes: null,
      granted_at: who.grantedAt,
      meta: who.meta,
      created_at: now,
      expires_at: now + ttlS * 1000,
      revoked_at: null,
    });
    return { accessToken, expiresIn: ttlS };
  }

  /** Checks a code (`check` throws when its bindings fail) and uses it up; the granted scopes, narrowed. */
  private async claimCode(app: App, code: string, narrowTo: string[] | undefined, check: (meta: CodeMeta) => void): Promise<{ row: TokenRow; scopes: string[] }> {
    const row = await this.tokens.findByHash(hashToken(code));
    if (!row || row.kind !== 'code') throw new GrantError('not_found');
    if (row.app_id !== app.appId) throw new GrantError('other_app');
    if (row.revoked_at !== null) throw new GrantError('used');
    if (row.expires_at <= this.clock.now()) throw new GrantError('expired');
    check(JSON.parse(row.meta ?? '{}') as CodeMeta);
    const scopes = narrow(parseScopes(row.scopes), narrowTo);
    if (!(await this.tokens.consume(row.token_hash, this.clock.now()))) throw new GrantError('used');
    return { row, scopes };
  }

  /** Single-use refresh: the old refresh token dies at once, the old access token a minute later. */
  async refresh(app: App, refreshToken: string, flavor: Flavor, narrowTo?: string[]): Promise<IssuedUserToken> {
    const row = await this.tokens.findByHash(hashToken(refreshToken));
    if (!row || row.kind !== 'refresh') throw new GrantError('not_found');
    if (row.app_id !== app.appId) throw new GrantError('other_app');
    if (row.flavor !== flavor) throw new GrantError('wrong_flavor');
    if (row.revoked_at !== null) throw new GrantError('used');
    const now = this.clock.now();
    if (row.expires_at <= now) throw new GrantError('expired');
    if (row.granted_at !== null && now - row.granted_at > GRANT_MAX_AGE_MS) throw new GrantError('grant_too_old');
    const scopes = narrow(parseScopes(row.scopes), narrowTo);
    if (!(await this.tokens.consume(row.token_hash, now))) throw new GrantError('used');
    const meta = JSON.parse(row.meta ?? '{}') as { accessTokenHash?: string };
    if (meta.accessTokenHash) {
      await this.tokens.expireBy(meta.accessTokenHash, now + REFRESH_GRACE_MS);
      this.verified.delete(meta.accessTokenHash);
    }
    return this.issueUserTokens(app, row.user_id ?? '', scopes, flavor, row.granted_at ?? now);
  }

  /**
   * A user token pair. v1 (historic OIDC): `u-…` and `ur-…`, refresh always issued. v2 (OAuth):
   * JWT-shaped tokens, refresh token only with the `offline_access` scope.
   */
  async issueUserTokens(app: App, userId: string, scopes: string[], flavor: Flavor, grantedAt: number): Promise<IssuedUserToken> {
    const now = this.clock.now();
    const accessTtlS = this.ttl.userS;
    const accessToken = flavor === 'v1' ? 'u-' + randomBytes(32).toString('base64url') : this.jwt(app, userId, now, accessTtlS);
    const accessHash = hashToken(accessToken);
    const base = {
      app_id: app.appId,
      tenant_key: app.tenantKey,
      user_id: userId,
      scopes: JSON.stringify(scopes),
      granted_at: grantedAt,
      flavor,
      created_at: now,
      revoked_at: null,
    };
    await this.tokens.insert({
      ...base,
      token_hash: accessHash,
      id: randomBytes(16).toString('hex'),
      kind: 'user',
      meta: null,
      expires_at: now + accessTtlS * 1000,
    });
    const issued: IssuedUserToken = { accessToken, expiresIn: accessTtlS, scopes, userId, tenantKey: app.tenantKey };
    if (flavor === 'v1' || scopes.includes('offline_access')) {
      const refreshTtlS = flavor === 'v1' ? V1_REFRESH_TTL_S : V2_REFRESH_TTL_S;
      const refreshToken = flavor === 'v1' ? 'ur-' + randomBytes(32).toString('base64url') : this.jwt(app, userId, now, refreshTtlS);
      await this.tokens.insert({
        ...base,
        token_hash: hashToken(refreshToken),
        id: randomBytes(16).toString('hex'),
        kind: 'refresh',
        meta: JSON.stringify({ accessTokenHash: accessHash }),
        expires_at: now + refreshTtlS * 1000,
      });
      issued.refreshToken = refreshToken;
      issued.refreshExpiresIn = refreshTtlS;
    }
    return issued;
  }

  /** A signed JWT with a random jti; it is verified by its stored hash like every other token. */
  private jwt(app: App, userId: string, nowMs: number, ttlS: number): string {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const iat = Math.floor(nowMs / 1000);
    const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ jti: randomBytes(16).toString('hex'), app_id: app.appId, tenant_key: app.tenantKey, sub: userId, iat, exp: iat + ttlS })}`;
    return `${body}.${createHmac('sha256', this.key).update(body).digest('base64url')}`;
  }

  async purgeExpired(graceMs = 24 * 3600_000): Promise<number> {
    return this.tokens.deleteExpired(this.clock.now() - graceMs);
  }
}

/** The kind a bearer's shape says it is; `p-` page credentials and `g-` guest tokens fail as user tokens do. */
function expectedKind(token: string): 'guest' | 'page' | 'user' | 'tenant' {
  if (token.startsWith('g-')) return 'guest';
  if (token.startsWith('p-')) return 'page';
  return token.startsWith('u-') || token.startsWith('ur-') || token.startsWith('eyJ') ? 'user' : 'tenant';
}

/** `strict` (/oauth/v3/token): a verifier for a code without a challenge fails; v2 ignores it (auth.md §5.2). */
function pkceOk(meta: CodeMeta, verifier: string | undefined, strict: boolean): boolean {
  if (!meta.codeChallenge) return !strict || verifier === undefined;
  if (verifier === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = meta.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === meta.codeChallenge;
}

function narrow(granted: string[], requested: string[] | undefined): string[] {
  if (!requested || requested.length === 0) return granted;
  if (requested.some((s) => !granted.includes(s))) throw new GrantError('scope_not_granted');
  return requested;
}

