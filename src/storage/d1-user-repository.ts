// UserRepository on D1 through drizzle. Multi-statement writes use db.batch(), which D1 runs as
// one transaction (db.transaction() does not work on D1).
import { type SQL, and, eq, ne, sql } from 'drizzle-orm';
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import { type User, type UserRepository, newUserOf } from '../core/accounts/users';
import { accounts, mfaChallenges, profiles, sessions, users } from './schema';
import { outboxInsert, storedInsertOf } from './d1-event-outbox';
import { userColumns } from './user-columns';

/** Which unique index a failed insert ran into, found in the driver error's cause chain. */
function uniqueConflictOf(error: unknown): 'username' | 'email' | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current.message.includes('users_username_unique')) return 'username';
    if (current.message.includes('users_email_unique')) return 'email';
  }
  return null;
}

export function createD1UserRepository(d1: D1Database): UserRepository {
  const db: DrizzleD1Database = drizzle(d1);

  async function findOne(condition: SQL): Promise<User | null> {
    const rows = await db
      .select(userColumns)
      .from(users)
      .leftJoin(profiles, eq(profiles.userId, users.id))
      .where(condition)
      .limit(1);
    return rows[0] ?? null;
  }

  return {
    async create(input, event) {
      try {
        const results = await db.batch([
          db.insert(users).values({
            id: input.id,
            username: input.username,
            email: input.email,
            createdAt: input.now,
            updatedAt: input.now,
          }),
          db.insert(accounts).values({
            userId: input.id,
            provider: 'password',
            passwordHash: input.passwordHash,
            // An account made without a password has never changed one.
            passwordChangedAt: input.passwordHash === null ? null : input.now,
          }),
          db.insert(profiles).values({ userId: input.id, displayName: input.displayName, updatedAt: input.now }),
          ...(event ? [outboxInsert(db, event, 'always')] : []),
        ]);
        const stored = event ? storedInsertOf(event, results[3] as { dispatchedAt: number | null }[]) : null;
        return { ok: true, user: newUserOf(input), event: stored };
      } catch (error) {
        const conflict = uniqueConflictOf(error);
        if (conflict) return { ok: false, conflict };
        throw error;
      }
    },

    findById: (id) => findOne(eq(users.id, id)),
    findByEmail: (email) => findOne(sql`lower(${users.email}) = lower(${email})`),

    async findWithCredential(key) {
      const condition =
        'email' in key
          ? sql`lower(${users.email}) = lower(${key.email})`
          : sql`lower(${users.username}) = lower(${key.username})`;
      const rows = await db
        .select({
          user: userColumns,
          credential: {
            userId: accounts.userId,
            passwordHash: accounts.passwordHash,
            credentialVersion: accounts.credentialVersion,
          },
        })
        .from(users)
        .innerJoin(accounts, eq(accounts.userId, users.id))
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(condition)
        .limit(1);
      return rows[0] ?? null;
    },

    async markEmailVerified(userId, email, now, event) {
      const update = db
        .update(users)
        .set({ emailVerifiedAt: now, updatedAt: now })
        .where(and(eq(users.id, userId), eq(users.email, email), sql`${users.emailVerifiedAt} is null`))
        .returning({ id: users.id });
      const [rows] = event ? await db.batch([update, outboxInsert(db, event, 'if-changed')]) : [await update];
      return rows.length === 1;
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
      const emailUnchanged =
        expectedEmail === undefined
          ? sql``
          : sql` and exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.email} = ${expectedEmail})`;
      const versionUnchanged = sql`(select ${accounts.credentialVersion} from ${accounts} where ${accounts.userId} = ${userId}) = ${expectedVersion}${emailUnchanged}`;
      const [, , , changed] = await db.batch([
        db
          .delete(sessions)
          .where(
            and(
              eq(sessions.userId, userId),
              keepSessionId ? ne(sessions.id, keepSessionId) : undefined,
              versionUnchanged,
            ),
          ),
        // The session that changed the password (none in a reset) stays valid under the new one.
        db
          .update(sessions)
          .set({ credentialVersion: expectedVersion + 1 })
          .where(and(eq(sessions.id, keepSessionId ?? ''), eq(sessions.userId, userId), versionUnchanged)),
        db
          .update(users)
          .set({
            updatedAt: now,
            ...(verifyEmail ? { emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` } : {}),
          })
          .where(and(eq(users.id, userId), versionUnchanged)),
        db
          .update(accounts)
          .set({ passwordHash, credentialVersion: sql`${accounts.credentialVersion} + 1`, passwordChangedAt: now })
          .where(and(eq(accounts.userId, userId), versionUnchanged))
          .returning({ userId: accounts.userId }),
        ...(event ? [outboxInsert(db, event, 'if-changed')] : []),
      ]);
      return changed.length === 1;
    },

    async changeEmail({ userId, oldEmail, newEmail, now, keepSessionId, event }) {
      // The UPDATE is the compare-and-set: only the first confirmation still finds the old
      // address. The session delete acts only through that change (the user now has newEmail),
      // so a confirmation that lost deletes nothing. A taken address fails the unique index,
      // which rolls the whole batch back.
      try {
        const [changed] = await db.batch([
          db
            .update(users)
            .set({ email: newEmail, emailVerifiedAt: now, updatedAt: now })
            .where(and(eq(users.id, userId), eq(users.email, oldEmail)))
            .returning({ id: users.id }),
          ...(event ? [outboxInsert(db, event, 'if-changed')] : []),
          db
            .delete(sessions)
            .where(
              and(
                eq(sessions.userId, userId),
                keepSessionId ? ne(sessions.id, keepSessionId) : undefined,
                sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.updatedAt} = ${now} and ${users.email} = ${newEmail})`,
              ),
            ),
        ]);
        return changed.length === 1 ? 'changed' : 'stale';
      } catch (error) {
        if (uniqueConflictOf(error) === 'email') return 'taken';
        throw error;
      }
    },

    async setDisabled(userId, disabledAt, now, event) {
      const update = db
        .update(users)
        .set({ disabledAt, updatedAt: now })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      const recorded = event ? [outboxInsert(db, event, 'if-changed')] : [];
      if (disabledAt === null) {
        const [enabled] = event ? await db.batch([update, ...recorded]) : [await update];
        return enabled.length === 1;
      }
      // Disabling ends every session and every sign-in pending its second step at once, in the
      // same transaction, so no code can finish a sign-in the disable has already refused.
      const [updated] = await db.batch([
        update,
        ...recorded,
        db.delete(sessions).where(eq(sessions.userId, userId)),
        db.delete(mfaChallenges).where(eq(mfaChallenges.userId, userId)),
      ]);
      return updated.length === 1;
    },

    async delete(userId, event) {
      // accounts, profiles, factors, challenges, sessions and refresh tokens go with the user (ON
      // DELETE CASCADE). Of parallel deletions, one finds the row (and records the event).
      const deletion = db.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
      const [deleted] = event ? await db.batch([deletion, outboxInsert(db, event, 'if-changed')]) : [await deletion];
      return deleted.length === 1;
    },

    async upgradePasswordHash(userId, previousHash, passwordHash) {
      await db
        .update(accounts)
        .set({ passwordHash })
        .where(and(eq(accounts.userId, userId), eq(accounts.passwordHash, previousHash)));
    },
  };
}
