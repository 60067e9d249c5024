// UserDirectory on D1: the admin API's listing. A prefix is a range on lower(username) and
// lower(email), which the unique expression indexes answer (LIKE could not use them); pages are
// keyed by (created_at, id), the users_created_at index, so a deep page costs what the first does.
import { type SQL, and, count, desc, eq, gt, lt, or, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { UserDirectory } from '../core/admin/user-directory';
import { accounts, profiles, sessions, users } from './schema';
import { userColumns } from './user-columns';

/**
 * One column per second factor, named after it, true when the user (?1) has it on. All are read in
 * one query; a new kind of factor is one more line here (and in the memory directory).
 */
const secondFactorsQuery = `select ${[
  'exists (select 1 from totp_factors where user_id = ?1 and enabled_at is not null) as totp',
  'exists (select 1 from passkeys where user_id = ?1) as passkey',
].join(', ')}`;

/** Above every character a lowercased username or email may hold, in SQLite's binary order. */
const PREFIX_END = '\u{10FFFF}';

export function createD1UserDirectory(d1: D1Database): UserDirectory {
  const db = drizzle(d1);
  return {
    async search({ prefix, limit, after }) {
      const conditions: SQL[] = [];
      if (prefix) {
        const end = prefix + PREFIX_END;
        conditions.push(
          or(
            and(sql`lower(${users.username}) >= ${prefix}`, sql`lower(${users.username}) < ${end}`),
            and(sql`lower(${users.email}) >= ${prefix}`, sql`lower(${users.email}) < ${end}`),
          )!,
        );
      }
      if (after) {
        conditions.push(
          or(lt(users.createdAt, after.createdAt), and(eq(users.createdAt, after.createdAt), lt(users.id, after.id)))!,
        );
      }
      return db
        .select(userColumns)
        .from(users)
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(and(...conditions))
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(limit);
    },

    async countLiveSessions(userId, now) {
      // Only sessions bound to the current password count, as for the user's own list.
      const [row] = await db
        .select({ sessions: count() })
        .from(sessions)
        .innerJoin(
          accounts,
          and(eq(accounts.userId, sessions.userId), eq(accounts.credentialVersion, sessions.credentialVersion)),
        )
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)));
      return row?.sessions ?? 0;
    },

    async listSecondFactors(userId) {
      const row = await d1.prepare(secondFactorsQuery).bind(userId).first<Record<string, number>>();
      return Object.keys(row ?? {}).filter((name) => row![name] === 1);
    },
  };
}
