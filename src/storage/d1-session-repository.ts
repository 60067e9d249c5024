// SessionRepository on D1. Every read that authenticates a request is one query joining the
// session with its user, so a deleted session stops working at the next request, everywhere.
import { and, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { SessionRepository } from '../core/sessions';
import { profiles, refreshTokens, sessions, users } from './schema';
import { userColumns } from './user-columns';

const sessionColumns = {
  id: sessions.id,
  userId: sessions.userId,
  userAgent: sessions.userAgent,
  createdAt: sessions.createdAt,
  lastUsedAt: sessions.lastUsedAt,
  expiresAt: sessions.expiresAt,
};

export function createD1SessionRepository(d1: D1Database): SessionRepository {
  const db = drizzle(d1);

  return {
    async create(session, refreshDigest) {
      await db.batch([
        // Expired sessions of the user are dropped as new ones start, so rows do not pile up.
        db.delete(sessions).where(and(eq(sessions.userId, session.userId), lt(sessions.expiresAt, session.createdAt))),
        db.insert(sessions).values(session),
        db.insert(refreshTokens).values({ digest: refreshDigest, sessionId: session.id, createdAt: session.createdAt }),
      ]);
    },

    async findActive(sessionId, userId, now) {
      const rows = await db
        .select({ session: sessionColumns, user: userColumns })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
        .limit(1);
      return rows[0] ?? null;
    },

    async findRefreshToken(digest) {
      const rows = await db
        .select({
          token: { sessionId: refreshTokens.sessionId, rotatedAt: refreshTokens.rotatedAt },
          session: sessionColumns,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.digest, digest))
        .limit(1);
      return rows[0] ?? null;
    },

    async markRotated(digest, now) {
      const rows = await db
        .update(refreshTokens)
        .set({ rotatedAt: now })
        .where(and(eq(refreshTokens.digest, digest), isNull(refreshTokens.rotatedAt)))
        .returning({ digest: refreshTokens.digest });
      return rows.length === 1;
    },

    async addRefreshToken(session, digest, now, forgetBefore) {
      await db.batch([
        db.insert(refreshTokens).values({ digest, sessionId: session.id, createdAt: now }),
        db
          .update(sessions)
          .set({ lastUsedAt: session.lastUsedAt, expiresAt: session.expiresAt })
          .where(eq(sessions.id, session.id)),
        db
          .delete(refreshTokens)
          .where(and(eq(refreshTokens.sessionId, session.id), lt(refreshTokens.rotatedAt, forgetBefore))),
      ]);
    },

    listForUser: (userId, now) =>
      db
        .select(sessionColumns)
        .from(sessions)
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
        .orderBy(sql`${sessions.lastUsedAt} desc`),

    async delete(userId, sessionId) {
      const rows = await db
        .delete(sessions)
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
        .returning({ id: sessions.id });
      return rows.length === 1;
    },

    async deleteAllForUser(userId, exceptSessionId) {
      await db
        .delete(sessions)
        .where(
          exceptSessionId
            ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
            : eq(sessions.userId, userId),
        );
    },
  };
}
