// MfaStore (src/core/mfa/mfa-store.ts): every "works once" rule of two-step sign-in (a set-up, a TOTP
// time step, a recovery code, an mfaToken and its tries) is one conditional write, so of parallel
// requests exactly one wins, and a loser writes nothing.
import { expect } from 'vitest';
import { MINUTE, T0, claimOf, createUser, enableTotp, pendingSignIn, setUp, startSession } from './fixtures';
import type { Contract } from './suite';

export const mfaStoreContract: Contract = ({ describe, it }, open) => {
  describe('setting up TOTP', () => {
    it('stores a pending secret, replaces it while pending, and refuses once TOTP is on', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.mfa.findTotpFactor(user.id)).toBeNull();
      expect(await s.mfa.savePendingTotp(user.id, 'v1.first', T0)).toBe(true);
      expect(await s.mfa.savePendingTotp(user.id, 'v1.second', T0 + 1)).toBe(true);
      expect(await s.mfa.findTotpFactor(user.id)).toEqual({
        userId: user.id,
        secretCiphertext: 'v1.second',
        enabledAt: null,
        lastUsedStep: null,
      });
      await s.mfa.enableTotp({
        userId: user.id,
        secretCiphertext: 'v1.second',
        acceptedStep: 7,
        recoveryCodeDigests: [],
        keepSessionId: 'none',
        now: T0 + 2,
      });
      expect(await s.mfa.savePendingTotp(user.id, 'v1.third', T0 + 3)).toBe(false);
      expect(await s.mfa.findTotpFactor(user.id)).toEqual({
        userId: user.id,
        secretCiphertext: 'v1.second',
        enabledAt: T0 + 2,
        lastUsedStep: 7,
      });
    });

    it('counts tries at the set-up code up to the limit, afresh for a new secret, none for another', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.mfa.savePendingTotp(user.id, 'v1.first', T0);
      const tries = [];
      for (let i = 0; i < 4; i++) tries.push(await s.mfa.reserveSetupAttempt(user.id, 'v1.first', 3));
      expect(tries).toEqual([true, true, true, false]);
      await s.mfa.savePendingTotp(user.id, 'v1.second', T0);
      expect(await s.mfa.reserveSetupAttempt(user.id, 'v1.first', 3)).toBe(false);
      expect(await s.mfa.reserveSetupAttempt(user.id, 'v1.second', 3)).toBe(true);
      expect(await s.mfa.reserveSetupAttempt(crypto.randomUUID(), 'v1.second', 3)).toBe(false);
    });

    it('grants no more set-up tries than the limit to parallel requests, and none once TOTP is on', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.mfa.savePendingTotp(user.id, 'v1.secret', T0);
      const tries = await Promise.all(
        Array.from({ length: 8 }, () => s.mfa.reserveSetupAttempt(user.id, 'v1.secret', 5)),
      );
      expect(tries.filter(Boolean)).toHaveLength(5);
      const enabled = await createUser(s);
      await enableTotp(s, enabled.id, { secret: 'v1.on' });
      expect(await s.mfa.reserveSetupAttempt(enabled.id, 'v1.on', 5)).toBe(false);
    });

    it('turns TOTP on with its recovery codes and ends every other session of the user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      const kept = await startSession(s, user);
      const ended = await startSession(s, user);
      const theirs = await startSession(s, other);
      await s.mfa.savePendingTotp(user.id, 'v1.secret', T0);
      const enable = () =>
        s.mfa.enableTotp({
          userId: user.id,
          secretCiphertext: 'v1.secret',
          acceptedStep: 42,
          recoveryCodeDigests: ['code-1', 'code-2'],
          keepSessionId: kept.session.id,
          now: T0 + 1,
        });
      expect(await enable()).toBe(true);
      expect(await s.mfa.findMfaStatus(user.id)).toEqual({
        totp: { userId: user.id, secretCiphertext: 'v1.secret', enabledAt: T0 + 1, lastUsedStep: 42 },
        recoveryCodesRemaining: 2,
      });
      expect(await s.sessions.findActive(kept.session.id, user.id, T0)).not.toBeNull();
      expect(await s.sessions.findActive(ended.session.id, user.id, T0)).toBeNull();
      expect(await s.sessions.findActive(theirs.session.id, other.id, T0)).not.toBeNull();
      // A second confirmation of the same set-up finds it no longer pending.
      expect(await enable()).toBe(false);
    });

    it('writes nothing when the set-up was restarted with another secret', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const { session } = await startSession(s, user);
      await s.mfa.savePendingTotp(user.id, 'v1.first', T0);
      await s.mfa.savePendingTotp(user.id, 'v1.second', T0);
      const enabled = await s.mfa.enableTotp({
        userId: user.id,
        secretCiphertext: 'v1.first',
        acceptedStep: 1,
        recoveryCodeDigests: ['code-1'],
        keepSessionId: 'none',
        now: T0 + 1,
      });
      expect(enabled).toBe(false);
      expect(await s.mfa.findMfaStatus(user.id)).toEqual({
        totp: { userId: user.id, secretCiphertext: 'v1.second', enabledAt: null, lastUsedStep: null },
        recoveryCodesRemaining: 0,
      });
      expect(await s.sessions.findActive(session.id, user.id, T0)).not.toBeNull();
    });

    it('lets one of several parallel confirmations of one set-up turn TOTP on', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await s.mfa.savePendingTotp(user.id, 'v1.secret', T0);
      const results = await Promise.all(
        [1, 2, 3, 4].map((step) =>
          s.mfa.enableTotp({
            userId: user.id,
            secretCiphertext: 'v1.secret',
            acceptedStep: step,
            recoveryCodeDigests: [`code-${step}`],
            keepSessionId: 'none',
            now: T0 + step,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect((await s.mfa.findTotpFactor(user.id))?.lastUsedStep).toBe(winner);
      expect(await s.mfa.consumeRecoveryCode(user.id, `code-${winner}`)).toBe(true);
    });
  });

  describe('using TOTP and recovery codes', () => {
    it('accepts each time step once, and only steps later than the last one used', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id);
      expect(await s.mfa.consumeTotpStep(user.id, 10)).toBe(true);
      expect(await s.mfa.consumeTotpStep(user.id, 10)).toBe(false);
      expect(await s.mfa.consumeTotpStep(user.id, 9)).toBe(false);
      expect(await s.mfa.consumeTotpStep(user.id, 11)).toBe(true);
      expect((await s.mfa.findTotpFactor(user.id))?.lastUsedStep).toBe(11);
    });

    it('accepts no step while TOTP is only pending, or off', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.mfa.consumeTotpStep(user.id, 10)).toBe(false);
      await s.mfa.savePendingTotp(user.id, 'v1.secret', T0);
      expect(await s.mfa.consumeTotpStep(user.id, 10)).toBe(false);
      expect((await s.mfa.findTotpFactor(user.id))?.lastUsedStep).toBeNull();
    });

    it('lets one of several parallel uses of one code win', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1'] });
      const steps = await Promise.all(Array.from({ length: 5 }, () => s.mfa.consumeTotpStep(user.id, 10)));
      expect(steps.filter(Boolean)).toHaveLength(1);
      const codes = await Promise.all(Array.from({ length: 5 }, () => s.mfa.consumeRecoveryCode(user.id, 'code-1')));
      expect(codes.filter(Boolean)).toHaveLength(1);
    });

    it("spends a recovery code once, and only the user's own", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1', 'code-2'] });
      expect(await s.mfa.consumeRecoveryCode(other.id, 'code-1')).toBe(false);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-1')).toBe(true);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-1')).toBe(false);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'unknown')).toBe(false);
      expect((await s.mfa.findMfaStatus(user.id)).recoveryCodesRemaining).toBe(1);
    });

    it('replaces every recovery code of a user with TOTP on, and none of a user without', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const without = await createUser(s);
      await enableTotp(s, user.id, { codes: ['old-1', 'old-2'] });
      expect(await s.mfa.replaceRecoveryCodes(user.id, ['new-1', 'new-2', 'new-3'], T0 + 1)).toBe(true);
      expect((await s.mfa.findMfaStatus(user.id)).recoveryCodesRemaining).toBe(3);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'old-1')).toBe(false);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'new-1')).toBe(true);

      await s.mfa.savePendingTotp(without.id, 'v1.pending', T0);
      expect(await s.mfa.replaceRecoveryCodes(without.id, ['new-1'], T0 + 1)).toBe(false);
      expect((await s.mfa.findMfaStatus(without.id)).recoveryCodesRemaining).toBe(0);
    });

    it('tells the factor and the recovery codes left in one read, and nothing for a user without', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      expect(await s.mfa.findMfaStatus(user.id)).toEqual({ totp: null, recoveryCodesRemaining: 0 });
      expect(await s.mfa.findMfaStatus(crypto.randomUUID())).toEqual({ totp: null, recoveryCodesRemaining: 0 });
    });

    it('replaces the secret only while it is still the one that was read', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { secret: 'v1.old' });
      const userId = user.id;
      expect(await s.mfa.reencryptTotpSecret(userId, 'v1.other', 'v2.new')).toBe(false);
      expect((await s.mfa.findTotpFactor(userId))!.secretCiphertext).toBe('v1.old');
      expect(await s.mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.new')).toBe(true);
      expect((await s.mfa.findTotpFactor(userId))!.secretCiphertext).toBe('v2.new');
      // A second request that read the old secret too loses.
      expect(await s.mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.newer')).toBe(false);
    });

    it('does not touch a factor that was removed meanwhile, nor one still pending', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { secret: 'v1.old' });
      const userId = user.id;
      await s.mfa.disableTotp(userId, 'none');
      expect(await s.mfa.reencryptTotpSecret(userId, 'v1.old', 'v2.new')).toBe(false);
      expect(await s.mfa.findTotpFactor(userId)).toBeNull();
      await s.mfa.savePendingTotp(userId, 'v1.pending', T0);
      expect(await s.mfa.reencryptTotpSecret(userId, 'v1.pending', 'v2.new')).toBe(false);
      expect((await s.mfa.findTotpFactor(userId))?.secretCiphertext).toBe('v1.pending');
    });
  });

  describe('turning TOTP off', () => {
    it('removes the factor, the codes and the pending sign-ins, and ends every other session', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1'] });
      const kept = await startSession(s, user);
      const ended = await startSession(s, user);
      const pending = await pendingSignIn(s, user);
      await s.mfa.disableTotp(user.id, kept.session.id);
      expect(await s.mfa.findMfaStatus(user.id)).toEqual({ totp: null, recoveryCodesRemaining: 0 });
      expect(await s.mfa.reserveChallengeAttempt(claimOf(pending))).toBeNull();
      expect(await s.sessions.findActive(kept.session.id, user.id, T0)).not.toBeNull();
      expect(await s.sessions.findActive(ended.session.id, user.id, T0)).toBeNull();
    });

    it("removes every factor at support's request, sessions untouched, telling whether one was on", async () => {
      const { s } = await setUp(open);
      const enabled = await createUser(s);
      const pendingOnly = await createUser(s);
      await enableTotp(s, enabled.id, { codes: ['code-1'] });
      const { session } = await startSession(s, enabled);
      const challenge = await pendingSignIn(s, enabled);
      await s.mfa.savePendingTotp(pendingOnly.id, 'v1.pending', T0);

      expect(await s.mfa.removeFactors(enabled.id)).toBe(true);
      expect(await s.mfa.findMfaStatus(enabled.id)).toEqual({ totp: null, recoveryCodesRemaining: 0 });
      expect(await s.mfa.reserveChallengeAttempt(claimOf(challenge))).toBeNull();
      expect(await s.sessions.findActive(session.id, enabled.id, T0)).not.toBeNull();
      expect(await s.mfa.removeFactors(enabled.id)).toBe(false);

      expect(await s.mfa.removeFactors(pendingOnly.id)).toBe(false);
      expect(await s.mfa.findTotpFactor(pendingOnly.id)).toBeNull();
    });
  });

  describe('pending sign-ins (mfaTokens)', () => {
    it('answers a try at a live challenge with what verifying it needs', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { secret: 'v1.secret' });
      const digest = await pendingSignIn(s, user);
      expect(await s.mfa.reserveChallengeAttempt(claimOf(digest))).toEqual({
        userId: user.id,
        username: user.username,
        credentialVersion: 0,
        amr: ['pwd'],
        totp: { userId: user.id, secretCiphertext: 'v1.secret', enabledAt: T0, lastUsedStep: 1 },
      });
    });

    it('counts tries up to the limit, then answers nothing', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const digest = await pendingSignIn(s, user);
      const tries = [];
      for (let i = 0; i < 4; i++)
        tries.push(await s.mfa.reserveChallengeAttempt(claimOf(digest, { maxFailedAttempts: 3 })));
      expect(tries.map((found) => found !== null)).toEqual([true, true, true, false]);
    });

    it('grants no more tries than the limit to parallel requests', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const digest = await pendingSignIn(s, user);
      const tries = await Promise.all(
        Array.from({ length: 10 }, () => s.mfa.reserveChallengeAttempt(claimOf(digest, { maxFailedAttempts: 5 }))),
      );
      expect(tries.filter((found) => found !== null)).toHaveLength(5);
    });

    it('answers nothing for a challenge expired, unknown, under a changed password, or of a disabled user', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const changed = await createUser(s);
      const disabled = await createUser(s);
      const expiring = await pendingSignIn(s, user, { expiresAt: T0 + MINUTE });
      expect(await s.mfa.reserveChallengeAttempt(claimOf(expiring, { now: T0 + MINUTE - 1 }))).not.toBeNull();
      expect(await s.mfa.reserveChallengeAttempt(claimOf(expiring, { now: T0 + MINUTE }))).toBeNull();
      expect(await s.mfa.reserveChallengeAttempt(claimOf('no-such-digest'))).toBeNull();

      const stale = await pendingSignIn(s, changed);
      await s.users.replacePassword({ userId: changed.id, expectedVersion: 0, passwordHash: 'new', now: T0 });
      expect(await s.mfa.reserveChallengeAttempt(claimOf(stale))).toBeNull();

      const refused = await pendingSignIn(s, disabled);
      await s.users.setDisabled(disabled.id, T0, T0);
      await s.users.setDisabled(disabled.id, null, T0);
      expect(await s.mfa.reserveChallengeAttempt(claimOf(refused))).toBeNull();
    });

    it('spends a code and the challenge together, so the mfaToken works once', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1', 'code-2'] });
      const byStep = await pendingSignIn(s, user);
      await s.mfa.reserveChallengeAttempt(claimOf(byStep));
      expect(await s.mfa.consumeTotpStep(user.id, 10, claimOf(byStep))).toBe(true);
      expect(await s.mfa.reserveChallengeAttempt(claimOf(byStep))).toBeNull();
      expect(await s.mfa.consumeTotpStep(user.id, 11, claimOf(byStep))).toBe(false);
      expect((await s.mfa.findTotpFactor(user.id))?.lastUsedStep).toBe(10);

      const byCode = await pendingSignIn(s, user);
      await s.mfa.reserveChallengeAttempt(claimOf(byCode));
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-1', claimOf(byCode))).toBe(true);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-2', claimOf(byCode))).toBe(false);
      expect((await s.mfa.findMfaStatus(user.id)).recoveryCodesRemaining).toBe(1);
    });

    it("spends no code on a challenge that is not live or is another user's", async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      const other = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1'] });
      const expired = await pendingSignIn(s, user, { expiresAt: T0 + MINUTE });
      const theirs = await pendingSignIn(s, other);
      const late = claimOf(expired, { now: T0 + MINUTE });
      expect(await s.mfa.consumeTotpStep(user.id, 10, late)).toBe(false);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-1', late)).toBe(false);
      expect(await s.mfa.consumeTotpStep(user.id, 10, claimOf(theirs))).toBe(false);
      expect(await s.mfa.consumeRecoveryCode(user.id, 'code-1', claimOf(theirs))).toBe(false);
      expect(await s.mfa.findMfaStatus(user.id)).toMatchObject({ recoveryCodesRemaining: 1 });
      expect((await s.mfa.findTotpFactor(user.id))?.lastUsedStep).toBe(1);
      // The other user's challenge is still there.
      expect(await s.mfa.reserveChallengeAttempt(claimOf(theirs))).not.toBeNull();
    });

    it('lets the try that reached the limit still spend its code', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id);
      const digest = await pendingSignIn(s, user);
      const claim = claimOf(digest, { maxFailedAttempts: 2 });
      await s.mfa.reserveChallengeAttempt(claim);
      expect(await s.mfa.reserveChallengeAttempt(claim)).not.toBeNull();
      expect(await s.mfa.reserveChallengeAttempt(claim)).toBeNull();
      expect(await s.mfa.consumeTotpStep(user.id, 10, claim)).toBe(true);
    });

    it('lets one of several parallel verifies of one mfaToken win, each with its own code', async () => {
      const { s } = await setUp(open);
      const user = await createUser(s);
      await enableTotp(s, user.id, { codes: ['code-1', 'code-2', 'code-3'] });
      const digest = await pendingSignIn(s, user);
      const results = await Promise.all([
        s.mfa.consumeTotpStep(user.id, 10, claimOf(digest)),
        s.mfa.consumeRecoveryCode(user.id, 'code-1', claimOf(digest)),
        s.mfa.consumeRecoveryCode(user.id, 'code-2', claimOf(digest)),
        s.mfa.consumeTotpStep(user.id, 11, claimOf(digest)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
};
