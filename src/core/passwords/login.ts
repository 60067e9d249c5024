// Login: checks a password under the lock-out of login-throttle.ts, then goes through the one door
// (sign-in.ts). Staying signed in (refresh, authenticate, logout) is in session-flows.ts.
import { AuthError } from '../kit/errors';
import { attemptLimits, counterKeysOf, identifierCounterKey, lockedOut, logLock } from './login-throttle';
import type { AccountServices } from '../services';
import type { TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn } from '../sessions/sign-in';
import { normalizeEmail, normalizeUsername } from '../accounts/users';

/** What a login uses: the user lookup with its counters, the hasher, and the token issuer. */
export type LoginDeps = Pick<
  AccountServices,
  'logins' | 'throttle' | 'users' | 'passwords' | 'accessTokens' | 'clock' | 'settings' | 'log' | 'defer' | 'mfa'
> &
  SignInDeps;

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
  // An account without a password gets the dummy check too: the same answer and cost as a wrong one.
  const passwordHash = checked?.credential.passwordHash ?? null;
  const passwordMatches = passwordHash
    ? await services.passwords.verify(input.password, passwordHash)
    : await services.passwords.verifyDummy(input.password);
  if (!checked || !passwordMatches) {
    const reason = !found
      ? 'unknown_identifier'
      : !checked
        ? 'account_locked'
        : passwordHash
          ? 'wrong_password'
          : 'no_password';
    services.log({ event: 'login.failed', userId: found?.user.id, reason });
    throw invalidCredentials();
  }
  const { user, credential } = checked;
  if (services.passwords.needsUpgrade(credential.passwordHash!)) {
    const upgraded = await services.passwords.hash(input.password);
    services.defer(() => services.users.upgradePasswordHash(user.id, credential.passwordHash!, upgraded));
  }
  return finishSignIn(
    services,
    {
      method: 'password',
      user,
      credentialVersion: credential.credentialVersion,
      amr: ['pwd'],
      totpEnabled,
      counterKeys: await counterKeysOf(user),
      refused: invalidCredentials,
    },
    input,
  );
}
