// Signing in and staying signed in: login (with the per-account failure throttle), refresh-token
// rotation with reuse detection, authenticating a request, and logout.
import { digestToken } from './random-token';
import { AuthError } from './errors';
import type { AccountServices } from './services';
import { type Session, rotateRefreshToken, startSession } from './sessions';
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

// Failures are counted per account, so logging in by username or by email shares one counter;
// for an identifier that names no account, per identifier, so throttled unknown identifiers
// answer exactly like throttled real ones.
export const ACCOUNT_COUNTER_PREFIX = 'login:user:';

export function accountCounterKey(userId: string): string {
  return `${ACCOUNT_COUNTER_PREFIX}${userId}`;
}

async function identifierCounterKey(identifier: string): Promise<string> {
  return `login:identifier:${await digestToken(identifier.trim().normalize('NFKC').toLowerCase())}`;
}

/** The refusal of a locked account, telling the client when the lock ends. */
export function lockedOut(services: AccountServices, until: number, detail: string): AuthError {
  const seconds = Math.max(1, Math.ceil((until - services.clock.now()) / 1000));
  return new AuthError('rate_limited', detail, [], { retryAfterSeconds: seconds });
}

/** Counts one failed password check against a throttle key, locking it at the limit. */
export async function recordFailedPassword(services: AccountServices, key: string): Promise<void> {
  const { maxFailures, windowSeconds, lockoutSeconds } = services.settings.loginThrottle;
  const failures = await services.throttle.hit(key, {
    now: services.clock.now(),
    windowMs: windowSeconds * 1000,
    blockAt: maxFailures,
    blockMs: lockoutSeconds * 1000,
  });
  if (failures === maxFailures) {
    services.log({
      event: 'login.locked',
      userId: key.startsWith(ACCOUNT_COUNTER_PREFIX) ? key.slice(ACCOUNT_COUNTER_PREFIX.length) : undefined,
    });
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
  const {
    found,
    counterKey: key,
    failures,
    blockedUntil,
  } = await services.users.findForLogin(identifierKey(input.identifier), {
    accountCounterPrefix: ACCOUNT_COUNTER_PREFIX,
    identifierCounterKey: await identifierCounterKey(input.identifier),
  });
  // Checked before any hashing, so a locked account costs an attacker's request no CPU.
  if (blockedUntil !== null && blockedUntil > services.clock.now()) {
    services.log({ event: 'login.throttled', userId: found?.user.id });
    throw lockedOut(services, blockedUntil, 'Too many failed sign-in attempts. Try again later.');
  }
  const passwordMatches = found
    ? await services.passwords.verify(input.password, found.credential.passwordHash)
    : await services.passwords.verifyDummy(input.password);
  if (!found || !passwordMatches) {
    await recordFailedPassword(services, key);
    services.log({
      event: 'login.failed',
      userId: found?.user.id,
      reason: found ? 'wrong_password' : 'unknown_identifier',
    });
    throw invalidCredentials();
  }
  const { user, credential } = found;
  // Checked only after the password, so this answer tells nothing to someone without it.
  if (user.emailVerifiedAt === null) {
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  if (failures > 0) services.defer(() => services.throttle.clear(key));
  if (services.passwords.needsUpgrade(credential.passwordHash)) {
    const upgraded = await services.passwords.hash(input.password);
    services.defer(() => services.users.upgradePasswordHash(user.id, credential.passwordHash, upgraded));
  }
  const now = services.clock.now();
  const { session, refreshToken } = await startSession(services.sessions, {
    userId: user.id,
    userAgent: input.userAgent,
    now,
    ttlSeconds: services.settings.sessionTtlSeconds,
  });
  services.log({ event: 'login.succeeded', userId: user.id, sessionId: session.id });
  return issueTokens(services, user, session, refreshToken);
}

export async function refresh(services: AccountServices, refreshToken: string): Promise<TokenResponse> {
  const now = services.clock.now();
  const outcome = await rotateRefreshToken(services.sessions, refreshToken, {
    now,
    ttlSeconds: services.settings.sessionTtlSeconds,
    graceMs: services.settings.refreshGraceSeconds * 1000,
  });
  if (outcome.status === 'reused') {
    services.log({ event: 'refresh.reused', userId: outcome.session.userId, sessionId: outcome.session.id });
  }
  if (outcome.status !== 'rotated') throw new AuthError('invalid_token', 'This refresh token is not valid.');
  const active = await services.sessions.findActive(outcome.session.id, outcome.session.userId, now);
  if (!active) throw new AuthError('invalid_token', 'This refresh token is not valid.');
  return issueTokens(services, active.user, outcome.session, outcome.refreshToken);
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
