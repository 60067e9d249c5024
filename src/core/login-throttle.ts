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
import { AuthError } from './errors';
import { digestToken } from './random-token';
import type { AccountServices } from './services';
import type { Session } from './sessions';
import type { UserLookupKey, UserWithCredential } from './users';

export interface LoginThrottleSettings {
  /** Password checks allowed per account (and per typed identifier) in one window. */
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface AttemptLimits {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
}

/** The answer of one counter to a reserved attempt. */
export interface Reservation {
  granted: boolean;
  /** The attempt's number in the window; equals the limit on the attempt that locks. */
  count: number;
  blockedUntil: number | null;
}

export interface LoginAttempt {
  found: UserWithCredential | null;
  /** The typed identifier's counter; null when none was asked for. */
  identifier: Reservation | null;
  /** The account's counter; null when no account matched, or the identifier was refused. */
  account: Reservation | null;
  /** Whether the found account has two-step sign-in (TOTP) on: read in the same lookup. */
  totpEnabled: boolean;
}

/**
 * What a password check needs from storage. Reserving and finding the account are one port, not
 * a user lookup plus a throttle, because they must be one round trip: the account's counter is
 * known only once the account is found, and a second trip would let a burst of parallel requests
 * look the account up before any of them counted. Counters are keyed by `accountCounterKey`.
 */
export interface LoginStore {
  /**
   * In one round trip: reserves an attempt on the typed identifier's counter (`identifierKey`),
   * then (only if that was granted) on the counter of the account the lookup names, and finds
   * that account.
   */
  reserveLoginAttempt(
    lookup: UserLookupKey,
    identifierKey: string,
    limits: AttemptLimits,
    now: number,
  ): Promise<LoginAttempt>;
  /**
   * A password check of a signed-in user (confirming a change or deletion): reserves an attempt
   * on the named account's counter only, and finds the account. `identifier` is always null.
   */
  reserveAccountAttempt(lookup: UserLookupKey, limits: AttemptLimits, now: number): Promise<LoginAttempt>;
  /**
   * In one transaction: starts the session with its first refresh token only while the account's
   * credential is still at `session.credentialVersion` and the account is not disabled, and then
   * clears `counterKeys`. False when the password changed, or the account was disabled or went,
   * after it was checked: nothing is written. Every way in starts its session here.
   */
  completeLogin(session: Session, refreshDigest: string, counterKeys: string[]): Promise<boolean>;
}

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
