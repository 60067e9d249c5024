// UserRepository on D1 in plain SQL. Multi-statement writes use d1.batch(), which D1 runs as one
// transaction. A conditional write answers through `returning`: the row it changed, or none.
import { type User, type UserRepository, type UserWithCredential, newUserOf } from '../core/accounts/users';
import type { OutboxEvent } from '../core/events/catalogue';
import { outboxStatement, storedEventOf } from './d1-event-outbox';
import { type UserSqlRow, userOfRow, userSqlColumns } from './user-columns';

interface CredentialRow extends UserSqlRow {
  password_hash: string | null;
  credential_version: number;
}

/** Which unique index a failed insert ran into, found in the driver error's cause chain. */
function uniqueConflictOf(error: unknown): 'username' | 'email' | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message.includes('users_username_unique')) return 'username';
    if (current.message.includes('users_email_unique')) return 'email';
  }
  return null;
}

/** Whether a statement with `returning` changed its one row. */
const changedOne = (result: D1Result | undefined) => result?.results.length === 1;

const userFrom = `select ${userSqlColumns('u', 'p')} from users u left join profiles p on p.user_id = u.id`;

export function createD1UserRepository(d1: D1Database): UserRepository {
  async function findOne(condition: string, value: string): Promise<User | null> {
    const row = await d1.prepare(`${userFrom} where ${condition} limit 1`).bind(value).first<UserSqlRow>();
    return row ? userOfRow(row) : null;
  }

  /** Runs `statement` alone, or in one batch before the event's outbox insert (only if it changed a row). */
  async function withEvent(statement: D1PreparedStatement, event: OutboxEvent | undefined): Promise<boolean> {
    return changedOne(
      event ? (await d1.batch([statement, outboxStatement(d1, event, 'if-changed')]))[0] : await statement.all(),
    );
  }

  return {
    async create(input, event) {
      try {
        const results = await d1.batch([
          d1
            .prepare('insert into users (id, username, email, created_at, updated_at) values (?1, ?2, ?3, ?4, ?4)')
            .bind(input.id, input.username, input.email, input.now),
          d1
            .prepare(
              `insert into accounts (user_id, provider, password_hash, credential_version, password_changed_at)
               values (?1, 'password', ?2, 0, ?3)`,
            )
            // An account made without a password has never changed one.
            .bind(input.id, input.passwordHash, input.passwordHash === null ? null : input.now),
          d1
            .prepare('insert into profiles (user_id, display_name, updated_at) values (?1, ?2, ?3)')
            .bind(input.id, input.displayName, input.now),
          ...(event ? [outboxStatement(d1, event, 'always')] : []),
        ]);
        const stored = event ? storedEventOf(event, results[3]) : null;
        return { ok: true, user: newUserOf(input), event: stored };
      } catch (error) {
        const conflict = uniqueConflictOf(error);
        if (conflict) return { ok: false, conflict };
        throw error;
      }
    },

    findById: (id) => findOne('u.id = ?1', id),
    findByEmail: (email) => findOne('lower(u.email) = lower(?1)', email),

    async findWithCredential(key) {
      const [condition, value] =
        'id' in key
          ? ['u.id = ?1', key.id]
          : 'email' in key
            ? ['lower(u.email) = lower(?1)', key.email]
            : ['lower(u.username) = lower(?1)', key.username];
      const row = await d1
        .prepare(
          `select ${userSqlColumns('u', 'p')}, a.password_hash, a.credential_version
           from users u
           join accounts a on a.user_id = u.id
           left join profiles p on p.user_id = u.id
           where ${condition} limit 1`,
        )
        .bind(value)
        .first<CredentialRow>();
      if (!row) return null;
      const found: UserWithCredential = {
        user: userOfRow(row),
        credential: { userId: row.user_id, passwordHash: row.password_hash, credentialVersion: row.credential_version },
      };
      return found;
    },

    async markEmailVerified(userId, email, now, event) {
      const update = d1
        .prepare(
          `update users set email_verified_at = ?3, updated_at = ?3
           where id = ?1 and email = ?2 and email_verified_at is null returning id`,
        )
        .bind(userId, email, now);
      return withEvent(update, event);
    },

    async replacePassword({
      userId,
      expectedVersion,
      expectedEmail,
      passwordHash,
      now,
      keepSessionId,
      verifyEmail,
      event,
    }) {
      // Every statement tests the same version (and address) inside one transaction: either all
      // apply (new password, other sessions gone) or none does, so one reset token changes one
      // password, and a link mailed to an address the account no longer has changes nothing.
      // Parameters ?1 user id, ?2 expected version, ?3 expected address (when given); each
      // statement's own follow from ?{n + 1}.
      const common = expectedEmail === undefined ? [userId, expectedVersion] : [userId, expectedVersion, expectedEmail];
      const n = common.length;
      const emailUnchanged =
        expectedEmail === undefined ? '' : ' and exists (select 1 from users cu where cu.id = ?1 and cu.email = ?3)';
      const versionUnchanged = `(select ca.credential_version from accounts ca where ca.user_id = ?1) = ?2${emailUnchanged}`;
      const otherSessions = keepSessionId ? ` and id <> ?${n + 1}` : '';
      const results = await d1.batch([
        d1
          .prepare(`delete from sessions where user_id = ?1${otherSessions} and ${versionUnchanged}`)
          .bind(...common, ...(keepSessionId ? [keepSessionId] : [])),
        // The session that changed the password (none in a reset) stays valid under the new one.
        d1
          .prepare(
            `update sessions set credential_version = ?${n + 1}
             where id = ?${n + 2} and user_id = ?1 and ${versionUnchanged}`,
          )
          .bind(...common, expectedVersion + 1, keepSessionId ?? ''),
        d1
          .prepare(
            `update users set updated_at = ?${n + 1}${verifyEmail ? `, email_verified_at = coalesce(email_verified_at, ?${n + 1})` : ''}
             where id = ?1 and ${versionUnchanged}`,
          )
          .bind(...common, now),
        d1
          .prepare(
            `update accounts
             set password_hash = ?${n + 1}, credential_version = credential_version + 1, password_changed_at = ?${n + 2}
             where user_id = ?1 and ${versionUnchanged} returning user_id`,
          )
          .bind(...common, passwordHash, now),
        ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
      ]);
      return changedOne(results[3]);
    },

    async changeEmail({ userId, oldEmail, newEmail, now, keepSessionId, event }) {
      // The UPDATE is the compare-and-set: only the first confirmation still finds the old
      // address. The session delete acts only through that change (the user now has newEmail),
      // so a confirmation that lost deletes nothing. A taken address fails the unique index,
      // which rolls the whole batch back.
      try {
        const [changed] = await d1.batch([
          d1
            .prepare(
              `update users set email = ?3, email_verified_at = ?4, updated_at = ?4
               where id = ?1 and email = ?2 returning id`,
            )
            .bind(userId, oldEmail, newEmail, now),
          ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
          d1
            .prepare(
              `delete from sessions where user_id = ?1${keepSessionId ? ' and id <> ?4' : ''}
               and exists (select 1 from users u where u.id = ?1 and u.updated_at = ?2 and u.email = ?3)`,
            )
            .bind(userId, now, newEmail, ...(keepSessionId ? [keepSessionId] : [])),
        ]);
        return changedOne(changed) ? 'changed' : 'stale';
      } catch (error) {
        if (uniqueConflictOf(error) === 'email') return 'taken';
        throw error;
      }
    },

    async setDisabled(userId, disabledAt, now, event) {
      const update = d1
        .prepare('update users set disabled_at = ?2, updated_at = ?3 where id = ?1 returning id')
        .bind(userId, disabledAt, now);
      if (disabledAt === null) return withEvent(update, event);
      // Disabling ends every session and every sign-in pending its second step at once, in the
      // same transaction, so no code can finish a sign-in the disable has already refused.
      const [updated] = await d1.batch([
        update,
        ...(event ? [outboxStatement(d1, event, 'if-changed')] : []),
        d1.prepare('delete from sessions where user_id = ?1').bind(userId),
        d1.prepare('delete from mfa_challenges where user_id = ?1').bind(userId),
      ]);
      return changedOne(updated);
    },

    async delete(userId, event) {
      // accounts, profiles, factors, challenges, sessions and refresh tokens go with the user (ON
      // DELETE CASCADE). Of parallel deletions, one finds the row (and records the event).
      return withEvent(d1.prepare('delete from users where id = ?1 returning id').bind(userId), event);
    },

    async upgradePasswordHash(userId, previousHash, passwordHash) {
      await d1
        .prepare('update accounts set password_hash = ?3 where user_id = ?1 and password_hash = ?2')
        .bind(userId, previousHash, passwordHash)
        .run();
    },
  };
}
