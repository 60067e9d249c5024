// SessionRepository (src/core/sessions/sessions.ts): reads of live sessions, the refresh token's
// compare-and-set exchange (one winner, nothing written by a loser), listing and deletion.
import { expect } from 'vitest';
import { HOUR, T0, createUser, exchangeToken, setUp, startSession } from './fixtures';
import type { Contract } from './suite';

export const sessionRepositoryContract: Contract = ({ describe, it }, open) => {
  describe('reading a session', () => {
    it('finds a live session, as it was started, with its user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s, { displayName: 'Ada' });
      const { session } = await startSession(s, user);
      expect(await s.sessions.findActive(session.id, user.id, T0)).toEqual({ session, user });
    });

    it('finds no session past its expiry, of another user, or unknown', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const { session } = await startSession(s, user, { expiresAt: T0 + HOUR });
      expect(await s.sessions.findActive(session.id, user.id, T0 + HOUR - 1)).not.toBeNull();
      expect(await s.sessions.findActive(session.id, user.id, T0 + HOUR)).toBeNull();
      expect(await s.sessions.findActive(session.id, other.id, T0)).toBeNull();
      expect(await s.sessions.findActive('no-such-session', user.id, T0)).toBeNull();
    });

    it('finds a refresh token with its state, session and user, and nothing for an unknown one', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      expect(await s.sessions.findRefreshToken(refreshDigest)).toEqual({
        token: { sessionId: session.id, rotatedAt: null, graceUsedAt: null },
        session,
        user,
      });
      expect(await s.sessions.findRefreshToken('no-such-digest')).toBeNull();
    });

    it('counts no session once the password changed under it', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      await s.users.replacePassword({ userId: user.id, expectedVersion: 0, passwordHash: 'new', now: T0 + 1 });
      expect(await s.sessions.findActive(session.id, user.id, T0 + 1)).toBeNull();
      expect(await s.sessions.findRefreshToken(refreshDigest)).toBeNull();
      expect(await s.sessions.listForUser(user.id, T0 + 1)).toEqual([]);
    });
  });

  describe('exchanging a refresh token', () => {
    it('rotates the token, adds its successor and extends the session', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      const now = T0 + 10 * 60 * 1000;
      const { exchanged, successorDigest } = await exchangeToken(s, session, refreshDigest, { now });
      expect(exchanged).toBe(true);
      expect((await s.sessions.findRefreshToken(refreshDigest))?.token).toEqual({
        sessionId: session.id,
        rotatedAt: now,
        graceUsedAt: null,
      });
      expect((await s.sessions.findRefreshToken(successorDigest))?.token).toEqual({
        sessionId: session.id,
        rotatedAt: null,
        graceUsedAt: null,
      });
      expect((await s.sessions.findActive(session.id, user.id, now))?.session).toEqual({
        ...session,
        lastUsedAt: now,
        expiresAt: now + HOUR,
      });
    });

    it('writes nothing when the token moved since it was read', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      expect((await exchangeToken(s, session, refreshDigest, { now: T0 + 1 })).exchanged).toBe(true);
      const late = await exchangeToken(s, session, refreshDigest, { now: T0 + 2, seenRotatedAt: null });
      expect(late.exchanged).toBe(false);
      expect(await s.sessions.findRefreshToken(late.successorDigest)).toBeNull();
      expect((await s.sessions.findRefreshToken(refreshDigest))?.token.rotatedAt).toBe(T0 + 1);
      expect((await s.sessions.findActive(session.id, user.id, T0 + 2))?.session.lastUsedAt).toBe(T0 + 1);
    });

    it('answers one repeat of a rotated token (the grace window) and no second one', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      await exchangeToken(s, session, refreshDigest, { now: T0 + 1 });
      const repeat = await exchangeToken(s, session, refreshDigest, { now: T0 + 2, seenRotatedAt: T0 + 1 });
      expect(repeat.exchanged).toBe(true);
      expect((await s.sessions.findRefreshToken(refreshDigest))?.token).toEqual({
        sessionId: session.id,
        rotatedAt: T0 + 1,
        graceUsedAt: T0 + 2,
      });
      expect(await s.sessions.findRefreshToken(repeat.successorDigest)).not.toBeNull();
      const again = await exchangeToken(s, session, refreshDigest, { now: T0 + 3, seenRotatedAt: T0 + 1 });
      expect(again.exchanged).toBe(false);
      expect(await s.sessions.findRefreshToken(again.successorDigest)).toBeNull();
    });

    it('lets exactly one of several parallel exchanges of one token win', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => exchangeToken(s, session, refreshDigest, { now: T0 + 1 })),
      );
      expect(results.filter((result) => result.exchanged)).toHaveLength(1);
      for (const { exchanged, successorDigest } of results) {
        expect((await s.sessions.findRefreshToken(successorDigest)) !== null).toBe(exchanged);
      }
    });

    it('writes nothing for a session that was deleted', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest } = await startSession(s, user);
      await s.sessions.delete(user.id, session.id);
      const { exchanged, successorDigest } = await exchangeToken(s, session, refreshDigest, { now: T0 + 1 });
      expect(exchanged).toBe(false);
      expect(await s.sessions.findRefreshToken(successorDigest)).toBeNull();
      expect(await s.sessions.findActive(session.id, user.id, T0 + 1)).toBeNull();
    });

    it("forgets the session's tokens rotated before the cut-off, and keeps the rest", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session, refreshDigest: first } = await startSession(s, user);
      const second = await exchangeToken(s, session, first, { now: T0 + 10 });
      // Rotated exactly at the cut-off: kept.
      const third = await exchangeToken(s, session, second.successorDigest, { now: T0 + 20, forgetBefore: T0 + 10 });
      expect(third.exchanged).toBe(true);
      expect(await s.sessions.findRefreshToken(first)).not.toBeNull();
      await exchangeToken(s, session, third.successorDigest, { now: T0 + 30, forgetBefore: T0 + 11 });
      expect(await s.sessions.findRefreshToken(first)).toBeNull();
      expect((await s.sessions.findRefreshToken(second.successorDigest))?.token.rotatedAt).toBe(T0 + 20);
    });
  });

  describe('listing and ending sessions', () => {
    it("lists the user's live sessions, most recently used first", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const oldest = await startSession(s, user, { createdAt: T0 });
      const newest = await startSession(s, user, { createdAt: T0 + 2 });
      const middle = await startSession(s, user, { createdAt: T0 + 1 });
      const ending = await startSession(s, user, { createdAt: T0 + 3, expiresAt: T0 + 10 });
      await startSession(s, other, { createdAt: T0 + 4 });
      expect((await s.sessions.listForUser(user.id, T0 + 9)).map((session) => session.id)).toEqual([
        ending.session.id,
        newest.session.id,
        middle.session.id,
        oldest.session.id,
      ]);
      expect(await s.sessions.listForUser(user.id, T0 + 10)).toEqual([newest.session, middle.session, oldest.session]);
      // A refresh moves a session to the front.
      await exchangeToken(s, oldest.session, oldest.refreshDigest, { now: T0 + 20 });
      expect((await s.sessions.listForUser(user.id, T0 + 20)).map((session) => session.id)).toEqual([
        oldest.session.id,
        newest.session.id,
        middle.session.id,
      ]);
    });

    it('deletes one session of the user with its refresh tokens, and no session of another user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const mine = await startSession(s, user);
      const theirs = await startSession(s, other);
      expect(await s.sessions.delete(user.id, theirs.session.id)).toBe(false);
      expect(await s.sessions.findActive(theirs.session.id, other.id, T0)).not.toBeNull();
      expect(await s.sessions.delete(user.id, mine.session.id)).toBe(true);
      expect(await s.sessions.findActive(mine.session.id, user.id, T0)).toBeNull();
      expect(await s.sessions.findRefreshToken(mine.refreshDigest)).toBeNull();
      expect(await s.sessions.delete(user.id, mine.session.id)).toBe(false);
    });

    it("deletes every session of the user but the one kept, and no other user's", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const kept = await startSession(s, user);
      const ended = await startSession(s, user);
      const theirs = await startSession(s, other);
      await s.sessions.deleteAllForUser(user.id, kept.session.id);
      expect((await s.sessions.listForUser(user.id, T0)).map((session) => session.id)).toEqual([kept.session.id]);
      expect(await s.sessions.findRefreshToken(ended.refreshDigest)).toBeNull();
      await s.sessions.deleteAllForUser(user.id);
      expect(await s.sessions.listForUser(user.id, T0)).toEqual([]);
      expect(await s.sessions.listForUser(other.id, T0)).toEqual([theirs.session]);
    });
  });
};
