// LoginStore (src/core/passwords/login-throttle.ts): the counter answers each attempt atomically, locks at
// the limit and starts afresh once the lock has ended; the session starts only under the
// credential version that was checked, for an account still enabled, and then clears counters.
import { expect } from 'vitest';
import { accountCounterKey } from '../../src/core/passwords/login-throttle';
import { newSession } from '../../src/core/sessions/sessions';
import type { User } from '../../src/core/accounts/users';
import { DAY, T0, createUser, enableTotp, exchangeToken, setUp, startSession, uniqueName } from './fixtures';
import type { Contract, ContractStorage } from './suite';

const limits = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 120_000 };

function reserve(s: ContractStorage, username: string, identifierKey: string | null, now: number) {
  return identifierKey
    ? s.logins.reserveLoginAttempt({ username }, identifierKey, limits, now)
    : s.logins.reserveAccountAttempt({ username }, limits, now);
}

/** A session of `user` as a login that checked `credentialVersion` would start it. */
async function sessionOf(user: User, credentialVersion = 0) {
  return newSession({
    userId: user.id,
    userAgent: 'test',
    credentialVersion,
    amr: ['pwd'],
    now: T0,
    lifetime: { ttlSeconds: 3600, maxAgeSeconds: 86_400 },
  });
}

export const loginStoreContract: Contract = ({ describe, it }, open) => {
  describe('reservations', () => {
    it('grants the attempts up to the limit, locks on the last one, and refuses the rest', async () => {
      const { s } = await setUp(open);
      const { id, username } = await createUser(s);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await reserve(s, username, `test:id:${id}`, T0));
      expect(answers.map((answer) => answer.identifier!.granted)).toEqual([true, true, true, false, false]);
      expect(answers[2]!.identifier!.blockedUntil).toBe(T0 + limits.lockoutMs);
      expect(answers[2]!.found?.user.id).toBe(id);
      // Refused by its identifier, the attempt does not spend the account's checks.
      expect(answers.map((answer) => answer.account?.count ?? null)).toEqual([1, 2, 3, null, null]);
    });

    it('starts counting afresh once the lock has ended', async () => {
      const { s } = await setUp(open);
      const { id, username } = await createUser(s);
      for (let i = 0; i < 4; i++) await reserve(s, username, `test:id:${id}`, T0);
      expect((await reserve(s, username, `test:id:${id}`, T0 + limits.lockoutMs - 1)).identifier?.granted).toBe(false);
      const later = await reserve(s, username, `test:id:${id}`, T0 + limits.lockoutMs);
      expect(later.identifier).toEqual({ granted: true, count: 1, blockedUntil: null });
    });

    it('starts counting afresh in a new window', async () => {
      const { s } = await setUp(open);
      const { id, username } = await createUser(s);
      await reserve(s, username, `test:id:${id}`, T0);
      expect((await reserve(s, username, `test:id:${id}`, T0 + limits.windowMs - 1)).identifier?.count).toBe(2);
      const later = await reserve(s, username, `test:id:${id}`, T0 + limits.windowMs);
      expect(later.identifier).toEqual({ granted: true, count: 1, blockedUntil: null });
    });

    it('reserves on the account alone when no identifier counter is asked for', async () => {
      const { s } = await setUp(open);
      const { username } = await createUser(s);
      const answer = await reserve(s, username, null, T0);
      expect(answer.identifier).toBeNull();
      expect(answer.account).toMatchObject({ granted: true, count: 1 });
    });

    it('counts an unknown identifier without an account counter', async () => {
      const { s } = await setUp(open);
      const answer = await reserve(s, uniqueName('ghost'), `test:id:${crypto.randomUUID()}`, 1);
      expect(answer).toEqual({
        found: null,
        identifier: { granted: true, count: 1, blockedUntil: null },
        account: null,
        totpEnabled: false,
      });
    });

    it("finds the account with its credential by either name, in any case, on one account's counter", async () => {
      const { s } = await setUp(open);
      const input = { passwordHash: 'stored-hash' };
      const user = await createUser(s, input);
      const byName = await s.logins.reserveLoginAttempt(
        { username: user.username.toUpperCase() },
        'test:a',
        limits,
        T0,
      );
      const byEmail = await s.logins.reserveLoginAttempt({ email: user.email.toUpperCase() }, 'test:b', limits, T0);
      expect(byName.found).toEqual({
        user,
        credential: { userId: user.id, passwordHash: 'stored-hash', credentialVersion: 0 },
      });
      expect(byEmail.found).toEqual(byName.found);
      expect([byName.account?.count, byEmail.account?.count]).toEqual([1, 2]);
    });

    it("refuses a check once the account's counter is spent, even by a fresh identifier", async () => {
      const { s } = await setUp(open);
      const { username } = await createUser(s);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await reserve(s, username, `test:${uniqueName()}`, T0));
      expect(answers.map((answer) => answer.identifier?.granted)).toEqual([true, true, true, true]);
      expect(answers.map((answer) => answer.account?.granted)).toEqual([true, true, true, false]);
      expect(answers[3]!.account).toEqual({ granted: false, count: 4, blockedUntil: T0 + limits.lockoutMs });
    });

    it('grants no more checks than the limit to a burst of parallel attempts', async () => {
      const { s } = await setUp(open);
      const { id, username } = await createUser(s);
      const answers = await Promise.all(Array.from({ length: 10 }, () => reserve(s, username, `test:id:${id}`, T0)));
      expect(answers.filter((answer) => answer.identifier?.granted)).toHaveLength(limits.maxAttempts);
      expect(answers.filter((answer) => answer.account?.granted)).toHaveLength(limits.maxAttempts);
    });

    it('says whether the account has two-step sign-in on, in the same lookup', async () => {
      const { s } = await setUp(open);
      const pending = await createUser(s);
      const enabled = await createUser(s);
      expect(await s.mfa.savePendingTotp(pending.id, 'v1.pending', T0)).toBe(true);
      await enableTotp(s, enabled.id);
      expect((await reserve(s, pending.username, null, T0)).totpEnabled).toBe(false);
      expect((await reserve(s, enabled.username, null, T0)).totpEnabled).toBe(true);
    });
  });

  describe('starting a session', () => {
    it('starts a session under the credential version that was checked', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await sessionOf(user);
      expect((await s.logins.completeLogin(session, refreshDigest, [])).started).toBe(true);
      expect(await s.sessions.findActive(session.id, user.id, T0)).toEqual({ session, user });
      expect((await s.sessions.findRefreshToken(refreshDigest))?.token).toEqual({
        sessionId: session.id,
        rotatedAt: null,
        graceUsedAt: null,
      });
    });

    it('starts no session for an account disabled after its password was checked', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await sessionOf(user);
      await s.users.setDisabled(user.id, T0, T0);
      expect((await s.logins.completeLogin(session, refreshDigest, [])).started).toBe(false);
      await s.users.setDisabled(user.id, null, T0);
      expect(await s.sessions.findActive(session.id, user.id, T0)).toBeNull();
      expect(await s.sessions.findRefreshToken(refreshDigest)).toBeNull();
    });

    it('starts no session when the password changed after it was checked, nor for a deleted account', async () => {
      const { s } = await setUp(open);
      const changed = await createUser(s);
      const deleted = await createUser(s);
      const stale = await sessionOf(changed, 0);
      await s.users.replacePassword({ userId: changed.id, expectedVersion: 0, passwordHash: 'new', now: T0 });
      expect((await s.logins.completeLogin(stale.session, stale.refreshDigest, [])).started).toBe(false);
      expect(await s.sessions.listForUser(changed.id, T0)).toEqual([]);
      expect(await s.sessions.findRefreshToken(stale.refreshDigest)).toBeNull();
      const current = await sessionOf(changed, 1);
      expect((await s.logins.completeLogin(current.session, current.refreshDigest, [])).started).toBe(true);

      const gone = await sessionOf(deleted);
      await s.users.delete(deleted.id);
      expect((await s.logins.completeLogin(gone.session, gone.refreshDigest, [])).started).toBe(false);
    });

    it('clears the counters it is given when the session starts, and none when it does not', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const refused = await createUser(s);
      const identifierKey = `test:${uniqueName()}`;
      await reserve(s, user.username, identifierKey, T0);
      await reserve(s, user.username, identifierKey, T0);
      const { session, refreshDigest } = await sessionOf(user);
      expect(
        (await s.logins.completeLogin(session, refreshDigest, [identifierKey, accountCounterKey(user.id)])).started,
      ).toBe(true);
      const after = await reserve(s, user.username, identifierKey, T0);
      expect([after.identifier?.count, after.account?.count]).toEqual([1, 1]);

      const refusedKey = `test:${uniqueName()}`;
      await reserve(s, refused.username, refusedKey, T0);
      await s.users.setDisabled(refused.id, T0, T0);
      const late = await sessionOf(refused);
      expect((await s.logins.completeLogin(late.session, late.refreshDigest, [refusedKey])).started).toBe(false);
      expect((await reserve(s, refused.username, refusedKey, T0)).identifier?.count).toBe(2);
    });

    it("drops the user's sessions that expired before the new one, with their refresh tokens, and keeps the rest", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const expired = await startSession(s, user, { createdAt: T0 - 2 * DAY, expiresAt: T0 - DAY });
      // Its first token rotated, so the cleanup would keep it for the reuse memory while its session lived.
      await exchangeToken(s, expired.session, expired.refreshDigest, { now: T0 - 2 * DAY + 1 });
      const live = await startSession(s, user, { createdAt: T0 - 2 * DAY, expiresAt: T0 + 1 });
      const othersExpired = await startSession(s, other, { createdAt: T0 - 2 * DAY, expiresAt: T0 - DAY });
      const { session, refreshDigest } = await sessionOf(user);
      expect((await s.logins.completeLogin(session, refreshDigest, [])).started).toBe(true);
      expect(await s.sessions.listForUser(user.id, T0)).toHaveLength(2);
      expect(await s.sessions.findRefreshToken(live.refreshDigest)).not.toBeNull();
      expect(await s.sessions.findRefreshToken(othersExpired.refreshDigest)).not.toBeNull();
      // The expired session went whole: no token of it is left for the cleanup to find.
      expect(await s.expiredRecords.deleteExpiredSessions(T0, 10)).toBe(1);
      expect(await s.expiredRecords.deleteForgottenRefreshTokens(T0 + DAY, 10)).toBe(0);
    });
  });
};
