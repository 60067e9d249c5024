// One quick retry for the storage operations that are safe to repeat, decided here, where it is
// known what each query does. Retried: reads, deletes by key, the KV put of a record under its
// digest, and conditional updates that re-check their condition. Never retried: inserts (a user,
// a session) and counting upserts (login reservations, throttle hits), because a lost answer does
// not mean a lost write, and a second run would add a second row or count an attempt twice.
//
// The login store is not wrapped: its reservation counts an attempt and completeLogin inserts
// the session.
//
// A conditional write whose first answer was lost may have landed: its retry then finds the
// condition gone and answers false. Where false would tell the user "already used" (verify email,
// reset), the wrapper re-reads and recognises its own write.
import type { EmailTokenStore } from '../core/accounts/email-tokens';
import { retryOnce } from '../core/kit/retry';
import type { SessionRepository } from '../core/sessions/sessions';
import type { ThrottleStore } from '../core/mail/throttle';
import type { UserRepository } from '../core/accounts/users';
import { classifyStorageError, isRetryableStorageError } from './transient-errors';

export interface StorageRetryOptions {
  /** Receives one line per retry: the operation and the error class, never the query. */
  log: (event: { event: string } & Record<string, unknown>) => void;
  /** Injected by tests; by default retryOnce's jittered 20–60 ms. */
  delayMs?: () => number;
}

type Retry = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

function retrier(options: StorageRetryOptions): Retry {
  return (operation, run) =>
    retryOnce(run, {
      isRetryable: isRetryableStorageError,
      delayMs: options.delayMs,
      onRetry: (error) =>
        options.log({ event: 'storage.retried', operation, error: classifyStorageError(error)?.kind ?? 'unknown' }),
    });
}

/** Tells a retry's "false" caused by this request's own lost answer from a genuine "false". */
async function retryConditional(
  retry: Retry,
  operation: string,
  write: () => Promise<boolean>,
  landed: () => Promise<boolean>,
): Promise<boolean> {
  let attempts = 0;
  const result = await retry(operation, () => {
    attempts += 1;
    return write();
  });
  return result || attempts === 1 ? result : landed();
}

export function retryingUsers(users: UserRepository, options: StorageRetryOptions): UserRepository {
  const retry = retrier(options);
  return {
    // An insert: never repeated (its retry would meet its own row as a username conflict).
    create: (input, event) => users.create(input, event),
    findById: (id) => retry('users.findById', () => users.findById(id)),
    findByEmail: (email) => retry('users.findByEmail', () => users.findByEmail(email)),
    findWithCredential: (key) => retry('users.findWithCredential', () => users.findWithCredential(key)),
    // Verified at exactly this request's `now`, for this address: the first attempt landed.
    markEmailVerified: (userId, email, now, event) =>
      retryConditional(
        retry,
        'users.markEmailVerified',
        () => users.markEmailVerified(userId, email, now, event),
        async () => {
          const user = await users.findById(userId);
          return user?.email === email && user.emailVerifiedAt === now;
        },
      ),
    // The stored hash is this request's own (hashes are salted, so no other request wrote it).
    replacePassword: (input) =>
      retryConditional(
        retry,
        'users.replacePassword',
        () => users.replacePassword(input),
        async () => {
          const found = await users.findWithCredential({ id: input.userId });
          return found?.credential.passwordHash === input.passwordHash;
        },
      ),
    // Not repeated: a lost answer would make the retry see its own change as "taken meanwhile"
    // or "already used"; the 503 lets the client ask again with a fresh view.
    changeEmail: (input) => users.changeEmail(input),
    // Setting the same state again is harmless: idempotent by construction.
    setDisabled: (userId, disabledAt, now, event) =>
      retry('users.setDisabled', () => users.setDisabled(userId, disabledAt, now, event)),
    // A retry after a lost answer finds the user gone: taken as this request's own deletion (a
    // parallel deletion winning in those same milliseconds would then answer 204 as well).
    delete: (userId, event) =>
      retryConditional(
        retry,
        'users.delete',
        () => users.delete(userId, event),
        async () => (await users.findById(userId)) === null,
      ),
    upgradePasswordHash: (userId, previousHash, passwordHash) =>
      retry('users.upgradePasswordHash', () => users.upgradePasswordHash(userId, previousHash, passwordHash)),
  };
}

export function retryingSessions(sessions: SessionRepository, options: StorageRetryOptions): SessionRepository {
  const retry = retrier(options);
  return {
    findActive: (sessionId, userId, now) =>
      retry('sessions.findActive', () => sessions.findActive(sessionId, userId, now)),
    findRefreshToken: (digest) => retry('sessions.findRefreshToken', () => sessions.findRefreshToken(digest)),
    // Not repeated: a lost answer followed by a retry would look like reuse of the rotated token.
    // The client's own retry with the same token is answered by the refresh grace period.
    exchangeRefreshToken: (exchange) => sessions.exchangeRefreshToken(exchange),
    listForUser: (userId, now) => retry('sessions.listForUser', () => sessions.listForUser(userId, now)),
    // Deletes by key. A retry after a lost answer finds nothing and says false, which only
    // revoking another session reports (as 404); logout ignores it.
    delete: (userId, sessionId, event) => retry('sessions.delete', () => sessions.delete(userId, sessionId, event)),
    deleteAllForUser: (userId, exceptSessionId, event) =>
      retry('sessions.deleteAllForUser', () => sessions.deleteAllForUser(userId, exceptSessionId, event)),
  };
}

export function retryingThrottle(throttle: ThrottleStore, options: StorageRetryOptions): ThrottleStore {
  const retry = retrier(options);
  return {
    // A counting upsert: a repeat would count one event twice.
    hit: (key, window) => throttle.hit(key, window),
    clear: (keys) => retry('throttle.clear', () => throttle.clear(keys)),
  };
}

export function retryingEmailTokens(tokens: EmailTokenStore, options: StorageRetryOptions): EmailTokenStore {
  const retry = retrier(options);
  return {
    get: (purpose, digest) => retry('email_tokens.get', () => tokens.get(purpose, digest)),
    // The same record under the same digest: writing it twice changes nothing.
    put: (digest, record, retainUntil) => retry('email_tokens.put', () => tokens.put(digest, record, retainUntil)),
    delete: (purpose, digest) => retry('email_tokens.delete', () => tokens.delete(purpose, digest)),
  };
}
