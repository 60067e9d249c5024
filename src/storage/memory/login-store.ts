// LoginStore in memory: reserve on the identifier's counter, then (only if granted) on the
// account's, and find the account, all in one synchronous step like the D1 batch. A burst of
// parallel logins therefore gets no more password checks than the limit.
import { accountCounterKey } from '../../core/passwords/login-throttle';
import type { AttemptLimits, LoginAttempt, LoginStore } from '../../core/passwords/login-store';
import type { UserLookupKey } from '../../core/accounts/users';
import { reserveAttempt } from './counters';
import { type MemoryTables, deleteSessionRow, findUserBy, isBoundToCurrentPassword, recordEvent } from './tables';

export function createMemoryLoginStore(tables: MemoryTables): LoginStore {
  function reserve(lookup: UserLookupKey, identifierKey: string | null, limits: AttemptLimits, now: number) {
    const identifier = identifierKey ? reserveAttempt(tables, identifierKey, limits, now) : null;
    const user = findUserBy(tables, lookup);
    const credential = user && tables.credentials.get(user.id);
    const account =
      user && (identifier?.count ?? 0) <= limits.maxAttempts
        ? reserveAttempt(tables, accountCounterKey(user.id), limits, now)
        : null;
    const found = user && credential ? { user: { ...user }, credential: { ...credential } } : null;
    const totpEnabled = Boolean(user && tables.totpFactors.get(user.id)?.enabledAt != null);
    return Promise.resolve<LoginAttempt>({ found, identifier, account, totpEnabled });
  }

  return {
    reserveLoginAttempt: reserve,
    reserveAccountAttempt: (lookup, limits, now) => reserve(lookup, null, limits, now),

    async completeLogin(session, refreshDigest, counterKeys, event) {
      for (const other of [...tables.sessions.values()]) {
        if (other.userId === session.userId && other.expiresAt < session.createdAt) deleteSessionRow(tables, other.id);
      }
      // Like D1's insert: only under the credential version checked, and never for a disabled account.
      if (!isBoundToCurrentPassword(tables, session) || tables.users.get(session.userId)?.disabledAt !== null) {
        return { started: false };
      }
      tables.sessions.set(session.id, { ...session });
      tables.refreshTokens.set(refreshDigest, {
        sessionId: session.id,
        createdAt: session.createdAt,
        rotatedAt: null,
        graceUsedAt: null,
      });
      for (const key of counterKeys) tables.counters.delete(key);
      const stored = recordEvent(tables, event);
      return { started: true, event: event ? (stored ?? { event, awaitsDispatch: true }) : null };
    },
  };
}
