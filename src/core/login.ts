// Login: checks a password under the lock-out of login-throttle.ts and starts a session. Staying
// signed in (refresh, authenticate, logout) is in session-flows.ts.
import { AuthError } from './errors';
import { startMfaChallenge } from './mfa';
import { attemptLimits, counterKeysOf, identifierCounterKey, lockedOut, logLock } from './login-throttle';
import type { AccountServices } from './services';
import { type TokenResponse, issueTokens, sessionLifetime } from './session-flows';
import { newSession } from './sessions';
import { normalizeEmail, normalizeUsername } from './users';

/** What a login uses: the user lookup with its counters, the hasher, and the token issuer. */
export type LoginDeps = Pick<
  AccountServices,
  'logins' | 'throttle' | 'users' | 'passwords' | 'accessTokens' | 'clock' | 'settings' | 'log' | 'defer' | 'mfa'
>;

const invalidCredentials = () => new AuthError('invalid_credentials', 'The identifier or password is incorrect.');

function identifierKey(identifier: string) {
  // Usernames cannot contain '@', so an identifier names a username or an email, never both.
  return identifier.includes('@') ? { email: normalizeEmail(identifier) } : { username: normalizeUsername(identifier) };
}

export async function login(
  services: LoginDeps,
  input: { identifier: string; password: string; userAgent: string },
): Promise<TokenResponse> {
  const now = services.clock.now();
  const { found, identifier, account, totpEnabled } = await services.logins.reserveLoginAttempt(
    identifierKey(input.identifier),
    await identifierCounterKey(input.identifier),
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
  // Checked only after the password, so these answers tell nothing to someone without it.
  if (user.disabledAt !== null) {
    services.defer(() => services.throttle.clear(counterKeys));
    services.log({ event: 'login.failed', userId: user.id, reason: 'account_disabled' });
    throw new AuthError('account_disabled', 'This account has been disabled.');
  }
  if (user.emailVerifiedAt === null && services.settings.emailVerification === 'required') {
    services.defer(() => services.throttle.clear(counterKeys));
    throw new AuthError('email_not_verified', 'Verify your email address before signing in.');
  }
  if (services.passwords.needsUpgrade(credential.passwordHash)) {
    const upgraded = await services.passwords.hash(input.password);
    services.defer(() => services.users.upgradePasswordHash(user.id, credential.passwordHash, upgraded));
  }
  // The counters stay as they are: they are cleared only once the second factor is verified too,
  // so a known password does not reset the budget for guessing codes.
  if (totpEnabled) {
    services.log({ event: 'login.mfa_required', userId: user.id });
    throw await startMfaChallenge(services, credential);
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
