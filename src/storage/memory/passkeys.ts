// PasskeyStore in memory, with the D1 store's rules: a credential id registered once, a challenge
// taken once (and only before it expires, by its own user), a counter moved only from the value
// read. Passkeys of a deleted user are ignored as the D1 cascade would drop them.
import type { Passkey, PasskeyChallenge, PasskeyStore } from '../../core/passkeys/passkey-store';
import { type MemoryTables, recordEvent } from './tables';

export function createMemoryPasskeyStore(tables: MemoryTables): PasskeyStore {
  const handles = new Map<string, string>();
  const passkeys = tables.passkeys;
  const challenges = new Map<string, PasskeyChallenge>();
  const copy = (passkey: Passkey): Passkey => ({ ...passkey, transports: [...passkey.transports] });
  const ownedBy = (userId: string, id: string) => {
    const passkey = passkeys.get(id);
    return passkey?.userId === userId ? passkey : null;
  };

  return {
    async ensureUserHandle(userId, candidate) {
      if (!handles.has(userId)) handles.set(userId, candidate);
      return handles.get(userId)!;
    },
    async listForUser(userId) {
      // Oldest first, by id among those of the same moment, as D1 orders them.
      return [...passkeys.values()]
        .filter((passkey) => passkey.userId === userId)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(copy);
    },
    async saveChallenge(challenge) {
      challenges.set(challenge.id, { ...challenge });
    },
    async takeChallenge(id, ceremony, now, userId) {
      const challenge = challenges.get(id);
      if (!challenge || challenge.ceremony !== ceremony || challenge.expiresAt <= now) return null;
      if (userId !== undefined && challenge.userId !== userId) return null;
      challenges.delete(id);
      return challenge;
    },
    async add(passkey, event) {
      if ([...passkeys.values()].some((existing) => existing.credentialId === passkey.credentialId)) return false;
      passkeys.set(passkey.id, copy(passkey));
      recordEvent(tables, event);
      return true;
    },
    async findByCredentialId(credentialId) {
      const passkey = [...passkeys.values()].find((candidate) => candidate.credentialId === credentialId);
      const user = passkey && tables.users.get(passkey.userId);
      const credential = passkey && tables.credentials.get(passkey.userId);
      if (!passkey || !user || !credential) return null;
      return { passkey: copy(passkey), owner: { user: { ...user }, credentialVersion: credential.credentialVersion } };
    },
    async recordUse({ id, seenSignCount, signCount, backedUp, now }) {
      const passkey = passkeys.get(id);
      if (!passkey || passkey.signCount !== seenSignCount) return false;
      Object.assign(passkey, { signCount, backedUp, lastUsedAt: now });
      return true;
    },
    async rename(userId, id, name) {
      const passkey = ownedBy(userId, id);
      if (!passkey) return null;
      passkey.name = name;
      return copy(passkey);
    },
    async remove(userId, id, event) {
      const passkey = ownedBy(userId, id);
      if (!passkey) return null;
      passkeys.delete(id);
      recordEvent(tables, event);
      return copy(passkey);
    },
  };
}
