import { randomBytes } from 'node:crypto';
import type { CredentialRepository } from '../../store/repositories/credential.repository.js';
import type { DirectoryRepository, UserRow } from '../../store/repositories/directory.repository.js';
import { hashToken } from './tokens.js';
import type { GuessThrottle } from './guess-throttle.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';

export interface SignInOptions {
  /** seconds a sign-in session lasts */
  sessionTtlS: number;
  /**
   * Counts password guesses per source address and per user (docs/decisions.md "Guessing"): a locked
   * attempt is refused (`guessThrottled`) before the password is checked.
   */
  throttle?: Pick<GuessThrottle, 'admit'>;
}

export interface SignedIn {
  tenantKey: string;
  userId: string;
  expiresAt: number;
}

export class SignInError extends Error {}

/** Passwords, invitations and the sessions a browser holds after signing in (docs/decisions.md "Sign-in"). */
export class SignInService {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly directory: DirectoryRepository,
    private readonly opts: SignInOptions,
  ) {}

  /** An active user of the tenant, by user id or (case-insensitive) email. */
  async findUser(tenantKey: string, login: string): Promise<UserRow | undefined> {
    const dir = this.directory.forTenant(tenantKey, '');
    const user = (await dir.userByUserId(login)) ?? (login.includes('@') ? (await dir.usersByEmails([login.toLowerCase()]))[0] : undefined);
    return user?.status === 'active' ? user : undefined;
  }

  /**
   * Checks the password and opens a session; undefined for an unknown user, one with no password and a
   * wrong password alike, each taking one hash's time, so that the answer tells nothing of who exists.
   * Throws `guessThrottled` while the source is locked out of this login.
   */
  async signIn(tenantKey: string, login: string, password: string, source: string, now = Date.now()): Promise<{ token: string; session: SignedIn } | undefined> {
    const attempt = await this.opts.throttle?.admit('user_password', source, `${tenantKey}|${login.toLowerCase()}`);
    const user = await this.findUser(tenantKey, login);
    const hash = user ? await this.credentials.passwordHash(tenantKey, user.user_id) : undefined;
    const ok = await verifyPassword(password, hash ?? (await decoyHash()));
    if (!user || !hash || !ok) {
      await attempt?.failed();
      return undefined;
    }
    await attempt?.succeeded();
    return this.openSession(tenantKey, user.user_id, now);
  }

  /** A new session for a user whose credential was checked (a password here, or an upstream provider). */
  async openSession(tenantKey: string, userId: string, now = Date.now()): Promise<{ token: string; session: SignedIn }> {
    const token = randomBytes(32).toString('base64url');
    const session = { tenantKey, userId, expiresAt: now + this.opts.sessionTtlS * 1000 };
    await this.credentials.insertSession({ token_hash: hashToken(token), tenant_key: tenantKey, user_id: userId, created_at: now, expires_at: session.expiresAt });
    return { token, session };
  }

  /** The session a cookie's token names, if it is live and its user still active. */
  async session(token: string, now = Date.now()): Promise<(SignedIn & { user: UserRow }) | undefined> {
    const row = await this.credentials.session(hashToken(token), now);
    if (!row) return undefined;
    const user = await this.directory.forTenant(row.tenant_key, '').userByUserId(row.user_id);
    if (user?.status !== 'active') return undefined;
    return { tenantKey: row.tenant_key, userId: row.user_id, expiresAt: row.expires_at, user };
  }

  async signOut(token: string): Promise<void> {
    await this.credentials.deleteSession(hashToken(token));
  }

  async setPassword(tenantKey: string, userId: string, password: string, now = Date.now()): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new SignInError(problem);
    const user = await this.directory.forTenant(tenantKey, '').userByUserId(userId);
    if (!user) throw new SignInError(`tenant ${tenantKey} has no user ${userId}`);
    await this.credentials.setPassword(tenantKey, userId, await hashPassword(password), now);
  }

  /** A one-time token that lets the user choose a password until `ttlS` seconds from now. */
  async invite(tenantKey: string, userId: string, ttlS: number, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const user = await this.directory.forTenant(tenantKey, '').userByUserId(userId);
    if (user?.status !== 'active') throw new SignInError(`tenant ${tenantKey} has no active user ${userId}`);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlS * 1000;
    await this.credentials.insertInvitation({ token_hash: hashToken(token), tenant_key: tenantKey, user_id: userId, created_at: now, expires_at: expiresAt });
    return { token, expiresAt };
  }

  /** The user an unused, unexpired invitation is for. */
  async invitation(token: string, now = Date.now()): Promise<UserRow | undefined> {
    const inv = await this.credentials.invitation(hashToken(token), now);
    return inv ? this.directory.forTenant(inv.tenant_key, '').userByUserId(inv.user_id) : undefined;
  }

  /** Sets the password through an invitation, using it up; undefined when it was used or expired meanwhile. */
  async acceptInvitation(token: string, password: string, now = Date.now()): Promise<{ tenantKey: string; userId: string } | undefined> {
    const problem = passwordProblem(password);
    if (problem) throw new SignInError(problem);
    const inv = await this.credentials.acceptInvitation(hashToken(token), await hashPassword(password), now);
    return inv ? { tenantKey: inv.tenant_key, userId: inv.user_id } : undefined;
  }
}
