// SessionRepository in memory, with the D1 repository's rules: sessions count only while bound to
// the account's current password, and a refresh token is exchanged only from the state it was
// read in (compare-and-set), so of two concurrent exchanges exactly one wins.
import type { SessionRepository } from '../../core/sessions/sessions';
import { type MemoryTables, deleteSessionRow, isBoundToCurrentPassword, recordEvent } from './tables';

export function createMemorySessionRepository(tables: MemoryTables): SessionRepository {
  function liveWithUser(sessionId: string) {
    const session = tables.sessions.get(sessionId);
    const user = session && tables.users.get(session.userId);
    if (!session || !user || user.disabledAt !== null || !isBoundToCurrentPassword(tables, session)) return null;
    return { session: { ...session }, user: { ...user } };
  }

  return {
    async findActive(sessionId, userId, now) {
      const found = liveWithUser(sessionId);
      return found && found.session.userId === userId && found.session.expiresAt > now ? found : null;
    },

    async findRefreshToken(digest) {
      const token = tables.refreshTokens.get(digest);
      const found = token && liveWithUser(token.sessionId);
      if (!token || !found) return null;
      return {
        token: { sessionId: token.sessionId, rotatedAt: token.rotatedAt, graceUsedAt: token.graceUsedAt },
        ...found,
      };
    },

    async exchangeRefreshToken({ digest, seenRotatedAt, successorDigest, session, now, forgetBefore }) {
      // As in D1, rotated tokens past the reuse memory are forgotten whether or not this exchange wins.
      for (const [other, row] of tables.refreshTokens) {
        if (row.sessionId === session.id && row.rotatedAt !== null && row.rotatedAt < forgetBefore) {
          tables.refreshTokens.delete(other);
        }
      }
      const token = tables.refreshTokens.get(digest);
      const stored = token && tables.sessions.get(token.sessionId);
      if (!token || !stored || token.rotatedAt !== seenRotatedAt || token.graceUsedAt !== null) return false;
      if (!isBoundToCurrentPassword(tables, stored)) return false;
      // A first use rotates the token; a repeat inside the grace window spends its one sibling.
      tables.refreshTokens.set(digest, {
        ...token,
        rotatedAt: token.rotatedAt ?? now,
        graceUsedAt: token.rotatedAt === null ? null : now,
      });
      tables.refreshTokens.set(successorDigest, {
        sessionId: token.sessionId,
        createdAt: now,
        rotatedAt: null,
        graceUsedAt: null,
      });
      tables.sessions.set(stored.id, { ...stored, lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt });
      return true;
    },

    async listForUser(userId, now) {
      return [...tables.sessions.values()]
        .filter((s) => s.userId === userId && s.expiresAt > now && isBoundToCurrentPassword(tables, s))
        .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
        .map((session) => ({ ...session }));
    },

    async delete(userId, sessionId, event) {
      if (tables.sessions.get(sessionId)?.userId !== userId) return false;
      recordEvent(tables, event);
      return deleteSessionRow(tables, sessionId);
    },

    async deleteAllForUser(userId, exceptSessionId, event) {
      for (const session of [...tables.sessions.values()]) {
        if (session.userId === userId && session.id !== exceptSessionId) {
          deleteSessionRow(tables, session.id);
          recordEvent(tables, event);
        }
      }
    },
  };
}
