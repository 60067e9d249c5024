// IdentityStore in memory, with the D1 store's rules: (provider, subject) linked once, a pending
// authorization taken once and only with its verifier, the last way in kept. Its rows live beside
// the shared tables (keyed by them), and an identity of a deleted user counts as gone, as D1's
// foreign-key cascade deletes it.
import { type NewUser, newUserOf } from '../../core/accounts/users';
import type { IdentityStore, OutsideIdentity, PendingAuthorization } from '../../core/identities/identity-store';
import { type MemoryTables, findUserBy, recordEvent } from './tables';

interface IdentityTables {
  identities: Map<string, OutsideIdentity>;
  authorizations: Map<string, PendingAuthorization>;
}

const identityTables = new WeakMap<MemoryTables, IdentityTables>();

function rowsOf(tables: MemoryTables): IdentityTables {
  let rows = identityTables.get(tables);
  if (!rows) {
    rows = { identities: new Map(), authorizations: new Map() };
    identityTables.set(tables, rows);
  }
  return rows;
}

export function createMemoryIdentityStore(tables: MemoryTables): IdentityStore {
  const rows = rowsOf(tables);
  const live = () => [...rows.identities.values()].filter((identity) => tables.users.has(identity.userId));
  const bySubject = (provider: string, subject: string) =>
    live().find((identity) => identity.provider === provider && identity.subject === subject) ?? null;

  return {
    async saveAuthorization(pending, now) {
      for (const [digest, row] of rows.authorizations) if (row.expiresAt <= now) rows.authorizations.delete(digest);
      rows.authorizations.set(pending.stateDigest, { ...pending });
    },

    async takeAuthorization(stateDigest, verifierDigest, now) {
      const pending = rows.authorizations.get(stateDigest);
      if (!pending || pending.verifierDigest !== verifierDigest || pending.expiresAt <= now) return null;
      if (pending.linkUserId !== null && !tables.users.has(pending.linkUserId)) return null;
      rows.authorizations.delete(stateDigest);
      return pending;
    },

    findIdentity: async (provider, subject) => {
      const identity = bySubject(provider, subject);
      return identity ? { ...identity } : null;
    },

    listIdentities: async (userId) =>
      live()
        .filter((identity) => identity.userId === userId)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((identity) => ({ ...identity })),

    async link(identity, event) {
      if (bySubject(identity.provider, identity.subject)) return { ok: false, conflict: 'identity' };
      if (!tables.users.has(identity.userId)) throw new Error('no such user');
      rows.identities.set(identity.id, { ...identity });
      recordEvent(tables, event);
      return { ok: true };
    },

    async createUserWithIdentity(input: NewUser & { emailVerified: boolean }, identity, events = []) {
      if (findUserBy(tables, { email: input.email })) return { ok: false, conflict: 'email' };
      if (findUserBy(tables, { username: input.username })) return { ok: false, conflict: 'username' };
      if (bySubject(identity.provider, identity.subject)) return { ok: false, conflict: 'identity' };
      const user = { ...newUserOf(input), emailVerifiedAt: input.emailVerified ? input.now : null };
      tables.users.set(user.id, user);
      tables.credentials.set(user.id, { userId: user.id, passwordHash: null, credentialVersion: 0 });
      rows.identities.set(identity.id, { ...identity });
      for (const event of events) recordEvent(tables, event);
      return { ok: true, user: { ...user } };
    },

    async unlink(userId, identityId, event) {
      const identity = rows.identities.get(identityId);
      if (!identity || identity.userId !== userId || !tables.users.has(userId)) return 'not_found';
      const hasPassword = tables.credentials.get(userId)?.passwordHash != null;
      const hasPasskey = [...tables.passkeys.values()].some((passkey) => passkey.userId === userId);
      const hasOther = live().some((other) => other.userId === userId && other.id !== identityId);
      if (!hasPassword && !hasPasskey && !hasOther) return 'last_way_in';
      rows.identities.delete(identityId);
      recordEvent(tables, event);
      return 'unlinked';
    },

    async markUsed(identityId, now) {
      const identity = rows.identities.get(identityId);
      if (identity) identity.lastUsedAt = now;
    },
  };
}
