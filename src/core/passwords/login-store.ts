// The port of the password check's lock-out (login-throttle.ts): one round trip that reserves an
// attempt on the counters and finds the account, and the one conditional write that starts every
// session (sessions/sign-in.ts). In a file of its own so that services.ts, which lists the ports,
// imports no flow.
import type { UserLookupKey, UserWithCredential } from '../accounts/users';
import type { Session } from '../sessions/sessions';
import type { OutboxEvent, StoredEvent } from '../events/catalogue';

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
   * clears `counterKeys`. Not `started` when the password changed, or the account was disabled or
   * went, after it was checked: nothing is written. Every way in starts its session here. `event`
   * (session.created) is recorded with the session, and only with it; the answer gives it as
   * stored, so the sign-in needs no read to learn `newDevice` or that no endpoint wants it.
   */
  completeLogin(
    session: Session,
    refreshDigest: string,
    counterKeys: string[],
    event?: OutboxEvent,
  ): Promise<CompletedLogin>;
}

/** What completeLogin did: no session at all, or one, with its event as stored when one was given. */
export type CompletedLogin = { started: false } | { started: true; event: StoredEvent | null };
