// The lock-out on password guessing. Every password check is reserved before any hashing, by one
// atomic counter update in D1 that also answers whether the check may run, so no burst of
// parallel requests gets more checks than the limit: at most `maxFailures` per account per window
// (a success clears the count).
//
// Two counters apply to a login. The counter of the identifier as typed decides whether the
// client is told to wait (429); it exists whether or not an account has that name, so unknown
// identifiers answer like real ones. The account's counter caps the password checks of the
// account across its username and email; when it is spent but the typed identifier's is not, the
// login is answered as a wrong password, at the same cost, so locking `alice` does not reveal
// which email is hers.
import { AuthError } from '../kit/errors';
import { digestToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import type { AttemptLimits, LoginThrottleSettings, Reservation } from './login-store';

export const ACCOUNT_COUNTER_PREFIX = 'login:user:';

export function accountCounterKey(userId: string): string {
  return `${ACCOUNT_COUNTER_PREFIX}${userId}`;
}

/** Usernames and emails typed in any case or width share one counter. */
export async function identifierCounterKey(identifier: string): Promise<string> {
  return `login:identifier:${await digestToken(identifier.trim().normalize('NFKC').toLowerCase())}`;
}

/** Every counter a proof of the password (a login, a reset) should clear for this account. */
export async function counterKeysOf(user: { id: string; username: string; email: string }): Promise<string[]> {
  return [
    accountCounterKey(user.id),
    await identifierCounterKey(user.username),
    await identifierCounterKey(user.email),
  ];
}

export function attemptLimits(settings: LoginThrottleSettings): AttemptLimits {
  return {
    maxAttempts: settings.maxFailures,
    windowMs: settings.windowSeconds * 1000,
    lockoutMs: settings.lockoutSeconds * 1000,
  };
}

/** The refusal of a locked counter, telling the client when the lock ends. */
export function lockedOut(reservation: Reservation, now: number, detail: string): AuthError {
  const until = reservation.blockedUntil ?? now;
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  return new AuthError('rate_limited', detail, [], { retryAfterSeconds: seconds });
}

/** Logs the attempt that locked an account, once per lock. */
export function logLock(
  services: Pick<AccountServices, 'settings' | 'log'>,
  account: Reservation | null,
  userId: string | undefined,
): void {
  if (account?.granted && account.count === services.settings.loginThrottle.maxFailures) {
    services.log({ event: 'login.locked', userId });
  }
}
