// SessionRepository on D1. Every read that authenticates a request is one query joining the
// session with its user and credential, so a deleted session, one made under a credential that
// has since been reset, or one of a disabled user, stops working at the next request (at a read replica: once the change has
// reached it, see below).
//
// Reads that authenticate a request (`findActive`) and the session listing go through the D1
// Sessions API when `reads` is 'replica': a nearby replica where the database has read
// replication on, the primary where it does not. A session the replica does not know (a sign-in a
// moment ago, not yet replicated) is looked up again on the primary before the caller refuses it,
// so a new session is never refused. Everything that writes or decides a compare-and-set (refresh
// rotation reads its token on the primary) stays on the primary.
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { type Session, type SessionRepository, parseAmr } from '../core/sessions/sessions';
import type { User } from '../core/accounts/users';
import { accounts, profiles, refreshTokens, sessions, users } from './schema';
import { type UserSqlRow, userColumns, userOfRow, userSqlColumns } from './user-columns';
import { outboxInsert } from './d1-event-outbox';

const sessionColumns = {
  id: sessions.id,
  userId: sessions.userId,
  userAgent: sessions.userAgent,
  createdAt: sessions.createdAt,
  lastUsedAt: sessions.lastUsedAt,
  expiresAt: sessions.expiresAt,
  credentialVersion: sessions.credentialVersion,
  amr: sessions.amr,
};

/** A session row as drizzle reads it, its amr still the stored text. */
const sessionOfRow = <T extends { amr: string }>(row: T) => ({ ...row, amr: parseAmr(row.amr) });

// A session counts only while its account is still at the credential version it started under.
const boundToCurrentCredential = and(
  eq(accounts.userId, sessions.userId),
  eq(accounts.credentialVersion, sessions.credentialVersion),
)!;

const findActiveSql = `
  select s.id, s.user_agent, s.created_at, s.last_used_at, s.expires_at, s.credential_version, s.amr,
         ${userSqlColumns('u', 'p')}
  from sessions s
  join users u on u.id = s.user_id
  join accounts a on a.user_id = s.user_id and a.credential_version = s.credential_version
  left join profiles p on p.user_id = u.id
  where s.id = ?1 and s.user_id = ?2 and s.expires_at > ?3 and u.disabled_at is null
  limit 1`;

interface ActiveSessionRow extends UserSqlRow {
  id: string;
  user_agent: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  credential_version: number;
  amr: string;
}

function toAuthenticated(row: ActiveSessionRow): { session: Session; user: User } {
  return {
    session: {
      id: row.id,
      userId: row.user_id,
      userAgent: row.user_agent,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
      credentialVersion: row.credential_version,
      amr: parseAmr(row.amr),
    },
    user: userOfRow(row),
  };
}

/** Where the reads of authenticated requests go; see SESSION_READS in the README. */
export type SessionReads = 'replica' | 'primary';

export function createD1SessionRepository(
  d1: D1Database,
  options: { reads: SessionReads } = { reads: 'primary' },
): SessionRepository {
  const db = drizzle(d1);
  // A new D1 session per read: its first query may go to any replica. drizzle's D1 driver only
  // calls prepare() and batch(), which a D1DatabaseSession has as well; its type asks for a whole
  // D1Database, hence the cast.
  const nearbyD1 = () => (options.reads === 'replica' ? d1.withSession('first-unconstrained') : d1);
  const nearbyDb = () => (options.reads === 'replica' ? drizzle(nearbyD1() as unknown as D1Database) : db);

  // The session check of every authenticated request, in plain SQL: it is the hottest query, and
  // building it with drizzle on each request (and a drizzle client per D1 session) cost more CPU
  // than the query. Same joins and conditions as the rest of this file.
  const findActiveOn = (on: D1Database | D1DatabaseSession, sessionId: string, userId: string, now: number) =>
    on.prepare(findActiveSql).bind(sessionId, userId, now).first<ActiveSessionRow>();

  return {
    async findActive(sessionId, userId, now) {
      const nearby = await findActiveOn(nearbyD1(), sessionId, userId, now);
      if (nearby || options.reads === 'primary') return nearby && toAuthenticated(nearby);
      // Unknown (or expired) at the replica: the primary decides before any 401.
      const primary = await findActiveOn(d1, sessionId, userId, now);
      return primary && toAuthenticated(primary);
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
        .innerJoin(accounts, boundToCurrentCredential)
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(and(eq(refreshTokens.digest, digest), isNull(users.disabledAt)))
        .limit(1);
      const row = rows[0];
      return row ? { ...row, session: sessionOfRow(row.session) } : null;
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
                           where s.id = refresh_tokens.session_id and a.credential_version = s.credential_version)`,
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

    async listForUser(userId, now) {
      const rows = await nearbyDb()
        .select(sessionColumns)
        .from(sessions)
        .innerJoin(accounts, boundToCurrentCredential)
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
        .orderBy(sql`${sessions.lastUsedAt} desc`);
      return rows.map(sessionOfRow);
    },

    async delete(userId, sessionId, event) {
      const deletion = db
        .delete(sessions)
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
        .returning({ id: sessions.id });
      const [rows] = event ? await db.batch([deletion, outboxInsert(db, event, 'if-changed')]) : [await deletion];
      return rows.length === 1;
    },

    async deleteAllForUser(userId, exceptSessionId, event) {
      const deletion = db
        .delete(sessions)
        .where(
          exceptSessionId
            ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
            : eq(sessions.userId, userId),
        );
      if (event) await db.batch([deletion, outboxInsert(db, event, 'if-changed')]);
      else await deletion;
    },
  };
}
