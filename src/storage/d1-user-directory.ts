// UserDirectory on D1: the admin API's listing. A prefix is a range on lower(username) and
// lower(email), which the unique expression indexes answer (LIKE could not use them); pages are
// keyed by (created_at, id), the users_created_at index, so a deep page costs what the first does.
import type { UserDirectory } from '../core/admin/user-directory';
import { type UserSqlRow, userOfRow, userSqlColumns } from './user-columns';

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

// Only sessions bound to the current password count, as for the user's own list.
const countLiveSessionsQuery = `select count(*) as sessions from sessions s
  join accounts a on a.user_id = s.user_id and a.credential_version = s.credential_version
  where s.user_id = ?1 and s.expires_at > ?2`;

export function createD1UserDirectory(d1: D1Database): UserDirectory {
  return {
    async search({ prefix, limit, after }) {
      // Each occurrence of a value is its own parameter: SQLite plans `?1 ... ?1` differently
      // (with both a prefix and a page key it would walk users_created_at rather than the prefix
      // indexes).
      const params: unknown[] = [];
      /** A new numbered parameter, bound to `value`. */
      const param = (value: unknown) => `?${params.push(value)}`;
      const conditions: string[] = [];
      if (prefix) {
        const end = prefix + PREFIX_END;
        conditions.push(
          `((lower(u.username) >= ${param(prefix)} and lower(u.username) < ${param(end)})
            or (lower(u.email) >= ${param(prefix)} and lower(u.email) < ${param(end)}))`,
        );
      }
      if (after) {
        conditions.push(
          `(u.created_at < ${param(after.createdAt)}
            or (u.created_at = ${param(after.createdAt)} and u.id < ${param(after.id)}))`,
        );
      }
      const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
      const { results } = await d1
        .prepare(
          `select ${userSqlColumns('u', 'p')} from users u left join profiles p on p.user_id = u.id
           ${where} order by u.created_at desc, u.id desc limit ${param(limit)}`,
        )
        .bind(...params)
        .all<UserSqlRow>();
      return results.map(userOfRow);
    },

    async countLiveSessions(userId, now) {
      const row = await d1.prepare(countLiveSessionsQuery).bind(userId, now).first<{ sessions: number }>();
      return row?.sessions ?? 0;
    },

    async listSecondFactors(userId) {
      const row = await d1.prepare(secondFactorsQuery).bind(userId).first<Record<string, number>>();
      return Object.keys(row ?? {}).filter((name) => row![name] === 1);
    },
  };
}
