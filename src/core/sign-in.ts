// Signing in and staying signed in: login (with the lock-out of login-throttle.ts), refresh-token
// rotation with reuse detection, authenticating a request, and logout.
import { AuthError } from './errors';
import {
  ACCOUNT_COUNTER_PREFIX,
  type Reservation,
  attemptLimits,
  counterKeysOf,
  identifierCounterKey,
  lockedOut,
} from './login-throttle';
import type { AccountServices } from './services';
import { type Session, type SessionLifetime, newSession, rotateRefreshToken } from './sessions';
import { type PublicUser, type User, normalizeEmail, normalizeUsername, toPublicUser } from './users';

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: PublicUser;
}

export interface Authenticated {
  user: User;
  session: Session;
}

const invalidCredentials = () => new AuthError('invalid_credentials', 'The identifier or password is incorrect.');

function identifierKey(identifier: string) {
  // Usernames cannot contain '@', so an identifier names a username or an email, never both.
  return identifier.includes('@') ? { email: normalizeEmail(identifier) } : { username: normalizeUsername(identifier) };
}

/** Logs the attempt that locked an account, once per lock. */
export function logLock(services: AccountServices, account: Reservation | null, userId: string | undefined): void {
  if (account?.granted && account.count === services.settings.loginThrottle.maxFailures) {
    services.log({ event: 'login.locked', userId });
  }
}

export async function issueTokens(services: AccountServices, user: User, session: Session, refreshToken: string) {
  const accessToken = await services.accessTokens.issue(
    { userId: user.id, sessionId: session.id },
    services.clock.now(),
  );
  return {
    accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: services.settings.accessTokenTtlSeconds,
    refreshToken,
    user: toPublicUser(user),
  } satisfies TokenResponse;
}

export async function login(
  services: AccountServices,
  input: { identifier: string; password: string; userAgent: string },
): Promise<TokenResponse> {
  const now = services.clock.now();
  const { found, identifier, account } = await services.logins.reserveLoginAttempt(
    identifierKey(input.identifier),
    { identifierKey: await identifierCounterKey(input.identifier), accountKeyPrefix: ACCOUNT_COUNTER_PREFIX },
    attemptLimits(services.settings.loginThrottle),
    now,
  );
  // Refused before any hashing, so a locked identifier costs an attacker's request no CPU. Known
  // and unknown identifiers have counters alike, so this answer tells nothing about accounts.
  if (!identifier!.granted) {
    services.log({ event: 'login.throttled', userId: found?.user.id });
    throw lockedOut(identifier!, now, 'Too many failed sign-in attempts. Try again later.');
  }
  logLock(services, account, found?.user.id);
  // An account whose own counter is spent (through its other identifier) gets no password check,
  // but the answer and the cost of a wrong password, so it does not link the two identifiers.
  const checked = found && account?.granted ? found : null;
  const passwordMatches = checked
    ? await services.passwords.verify(input.password, checked.credential.passwordHash)
    : await services.passwords.verifyDummy(input.password);
  if (!checked || !passwordMatches) {
    const reason = !found ? 'unknown_identifier' : checked ? 'wrong_password' : 'account_locked';
    services.log({ event: 'login.failed', userId: found?.user.id, reason });
    throw invalidCredentials();
  }
  const { user, credential } = checked;
  const counterKeys = await counterKeysOf(user);
  // Checked only after the password, so this answer tells nothing to someone without it.
  if (user.emailVerifiedAt === null) {
    services.defer(() => services.throttle.clear(counterKeys));
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  if (services.passwords.needsUpgrade(credential.passwordHash)) {
    const upgraded = await services.passwords.hash(input.password);
    services.defer(() => services.users.upgradePasswordHash(user.id, credential.passwordHash, upgraded));
  }
  const { session, refreshToken, refreshDigest } = await newSession({
    userId: user.id,
    userAgent: input.userAgent,
    passwordVersion: credential.passwordVersion,
    now,
    lifetime: sessionLifetime(services),
  });
  // The session is stored only if the password is still the one just checked: a reset, change or
  // deletion that committed during the check leaves this login with nothing.
  if (!(await services.logins.completeLogin(session, refreshDigest, counterKeys))) {
    services.log({ event: 'login.failed', userId: user.id, reason: 'password_changed' });
    throw invalidCredentials();
  }
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id });
  return issueTokens(services, user, session, refreshToken);
}

export function sessionLifetime(services: AccountServices): SessionLifetime {
  return { ttlSeconds: services.settings.sessionTtlSeconds, maxAgeSeconds: services.settings.sessionMaxAgeSeconds };
}

export async function refresh(services: AccountServices, refreshToken: string): Promise<TokenResponse> {
  const outcome = await rotateRefreshToken(services.sessions, refreshToken, {
    now: services.clock.now(),
    lifetime: sessionLifetime(services),
    graceMs: services.settings.refreshGraceSeconds * 1000,
  });
  if (outcome.status === 'reused') {
    services.log({ event: 'refresh.reused', userId: outcome.session.userId, sessionId: outcome.session.id });
  }
  if (outcome.status !== 'rotated') throw new AuthError('invalid_token', 'This refresh token is not valid.');
  return issueTokens(services, outcome.user, outcome.session, outcome.refreshToken);
}

/** Resolves an access token to its live session and user, or throws `unauthorized`. */
export async function authenticate(services: AccountServices, accessToken: string): Promise<Authenticated> {
  const now = services.clock.now();
  const claims = await services.accessTokens.verify(accessToken, now);
  const active = claims && (await services.sessions.findActive(claims.sessionId, claims.userId, now));
  if (!active) throw new AuthError('unauthorized', 'A valid access token is required.');
  return active;
}

export async function logout(services: AccountServices, auth: Authenticated): Promise<void> {
  await services.sessions.delete(auth.user.id, auth.session.id);
  services.log({ event: 'logout', userId: auth.user.id, sessionId: auth.session.id });
}
