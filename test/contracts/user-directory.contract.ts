// UserDirectory (src/core/admin/admin.ts): the admin listing, newest first and paged by (createdAt, id),
// filtered by a prefix of the username or email; live sessions counted as the user's own list
// counts them; the second factors that are on.
import { expect } from 'vitest';
import { T0, createUser, enableTotp, newPasskey, setUp, startSession, uniqueName } from './fixtures';
import type { Contract, ContractStorage } from './suite';

/** Users named `<prefix>-<suffix>`, created at the times given, in the order given. */
async function usersAt(s: ContractStorage, prefix: string, rows: [suffix: string, createdAt: number][]) {
  const users = [];
  for (const [suffix, createdAt] of rows) {
    const name = `${prefix}-${suffix}`;
    users.push(await createUser(s, { id: name, username: name, email: `${name}@example.com`, now: createdAt }));
  }
  return users;
}

export const userDirectoryContract: Contract = ({ describe, it }, open) => {
  describe('listing users', () => {
    it('lists users newest first, by id among those created at the same time, up to the limit', async () => {
      const { s } = await setUp(open);
      const prefix = uniqueName('dir');
      await usersAt(s, prefix, [
        ['a', T0 + 1],
        ['c', T0 + 2],
        ['e', T0 + 3],
        ['b', T0 + 2],
        ['d', T0 + 2],
      ]);
      const page = await s.userDirectory.search({ prefix, limit: 4, after: null });
      expect(page.map((user) => user.id)).toEqual(['e', 'd', 'c', 'b'].map((suffix) => `${prefix}-${suffix}`));
      const [newest] = page;
      expect(newest).toEqual(await s.users.findById(`${prefix}-e`));
    });

    it('lists the page strictly after the cursor', async () => {
      const { s } = await setUp(open);
      const prefix = uniqueName('dir');
      await usersAt(s, prefix, [
        ['a', T0 + 1],
        ['b', T0 + 2],
        ['c', T0 + 2],
        ['d', T0 + 3],
      ]);
      const after = { createdAt: T0 + 2, id: `${prefix}-c` };
      expect((await s.userDirectory.search({ prefix, limit: 10, after })).map((user) => user.id)).toEqual([
        `${prefix}-b`,
        `${prefix}-a`,
      ]);
    });

    it('finds users whose username or email starts with the prefix, in any case, and lists all without one', async () => {
      const { s } = await setUp(open);
      const prefix = uniqueName('dir');
      const byName = await createUser(s, { username: `${prefix}-name`, email: `${uniqueName()}@example.com` });
      const byEmail = await createUser(s, {
        username: uniqueName(),
        email: `${prefix.toUpperCase()}-MAIL@example.com`,
        now: T0 + 1,
      });
      const neither = await createUser(s, { username: `x${prefix}`, email: `x${prefix}@example.com`, now: T0 + 2 });
      expect((await s.userDirectory.search({ prefix, limit: 10, after: null })).map((user) => user.id)).toEqual([
        byEmail.id,
        byName.id,
      ]);
      expect((await s.userDirectory.search({ prefix: '', limit: 10, after: null })).map((user) => user.id)).toEqual([
        neither.id,
        byEmail.id,
        byName.id,
      ]);
    });
  });

  describe('a user in detail', () => {
    it("counts the user's live sessions bound to the current password", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const kept = await startSession(s, user);
      await startSession(s, user);
      await startSession(s, user, { expiresAt: T0 + 10 });
      await startSession(s, other);
      expect(await s.userDirectory.countLiveSessions(user.id, T0 + 9)).toBe(3);
      expect(await s.userDirectory.countLiveSessions(user.id, T0 + 10)).toBe(2);
      await s.users.replacePassword({
        userId: user.id,
        expectedVersion: 0,
        passwordHash: 'new',
        now: T0,
        keepSessionId: kept.session.id,
      });
      expect(await s.userDirectory.countLiveSessions(user.id, T0 + 10)).toBe(1);
      expect(await s.userDirectory.countLiveSessions(crypto.randomUUID(), T0)).toBe(0);
    });

    it('lists the second factors that are on: TOTP once enabled, then passkeys', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const passkeyOnly = await createUser(s);
      expect(await s.userDirectory.listSecondFactors(user.id)).toEqual([]);
      await s.mfa.savePendingTotp(user.id, 'v1.pending', T0);
      expect(await s.userDirectory.listSecondFactors(user.id)).toEqual([]);
      await enableTotp(s, user.id);
      expect(await s.userDirectory.listSecondFactors(user.id)).toEqual(['totp']);
      await s.passkeys.add(newPasskey(user.id));
      expect(await s.userDirectory.listSecondFactors(user.id)).toEqual(['totp', 'passkey']);
      await s.passkeys.add(newPasskey(passkeyOnly.id));
      expect(await s.userDirectory.listSecondFactors(passkeyOnly.id)).toEqual(['passkey']);
    });
  });
};
