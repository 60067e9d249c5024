// SessionRepository on D1. Every read that authenticates a request is one query joining the
// session with its user and credential, so a deleted session, one made under a password that
// has since changed, or one of a disabled user, stops working at the next request, everywhere.
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { SessionRepository } from '../core/sessions';
import { accounts, profiles, refreshTokens, sessions, users } from './schema';
import { userColumns } from './user-columns';

const sessionColumns = {
  id: sessions.id,
  userId: sessions.userId,
  userAgent: sessions.userAgent,
  createdAt: sessions.createdAt,
  lastUsedAt: sessions.lastUsedAt,
  expiresAt: sessions.expiresAt,
  passwordVersion: sessions.passwordVersion,
};

// A session counts only while its account is still at the password version it started under.
const boundToCurrentPassword = and(
  eq(accounts.userId, sessions.userId),
  eq(accounts.passwordVersion, sessions.passwordVersion),
)!;

export function createD1SessionRepository(d1: D1Database): SessionRepository {
  const db = drizzle(d1);

  return {
    async findActive(sessionId, userId, now) {
      const rows = await db
        .select({ session: sessionColumns, user: userColumns })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .innerJoin(accounts, boundToCurrentPassword)
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(
          and(
            eq(sessions.id, sessionId),
            eq(sessions.userId, userId),
            gt(sessions.expiresAt, now),
            isNull(users.disabledAt),
          ),
        )
        .limit(1);
      return rows[0] ?? null;
    },

    async findRefreshToken(digest) {
      const rows = await db
        .select({
          token: {
            sessionId: refreshTokens.sessionId,
            rotatedAt: refreshTokens.rotatedAt,
            graceUsedAt: refreshTokens.graceUsedAt,
          },
          session: sessionColumns,
          user: userColumns,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .innerJoin(users, eq(users.id, sessions.userId))
        .innerJoin(accounts, boundToCurrentPassword)
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(and(eq(refreshTokens.digest, digest), isNull(users.disabledAt)))
        .limit(1);
      return rows[0] ?? null;
    },

    async exchangeRefreshToken({ digest, seenRotatedAt, successorDigest, session, now, forgetBefore }) {
      // The first statement is the compare-and-set; the others act only through the successor it
      // named, so when it matched nothing (a concurrent refresh moved the token, or the session
      // was deleted) no row is added and no foreign key can fail.
      const [, added] = await d1.batch([
        d1
          .prepare(
            `update refresh_tokens set
               rotated_at = coalesce(rotated_at, ?3),
               grace_used_at = case when rotated_at is null then null else ?3 end,
               successor = ?4
             where digest = ?1 and rotated_at is ?2 and grace_used_at is null
               and exists (select 1 from sessions s join accounts a on a.user_id = s.user_id
                           where s.id = refresh_tokens.session_id and a.password_version = s.password_version)`,
          )
          .bind(digest, seenRotatedAt, now, successorDigest),
        d1
          .prepare(
            `insert into refresh_tokens (digest, session_id, created_at)
             select ?2, session_id, ?3 from refresh_tokens where digest = ?1 and successor = ?2
             returning digest`,
          )
          .bind(digest, successorDigest, now),
        d1
          .prepare(
            `update sessions set last_used_at = ?2, expires_at = ?3
             where id = (select session_id from refresh_tokens where digest = ?1)`,
          )
          .bind(successorDigest, session.lastUsedAt, session.expiresAt),
        d1
          .prepare('delete from refresh_tokens where session_id = ?1 and rotated_at < ?2')
          .bind(session.id, forgetBefore),
      ]);
      return added!.results.length === 1;
    },

    listForUser: (userId, now) =>
      db
        .select(sessionColumns)
        .from(sessions)
        .innerJoin(accounts, boundToCurrentPassword)
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
