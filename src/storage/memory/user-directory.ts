// UserDirectory in memory, ordered and paged like the D1 one: (createdAt, id) descending.
import type { UserDirectory } from '../../core/admin/user-directory';
import { type MemoryTables, isBoundToCurrentPassword } from './tables';

export function createMemoryUserDirectory(tables: MemoryTables): UserDirectory {
  return {
    async search({ prefix, limit, after }) {
      const newestFirst = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
        b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
      return [...tables.users.values()]
        .filter(
          (user) =>
            !prefix || user.username.toLowerCase().startsWith(prefix) || user.email.toLowerCase().startsWith(prefix),
        )
        .filter((user) => !after || newestFirst(after, user) < 0)
        .sort(newestFirst)
        .slice(0, limit)
        .map((user) => ({ ...user }));
    },

    async listSecondFactors(userId) {
      const checks: [name: string, isOn: boolean][] = [
        ['totp', tables.totpFactors.get(userId)?.enabledAt != null],
        ['passkey', [...tables.passkeys.values()].some((passkey) => passkey.userId === userId)],
      ];
      return checks.filter(([, isOn]) => isOn).map(([name]) => name);
    },

    async countLiveSessions(userId, now) {
      return [...tables.sessions.values()].filter(
        (session) => session.userId === userId && session.expiresAt > now && isBoundToCurrentPassword(tables, session),
      ).length;
    },
  };
}
