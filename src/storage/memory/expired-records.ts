// ExpiredRecordStore in memory, deleting at most `limit` rows per call like the D1 statements.
import type { ExpiredRecordStore } from '../../core/sessions/expired-records';
import { type MemoryTables, deleteSessionRow } from './tables';

function deleteUpTo<T>(rows: Map<string, T>, limit: number, spent: (row: T) => boolean, remove: (key: string) => void) {
  const keys = [...rows]
    .filter(([, row]) => spent(row))
    .slice(0, limit)
    .map(([key]) => key);
  keys.forEach(remove);
  return keys.length;
}

export function createMemoryExpiredRecordStore(tables: MemoryTables): ExpiredRecordStore {
  return {
    deleteExpiredSessions: async (now, limit) =>
      deleteUpTo(
        tables.sessions,
        limit,
        (s) => s.expiresAt <= now,
        (id) => deleteSessionRow(tables, id),
      ),
    deleteForgottenRefreshTokens: async (rotatedBefore, limit) =>
      deleteUpTo(
        tables.refreshTokens,
        limit,
        (t) => t.rotatedAt !== null && t.rotatedAt < rotatedBefore,
        (digest) => tables.refreshTokens.delete(digest),
      ),
    deleteExpiredMfaChallenges: async (now, limit) =>
      deleteUpTo(
        tables.mfaChallenges,
        limit,
        (c) => c.expiresAt <= now,
        (digest) => tables.mfaChallenges.delete(digest),
      ),
    deleteExpiredEmailSignIns: async (now, limit) =>
      deleteUpTo(
        tables.emailSignIns,
        limit,
        (pending) => pending.expiresAt <= now,
        (email) => tables.emailSignIns.delete(email),
      ),
    async deleteSpentCounters(prefix, { windowStartedBy, now }, limit) {
      return deleteUpTo(
        new Map([...tables.counters].filter(([key]) => key.startsWith(prefix))),
        limit,
        (c) => c.windowStartedAt <= windowStartedBy && (c.blockedUntil === null || c.blockedUntil <= now),
        (key) => tables.counters.delete(key),
      );
    },
  };
}
