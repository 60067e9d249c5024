// ExpiredRecordStore (src/core/sessions/expired-records.ts): bounded deletes of what no check reads again,
// each telling how many rows went; whatever can still change an answer stays.
import { expect } from 'vitest';
import type { AttemptLimits } from '../../src/core/passwords/login-store';
import {
  DAY,
  HOUR,
  MINUTE,
  T0,
  createUser,
  exchangeToken,
  pendingSignIn,
  setUp,
  startSession,
  uniqueName,
} from './fixtures';
import type { Contract, ContractStorage } from './suite';

/** Deletes with `step` until a call deletes nothing; the count of each call. */
async function drain(step: () => Promise<number>): Promise<number[]> {
  const counts = [];
  for (let deleted = -1; deleted !== 0 && counts.length < 10;) counts.push((deleted = await step()));
  return counts;
}

/** Whether the counter `key` still holds its count: a hit in a window of a year counts on from it. */
async function counterKept(s: ContractStorage, key: string): Promise<boolean> {
  return (await s.throttle.hit(key, { now: T0, windowMs: 365 * DAY })) > 1;
}

/** A counter locked by a login attempt at `at` until `blockedUntil`. */
async function lockedCounter(s: ContractStorage, key: string, at: number, blockedUntil: number) {
  const limits: AttemptLimits = { maxAttempts: 1, windowMs: MINUTE, lockoutMs: blockedUntil - at };
  const { identifier } = await s.logins.reserveLoginAttempt({ username: uniqueName('ghost') }, key, limits, at);
  expect(identifier?.blockedUntil).toBe(blockedUntil);
}

export const expiredRecordStoreContract: Contract = ({ describe, it }, open) => {
  describe('sessions', () => {
    it('deletes sessions that expired at or before now, with their refresh tokens, and keeps live ones', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s, { now: T0 - 40 * DAY });
      const createdAt = T0 - 31 * DAY;
      const live = await startSession(s, user, { createdAt, expiresAt: T0 + 1 });
      const expired = await startSession(s, user, { createdAt, expiresAt: T0 - DAY });
      const expiringNow = await startSession(s, user, { createdAt, expiresAt: T0 });
      expect(await s.expiredRecords.deleteExpiredSessions(T0, 10)).toBe(2);
      expect(await s.sessions.findRefreshToken(expired.refreshDigest)).toBeNull();
      expect(await s.sessions.findRefreshToken(expiringNow.refreshDigest)).toBeNull();
      expect(await s.sessions.findRefreshToken(live.refreshDigest)).not.toBeNull();
      expect(await s.sessions.findActive(live.session.id, user.id, T0)).not.toBeNull();
      expect(await s.expiredRecords.deleteExpiredSessions(T0, 10)).toBe(0);
    });

    it('deletes no more sessions than the limit in one call', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s, { now: T0 - 40 * DAY });
      for (let i = 0; i < 5; i++) await startSession(s, user, { createdAt: T0 - 31 * DAY, expiresAt: T0 - DAY + i });
      expect(await drain(() => s.expiredRecords.deleteExpiredSessions(T0, 2))).toEqual([2, 2, 1, 0]);
    });
  });

  describe('refresh tokens', () => {
    it('deletes tokens rotated before the cut-off, up to the limit, and keeps the rest', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user, { expiresAt: T0 + DAY });
      const digests = [refreshDigest];
      for (let i = 1; i <= 4; i++) {
        digests.push((await exchangeToken(s, session, digests.at(-1)!, { now: T0 + i })).successorDigest);
      }
      // Rotated at T0+1 .. T0+4; the fifth is current.
      expect(await drain(() => s.expiredRecords.deleteForgottenRefreshTokens(T0 + 4, 2))).toEqual([2, 1, 0]);
      const kept = [];
      for (const digest of digests) kept.push((await s.sessions.findRefreshToken(digest)) !== null);
      expect(kept).toEqual([false, false, false, true, true]);
      expect(await s.sessions.findActive(session.id, user.id, T0)).not.toBeNull();
    });
  });

  describe('counters', () => {
    it('deletes the counters of a family whose window and lock-out are both over', async () => {
      const { s } = await setUp(open);
      const family = `${uniqueName('family')}:`;
      const key = (name: string) => `${family}${name}`;
      const window = { windowMs: MINUTE };
      await s.throttle.hit(key('spent'), { now: T0 - 2 * MINUTE, ...window });
      await s.throttle.hit(key('started-at-cut'), { now: T0 - MINUTE, ...window });
      await s.throttle.hit(key('counting'), { now: T0 - MINUTE + 1, ...window });
      await lockedCounter(s, key('locked'), T0 - 2 * MINUTE, T0 + MINUTE);
      await lockedCounter(s, key('lock-ended'), T0 - 3 * MINUTE, T0 - 1);
      await lockedCounter(s, key('lock-ends-now'), T0 - 2 * MINUTE, T0);
      const otherFamily = `${uniqueName('other')}:spent`;
      await s.throttle.hit(otherFamily, { now: T0 - 2 * MINUTE, ...window });

      const bounds = { windowStartedBy: T0 - MINUTE, now: T0 };
      expect(await s.expiredRecords.deleteSpentCounters(family, bounds, 10)).toBe(4);
      const kept: Record<string, boolean> = {};
      for (const name of ['spent', 'started-at-cut', 'counting', 'locked', 'lock-ended', 'lock-ends-now']) {
        kept[name] = await counterKept(s, key(name));
      }
      expect(kept).toEqual({
        spent: false,
        'started-at-cut': false,
        counting: true,
        locked: true,
        'lock-ended': false,
        'lock-ends-now': false,
      });
      expect(await counterKept(s, otherFamily)).toBe(true);
    });

    it('deletes no more counters than the limit in one call', async () => {
      const { s } = await setUp(open);
      const family = `${uniqueName('family')}:`;
      for (let i = 0; i < 5; i++) await s.throttle.hit(`${family}${i}`, { now: T0 - 2 * MINUTE, windowMs: MINUTE });
      const bounds = { windowStartedBy: T0 - MINUTE, now: T0 };
      expect(await drain(() => s.expiredRecords.deleteSpentCounters(family, bounds, 2))).toEqual([2, 2, 1, 0]);
    });
  });

  describe('pending sign-ins', () => {
    it('deletes challenges that expired at or before now, up to the limit, and keeps live ones', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      for (const expiresAt of [T0 - MINUTE, T0 - 1, T0]) await pendingSignIn(s, user, { expiresAt });
      const live = await pendingSignIn(s, user, { expiresAt: T0 + 1 });
      expect(await drain(() => s.expiredRecords.deleteExpiredMfaChallenges(T0, 2))).toEqual([2, 1, 0]);
      expect(await s.mfa.reserveChallengeAttempt({ tokenDigest: live, now: T0, maxFailedAttempts: 5 })).not.toBeNull();
    });

    it('deletes sign-in mails that expired at or before now, up to the limit, and keeps live ones', async () => {
      const { s } = await setUp(open);
      const pending = (expiresAt: number) => ({
        email: `${uniqueName('mail')}@example.com`,
        tokenDigest: uniqueName('token'),
        codeDigest: 'code',
        userId: null,
        username: uniqueName('new'),
        expiresAt,
      });
      for (const expiresAt of [T0 - MINUTE, T0 - 1, T0]) await s.emailSignIns.save(pending(expiresAt), T0 - HOUR);
      const live = pending(T0 + 1);
      await s.emailSignIns.save(live, T0 - HOUR);
      expect(await drain(() => s.expiredRecords.deleteExpiredEmailSignIns(T0, 2))).toEqual([2, 1, 0]);
      expect(await s.emailSignIns.reserveCodeAttempt(live.email, T0, 5)).not.toBeNull();
    });
  });
};
