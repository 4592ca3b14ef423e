import * as oidc from 'openid-client';
import type { CredentialRepository } from '../../store/repositories/credential.repository.js';
import type { DirectoryRepository } from '../../store/repositories/directory.repository.js';
import { hashToken } from './tokens.js';
import { SignInError, type SignInService, type SignedIn } from './sign-in.service.js';

export interface UpstreamOidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the ID token claim that names the user: `email` matches users' emails, any other claim their user_id */
  claim: string;
  /** this server's callback URL, registered with the provider */
  redirectUri: () => string;
}

/** How long a browser may take at the provider before its sign-in is forgotten. */
const FLOW_TTL_MS = 10 * 60_000;

/**
 * Sign-in through an upstream OpenID Connect provider with `openid-client`: authorization code flow with
 * PKCE (S256), state and nonce; the ID token's claim is matched to a user of the tenant being signed in to.
 */
export class UpstreamOidc {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly settings: UpstreamOidcSettings,
    private readonly credentials: CredentialRepository,
    private readonly directory: DirectoryRepository,
    private readonly signIn: SignInService,
  ) {}

  /** The provider's metadata, discovered once (again after a failure). */
  private configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    // client_secret_basic: the token endpoint's default method (RFC 6749 §2.3.1). An http issuer is the
    // operator's explicit choice (a provider on the same host, or a test's).
    const insecure = issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined;
    this.config ??= oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), insecure).catch((e: unknown) => {
      this.config = undefined;
      throw new SignInError(`the sign-in provider cannot be reached: ${(e as Error).message}`);
    });
    return this.config;
  }

  /** Where to send the browser, and the `state` it must bring back (kept in a cookie of that browser). */
  async start(tenantKey: string, next: string, now = Date.now()): Promise<{ url: string; state: string }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.credentials.insertOidcSignIn({ state_hash: hashToken(state), tenant_key: tenantKey, next, code_verifier: verifier, nonce, expires_at: now + FLOW_TTL_MS }, now);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri(),
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /** Redeems the provider's answer at `callbackUrl`; the browser's cookie must hold the same `state`. */
  async finish(callbackUrl: URL, browserState: string | undefined, now = Date.now()): Promise<{ token: string; session: SignedIn; next: string }> {
    const state = callbackUrl.searchParams.get('state');
    if (!state || state !== browserState) throw new SignInError('this sign-in was not started in this browser; start again');
    const flow = await this.credentials.takeOidcSignIn(hashToken(state), now);
    if (!flow) throw new SignInError('this sign-in expired or was already used; start again');
    if (callbackUrl.searchParams.has('error')) throw new SignInError(`the sign-in provider refused: ${callbackUrl.searchParams.get('error')}`);
    const config = await this.configuration();
    const claim = this.settings.claim;
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: flow.code_verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
      const idToken = tokens.claims()!;
      // Providers may leave claims out of the ID token when an access token can fetch them (OIDC Core §5.4).
      claims = claim in idToken ? idToken : { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
    } catch (e) {
      throw new SignInError(`the sign-in provider's answer was not accepted: ${(e as Error).message}`);
    }
    const value = claims[claim];
    if (typeof value !== 'string' || value === '') throw new SignInError(`the sign-in provider gave no ${claim}`);
    if (claim === 'email' && claims.email_verified === false) throw new SignInError('the sign-in provider has not verified this email');
    const dir = this.directory.forTenant(flow.tenant_key, '');
    const user = claim === 'email' ? (await dir.usersByEmails([value.toLowerCase()]))[0] : await dir.userByUserId(value);
    if (user?.status !== 'active') throw new SignInError('no active user of this organisation matches your account');
    return { ...(await this.signIn.openSession(flow.tenant_key, user.user_id, now)), next: flow.next };
  }
}
