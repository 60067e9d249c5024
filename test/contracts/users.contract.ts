// UserRepository (src/core/accounts/users.ts): unique names, lookups by id, email or login name, and the
// conditional writes that make each mailed link and each password change count once.
import { expect } from 'vitest';
import { newUserOf } from '../../src/core/accounts/users';
import {
  T0,
  createUser,
  enableTotp,
  newPasskey,
  newUserInput,
  pendingSignIn,
  claimOf,
  setUp,
  startSession,
  uniqueName,
} from './fixtures';
import type { Contract, ContractStorage } from './suite';

const isActive = async (s: ContractStorage, session: { id: string; userId: string }) =>
  (await s.sessions.findActive(session.id, session.userId, T0)) !== null;

export const userRepositoryContract: Contract = ({ describe, it }, open) => {
  describe('creating a user', () => {
    it('creates the user unverified, with its profile and its password credential at version 0', async () => {
      const { s } = await setUp(open);
      const input = newUserInput({ displayName: 'Ada' });
      expect(await s.users.create(input)).toEqual({ ok: true, user: newUserOf(input), event: null });
      expect(await s.users.findById(input.id)).toEqual(newUserOf(input));
      const found = await s.users.findWithCredential({ email: input.email });
      expect(found?.user).toEqual(newUserOf(input));
      expect(found?.credential).toEqual({ userId: input.id, passwordHash: input.passwordHash, credentialVersion: 0 });
    });

    it('creates an account without a password, its credential holding no hash', async () => {
      const { s } = await setUp(open);
      const input = newUserInput({ passwordHash: null });
      expect((await s.users.create(input)).ok).toBe(true);
      expect((await s.users.findWithCredential({ username: input.username }))?.credential).toEqual({
        userId: input.id,
        passwordHash: null,
        credentialVersion: 0,
      });
    });

    it('refuses a username that differs only in case, and writes nothing', async () => {
      const { s } = await setUp(open);
      const first = await createUser(s);
      const second = newUserInput({ username: first.username.toUpperCase() });
      expect(await s.users.create(second)).toEqual({ ok: false, conflict: 'username' });
      expect(await s.users.findById(second.id)).toBeNull();
      expect(await s.users.findByEmail(second.email)).toBeNull();
    });

    it('refuses an email that differs only in case, and writes nothing', async () => {
      const { s } = await setUp(open);
      const first = await createUser(s);
      const second = newUserInput({ email: first.email.toUpperCase() });
      expect(await s.users.create(second)).toEqual({ ok: false, conflict: 'email' });
      expect(await s.users.findById(second.id)).toBeNull();
      expect(await s.users.findWithCredential({ username: second.username })).toBeNull();
    });

    it('names the email when both the username and the email are taken, as the unique indexes answer', async () => {
      const { s } = await setUp(open);
      const first = await createUser(s);
      const second = newUserInput({ username: first.username, email: first.email });
      expect(await s.users.create(second)).toEqual({ ok: false, conflict: 'email' });
    });

    it('lets exactly one of many concurrent registrations of one username win', async () => {
      const { s } = await setUp(open);
      const username = uniqueName();
      const results = await Promise.all(Array.from({ length: 8 }, () => s.users.create(newUserInput({ username }))));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok && result.conflict === 'username')).toHaveLength(7);
    });
  });

  describe('finding a user', () => {
    it('finds a user by email and by login name in any case, and nobody for unknown ones', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect((await s.users.findByEmail(user.email.toUpperCase()))?.id).toBe(user.id);
      expect((await s.users.findWithCredential({ email: user.email.toUpperCase() }))?.user.id).toBe(user.id);
      expect((await s.users.findWithCredential({ username: user.username.toUpperCase() }))?.user.id).toBe(user.id);
      expect(await s.users.findById(crypto.randomUUID())).toBeNull();
      expect(await s.users.findByEmail(`${uniqueName()}@example.com`)).toBeNull();
      expect(await s.users.findWithCredential({ username: uniqueName() })).toBeNull();
    });

    it('finds the user and credential by id in one read, as the token endpoint checks a grant', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const found = await s.users.findWithCredential({ id: user.id });
      expect(found?.user).toEqual(await s.users.findById(user.id));
      expect(found?.credential).toMatchObject({ userId: user.id, credentialVersion: 0 });
      expect(await s.users.findWithCredential({ id: crypto.randomUUID() })).toBeNull();
    });
  });

  describe('verifying an email', () => {
    it('marks an email verified only once', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.users.markEmailVerified(user.id, user.email, T0 + 1)).toBe(true);
      expect(await s.users.markEmailVerified(user.id, user.email, T0 + 2)).toBe(false);
      expect(await s.users.findById(user.id)).toMatchObject({ emailVerifiedAt: T0 + 1, updatedAt: T0 + 1 });
    });

    it('verifies an email once for parallel uses of one verification link', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const verified = await Promise.all(
        Array.from({ length: 5 }, () => s.users.markEmailVerified(user.id, user.email, T0 + 1)),
      );
      expect(verified.filter(Boolean)).toHaveLength(1);
    });

    it('does not verify an address the user no longer has, nor a user that is gone', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.users.markEmailVerified(user.id, `${uniqueName()}@example.com`, T0 + 1)).toBe(false);
      expect((await s.users.findById(user.id))?.emailVerifiedAt).toBeNull();
      expect(await s.users.markEmailVerified(crypto.randomUUID(), user.email, T0 + 1)).toBe(false);
    });
  });

  describe('replacing the password', () => {
    it('replaces the password once per version', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const replace = (passwordHash: string) =>
        s.users.replacePassword({ userId: user.id, expectedVersion: 0, passwordHash, now: T0 + 1 });
      expect(await replace('new-hash')).toBe(true);
      expect(await replace('other-hash')).toBe(false);
      const found = await s.users.findWithCredential({ username: user.username });
      expect(found?.credential).toMatchObject({ passwordHash: 'new-hash', credentialVersion: 1 });
    });

    it('lets one of many parallel replacements from one version win', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const hashes = ['one', 'two', 'three', 'four'];
      const replaced = await Promise.all(
        hashes.map((passwordHash) =>
          s.users.replacePassword({
            userId: user.id,
            expectedVersion: 0,
            passwordHash,
            now: T0 + 1,
            verifyEmail: true,
          }),
        ),
      );
      expect(replaced.filter(Boolean)).toHaveLength(1);
      const found = await s.users.findWithCredential({ email: user.email });
      expect(found?.user.username).toBe(user.username);
      expect(found?.credential).toMatchObject({ passwordHash: hashes[replaced.indexOf(true)], credentialVersion: 1 });
    });

    it('ends every other session of the user and keeps the one that asked under the new version', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const kept = await startSession(s, user);
      const ended = await startSession(s, user);
      const othersSession = await startSession(s, other);
      expect(
        await s.users.replacePassword({
          userId: user.id,
          expectedVersion: 0,
          passwordHash: 'new-hash',
          now: T0 + 1,
          keepSessionId: kept.session.id,
        }),
      ).toBe(true);
      expect((await s.sessions.findActive(kept.session.id, user.id, T0))?.session.credentialVersion).toBe(1);
      expect(await isActive(s, ended.session)).toBe(false);
      expect(await s.sessions.findRefreshToken(ended.refreshDigest)).toBeNull();
      expect(await isActive(s, othersSession.session)).toBe(true);
    });

    it('ends every session of the user when none is kept (a reset)', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const sessions = [await startSession(s, user), await startSession(s, user)];
      await s.users.replacePassword({ userId: user.id, expectedVersion: 0, passwordHash: 'new-hash', now: T0 + 1 });
      for (const { session } of sessions) expect(await isActive(s, session)).toBe(false);
      expect(await s.sessions.listForUser(user.id, T0)).toEqual([]);
    });

    it('changes nothing when the address is no longer the one the link was mailed to', async () => {
      const { s } = await setUp(open);
      const input = newUserInput();
      const user = await createUser(s, input);
      const { session } = await startSession(s, user);
      const replaced = await s.users.replacePassword({
        userId: user.id,
        expectedVersion: 0,
        expectedEmail: `${uniqueName()}@example.com`,
        passwordHash: 'new-hash',
        now: T0 + 1,
        verifyEmail: true,
      });
      expect(replaced).toBe(false);
      const found = await s.users.findWithCredential({ email: user.email });
      expect(found?.credential).toMatchObject({ passwordHash: input.passwordHash, credentialVersion: 0 });
      expect(found?.user.emailVerifiedAt).toBeNull();
      expect(await isActive(s, session)).toBe(true);
    });

    it('verifies the address with a reset, keeping an earlier verification time', async () => {
      const { s } = await setUp(open);
      const unverified = await createUser(s);
      const verified = await createUser(s);
      await s.users.markEmailVerified(verified.id, verified.email, T0 + 1);
      for (const user of [unverified, verified]) {
        expect(
          await s.users.replacePassword({
            userId: user.id,
            expectedVersion: 0,
            expectedEmail: user.email,
            passwordHash: 'new-hash',
            now: T0 + 5,
            verifyEmail: true,
          }),
        ).toBe(true);
      }
      expect(await s.users.findById(unverified.id)).toMatchObject({ emailVerifiedAt: T0 + 5, updatedAt: T0 + 5 });
      expect((await s.users.findById(verified.id))?.emailVerifiedAt).toBe(T0 + 1);
    });

    it('leaves the address unverified when the change does not prove it', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.users.replacePassword({ userId: user.id, expectedVersion: 0, passwordHash: 'new-hash', now: T0 + 5 });
      expect((await s.users.findById(user.id))?.emailVerifiedAt).toBeNull();
    });

    it('swaps in a re-hashed password only while the stored hash is the one that was checked', async () => {
      const { s } = await setUp(open);
      const input = newUserInput();
      await s.users.create(input);
      await s.users.upgradePasswordHash(input.id, 'not-the-stored-hash', 'rehashed-1');
      expect((await s.users.findWithCredential({ email: input.email }))?.credential.passwordHash).toBe(
        input.passwordHash,
      );
      await s.users.upgradePasswordHash(input.id, input.passwordHash!, 'rehashed-2');
      expect((await s.users.findWithCredential({ email: input.email }))?.credential).toMatchObject({
        passwordHash: 'rehashed-2',
        credentialVersion: 0,
      });
    });
  });

  describe('changing the email address', () => {
    it('switches to the new address, verified, and ends every other session of the user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const kept = await startSession(s, user);
      const ended = await startSession(s, user);
      const newEmail = `${uniqueName()}@example.com`;
      expect(
        await s.users.changeEmail({
          userId: user.id,
          oldEmail: user.email,
          newEmail,
          now: T0 + 1,
          keepSessionId: kept.session.id,
        }),
      ).toBe('changed');
      expect(await s.users.findById(user.id)).toMatchObject({ email: newEmail, emailVerifiedAt: T0 + 1 });
      expect((await s.users.findByEmail(newEmail))?.id).toBe(user.id);
      expect(await s.users.findByEmail(user.email)).toBeNull();
      expect(await isActive(s, kept.session)).toBe(true);
      expect(await isActive(s, ended.session)).toBe(false);
    });

    it('answers stale, changing nothing, when the user no longer has the old address', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session } = await startSession(s, user);
      const first = `${uniqueName()}@example.com`;
      const second = `${uniqueName()}@example.com`;
      const change = (newEmail: string) =>
        s.users.changeEmail({ userId: user.id, oldEmail: user.email, newEmail, now: T0 + 1 });
      expect(await change(first)).toBe('changed');
      const { session: later } = await startSession(s, user);
      expect(await change(second)).toBe('stale');
      expect((await s.users.findById(user.id))?.email).toBe(first);
      expect(await isActive(s, later)).toBe(true);
      expect(await isActive(s, session)).toBe(false);
      expect(
        await s.users.changeEmail({ userId: crypto.randomUUID(), oldEmail: user.email, newEmail: second, now: T0 }),
      ).toBe('stale');
    });

    it('answers taken, changing nothing, when another user has the address in any case', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const holder = await createUser(s);
      const { session } = await startSession(s, user);
      expect(
        await s.users.changeEmail({
          userId: user.id,
          oldEmail: user.email,
          newEmail: holder.email.toUpperCase(),
          now: T0 + 1,
        }),
      ).toBe('taken');
      expect(await s.users.findById(user.id)).toMatchObject({ email: user.email, emailVerifiedAt: null });
      expect(await isActive(s, session)).toBe(true);
    });
  });

  describe('disabling a user', () => {
    it('ends every session and every sign-in pending its second step, and enables again', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      const pending = await pendingSignIn(s, user);
      expect(await s.users.setDisabled(user.id, T0 + 1, T0 + 1)).toBe(true);
      expect(await s.users.findById(user.id)).toMatchObject({ disabledAt: T0 + 1, updatedAt: T0 + 1 });
      expect(await isActive(s, session)).toBe(false);
      expect(await s.sessions.findRefreshToken(refreshDigest)).toBeNull();
      expect(await s.mfa.reserveChallengeAttempt(claimOf(pending))).toBeNull();

      expect(await s.users.setDisabled(user.id, null, T0 + 2)).toBe(true);
      expect(await s.users.findById(user.id)).toMatchObject({ disabledAt: null, updatedAt: T0 + 2 });
      expect(await isActive(s, session)).toBe(false);
      expect(await s.mfa.reserveChallengeAttempt(claimOf(pending))).toBeNull();
    });

    it('answers false for a user that does not exist', async () => {
      const { s } = await setUp(open);
      expect(await s.users.setDisabled(crypto.randomUUID(), T0, T0)).toBe(false);
      expect(await s.users.setDisabled(crypto.randomUUID(), null, T0)).toBe(false);
    });
  });

  describe('deleting a user', () => {
    it('deletes the credential, profile, factors and sessions with the user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s, { displayName: 'Gone' });
      const other = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1'] });
      const { session, refreshDigest } = await startSession(s, user);
      const othersSession = await startSession(s, other);
      const passkey = newPasskey(user.id);
      expect(await s.passkeys.add(passkey)).toBe(true);
      const pending = await pendingSignIn(s, user);
      expect(await s.sessions.listForUser(user.id, T0)).toHaveLength(1);

      expect(await s.users.delete(user.id)).toBe(true);
      expect(await s.users.findById(user.id)).toBeNull();
      expect(await s.users.findWithCredential({ email: user.email })).toBeNull();
      expect(await isActive(s, session)).toBe(false);
      expect(await s.sessions.listForUser(user.id, T0)).toEqual([]);
      expect(await s.sessions.findRefreshToken(refreshDigest)).toBeNull();
      expect(await s.mfa.findMfaStatus(user.id)).toEqual({ totp: null, recoveryCodesRemaining: 0 });
      expect(await s.mfa.reserveChallengeAttempt(claimOf(pending))).toBeNull();
      expect(await s.passkeys.listForUser(user.id)).toEqual([]);
      expect(await s.passkeys.findByCredentialId(passkey.credentialId)).toBeNull();
      expect(await s.userDirectory.listSecondFactors(user.id)).toEqual([]);
      expect(await isActive(s, othersSession.session)).toBe(true);
      // The name is free again.
      expect((await s.users.create(newUserInput({ username: user.username, email: user.email }))).ok).toBe(true);
    });

    it('answers true to the one deletion that removed the user, of several in parallel', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const deleted = await Promise.all(Array.from({ length: 4 }, () => s.users.delete(user.id)));
      expect(deleted.filter(Boolean)).toHaveLength(1);
      expect(await s.users.delete(user.id)).toBe(false);
    });
  });
};
