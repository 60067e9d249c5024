// UserRepository in memory, with the D1 repository's rules: unique usernames and emails (case
// folded), and a password replaced only from the version it was read at.
import { type UserRepository, newUserOf } from '../../core/accounts/users';
import { type MemoryTables, deleteSessionRow, findUserBy, recordEvent } from './tables';

export function createMemoryUserRepository(tables: MemoryTables): UserRepository {
  return {
    async create(input, event) {
      // The email first: with both taken, D1's unique indexes name the email.
      if (findUserBy(tables, { email: input.email })) return { ok: false, conflict: 'email' };
      if (findUserBy(tables, { username: input.username })) return { ok: false, conflict: 'username' };
      const user = newUserOf(input);
      tables.users.set(user.id, user);
      tables.credentials.set(user.id, { userId: user.id, passwordHash: input.passwordHash, credentialVersion: 0 });
      return { ok: true, user: { ...user }, event: recordEvent(tables, event) };
    },

    findById: async (id) => {
      const user = tables.users.get(id);
      return user ? { ...user } : null;
    },

    findByEmail: async (email) => {
      const user = findUserBy(tables, { email });
      return user ? { ...user } : null;
    },

    async findWithCredential(key) {
      const user = 'id' in key ? (tables.users.get(key.id) ?? null) : findUserBy(tables, key);
      const credential = user && tables.credentials.get(user.id);
      return user && credential ? { user: { ...user }, credential: { ...credential } } : null;
    },

    async markEmailVerified(userId, email, now, event) {
      const user = tables.users.get(userId);
      if (!user || user.email !== email || user.emailVerifiedAt !== null) return false;
      tables.users.set(userId, { ...user, emailVerifiedAt: now, updatedAt: now });
      recordEvent(tables, event);
      return true;
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
      const credential = tables.credentials.get(userId);
      const user = tables.users.get(userId);
      if (!credential || !user || credential.credentialVersion !== expectedVersion) return false;
      if (expectedEmail !== undefined && user.email !== expectedEmail) return false;
      for (const session of [...tables.sessions.values()]) {
        if (session.userId !== userId) continue;
        if (session.id === keepSessionId) {
          tables.sessions.set(session.id, { ...session, credentialVersion: expectedVersion + 1 });
        } else {
          deleteSessionRow(tables, session.id);
        }
      }
      tables.users.set(userId, {
        ...user,
        updatedAt: now,
        emailVerifiedAt: verifyEmail ? (user.emailVerifiedAt ?? now) : user.emailVerifiedAt,
      });
      tables.credentials.set(userId, { userId, passwordHash, credentialVersion: expectedVersion + 1 });
      recordEvent(tables, event);
      return true;
    },

    async changeEmail({ userId, oldEmail, newEmail, now, keepSessionId, event }) {
      const user = tables.users.get(userId);
      if (!user || user.email !== oldEmail) return 'stale';
      const holder = findUserBy(tables, { email: newEmail });
      if (holder && holder.id !== userId) return 'taken';
      for (const session of [...tables.sessions.values()]) {
        if (session.userId === userId && session.id !== keepSessionId) deleteSessionRow(tables, session.id);
      }
      tables.users.set(userId, { ...user, email: newEmail, emailVerifiedAt: now, updatedAt: now });
      recordEvent(tables, event);
      return 'changed';
    },

    async setDisabled(userId, disabledAt, now, event) {
      const user = tables.users.get(userId);
      if (!user) return false;
      if (disabledAt !== null) {
        for (const session of [...tables.sessions.values()]) {
          if (session.userId === userId) deleteSessionRow(tables, session.id);
        }
        for (const [digest, row] of tables.mfaChallenges) {
          if (row.userId === userId) tables.mfaChallenges.delete(digest);
        }
      }
      tables.users.set(userId, { ...user, disabledAt, updatedAt: now });
      recordEvent(tables, event);
      return true;
    },

    async delete(userId, event) {
      if (!tables.users.has(userId)) return false;
      for (const session of [...tables.sessions.values()]) {
        if (session.userId === userId) deleteSessionRow(tables, session.id);
      }
      tables.credentials.delete(userId);
      tables.totpFactors.delete(userId);
      tables.recoveryCodes.delete(userId);
      for (const [digest, row] of tables.mfaChallenges) {
        if (row.userId === userId) tables.mfaChallenges.delete(digest);
      }
      for (const [id, passkey] of tables.passkeys) {
        if (passkey.userId === userId) tables.passkeys.delete(id);
      }
      for (const [email, row] of tables.emailSignIns) {
        if (row.userId === userId) tables.emailSignIns.delete(email);
      }
      tables.users.delete(userId);
      tables.knownDevices.delete(userId);
      recordEvent(tables, event);
      return true;
    },

    async upgradePasswordHash(userId, previousHash, passwordHash) {
      const credential = tables.credentials.get(userId);
      if (credential?.passwordHash === previousHash) tables.credentials.set(userId, { ...credential, passwordHash });
    },
  };
}
