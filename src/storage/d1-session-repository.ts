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
import { type Session, type SessionRepository, parseAmr } from '../core/sessions/sessions';
import type { User } from '../core/accounts/users';
import { type UserSqlRow, userOfRow, userSqlColumns } from './user-columns';
import { outboxStatement } from './d1-event-outbox';

// Every query in this file is plain SQL on the D1 binding (drizzle-orm stays out of the Worker's
// bundle; ./schema.ts remains the source of the migrations).

const sessionSqlColumns = 's.id, s.user_agent, s.created_at, s.last_used_at, s.expires_at, s.credential_version, s.amr';

// A session counts only while its account is still at the credential version it started under.
const boundToCurrentCredential = 'a.user_id = s.user_id and a.credential_version = s.credential_version';

// The session's user and credential (and the user's profile), joined as every authenticating
// read needs them. The user's id is the row's user_id (userSqlColumns).
const userAndCredentialJoins = `
  join users u on u.id = s.user_id
  join accounts a on ${boundToCurrentCredential}
  left join profiles p on p.user_id = u.id`;

const findActiveSql = `
  select ${sessionSqlColumns}, ${userSqlColumns('u', 'p')}
  from sessions s ${userAndCredentialJoins}
  where s.id = ?1 and s.user_id = ?2 and s.expires_at > ?3 and u.disabled_at is null
  limit 1`;

const findRefreshTokenSql = `
  select t.rotated_at as token_rotated_at, t.grace_used_at as token_grace_used_at,
         ${sessionSqlColumns}, ${userSqlColumns('u', 'p')}
  from refresh_tokens t
  join sessions s on s.id = t.session_id ${userAndCredentialJoins}
  where t.digest = ?1 and u.disabled_at is null
  limit 1`;

const listForUserSql = `
  select ${sessionSqlColumns}, s.user_id
  from sessions s
  join accounts a on ${boundToCurrentCredential}
  where s.user_id = ?1 and s.expires_at > ?2
  order by s.last_used_at desc`;

interface SessionRow {
  id: string;
  user_id: string;
  user_agent: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  credential_version: number;
  amr: string;
}

type ActiveSessionRow = SessionRow & UserSqlRow;

interface RefreshTokenRow extends ActiveSessionRow {
  token_rotated_at: number | null;
  token_grace_used_at: number | null;
}

function sessionOfRow(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    credentialVersion: row.credential_version,
    amr: parseAmr(row.amr),
  };
}

function toAuthenticated(row: ActiveSessionRow): { session: Session; user: User } {
  return { session: sessionOfRow(row), user: userOfRow(row) };
}

/** Where the reads of authenticated requests go; see SESSION_READS in the README. */
export type SessionReads = 'replica' | 'primary';

export function createD1SessionRepository(
  d1: D1Database,
  options: { reads: SessionReads } = { reads: 'primary' },
): SessionRepository {
  // A new D1 session per read: its first query may go to any replica.
  const nearbyD1 = () => (options.reads === 'replica' ? d1.withSession('first-unconstrained') : d1);

  // The session check of every authenticated request: it is the hottest query, so nothing is
  // built per request (building it with drizzle on each request, and a drizzle client per D1
  // session, cost more CPU than the query). Same joins and conditions as the rest of this file.
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
      // On the primary: the rotation's compare-and-set is decided against what this reads.
      const row = await d1.prepare(findRefreshTokenSql).bind(digest).first<RefreshTokenRow>();
      if (!row) return null;
      return {
        token: { sessionId: row.id, rotatedAt: row.token_rotated_at, graceUsedAt: row.token_grace_used_at },
        ...toAuthenticated(row),
      };
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
      const { results } = await nearbyD1().prepare(listForUserSql).bind(userId, now).all<SessionRow>();
      return results.map(sessionOfRow);
    },

    async delete(userId, sessionId, event) {
      const deletion = d1
        .prepare('delete from sessions where id = ?1 and user_id = ?2 returning id')
        .bind(sessionId, userId);
      const [deleted] = event
        ? await d1.batch([deletion, outboxStatement(d1, event, 'if-changed')])
        : [await deletion.all()];
      return deleted!.results.length === 1;
    },

    async deleteAllForUser(userId, exceptSessionId, event) {
      const deletion = exceptSessionId
        ? d1.prepare('delete from sessions where user_id = ?1 and id <> ?2').bind(userId, exceptSessionId)
        : d1.prepare('delete from sessions where user_id = ?1').bind(userId);
      if (event) await d1.batch([deletion, outboxStatement(d1, event, 'if-changed')]);
      else await deletion.run();
    },
  };
}
