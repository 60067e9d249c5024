// MfaStore in memory, with the D1 store's rules: each consume is decided in one synchronous step,
// together with the challenge's deletion, so parallel verifies with one code have one winner.
import type { ChallengeClaim, MfaStore } from '../../core/mfa/mfa-store';
import { type MemoryTables, deleteSessionRow, recordEvent } from './tables';

export function createMemoryMfaStore(tables: MemoryTables): MfaStore {
  /** The challenge if live; `triesLeft` for a new try, else for a consume tied to a counted one. */
  function liveChallenge(claim: ChallengeClaim, triesLeft: boolean) {
    const row = tables.mfaChallenges.get(claim.tokenDigest);
    const live =
      row &&
      row.expiresAt > claim.now &&
      (triesLeft ? row.failedAttempts < claim.maxFailedAttempts : row.failedAttempts <= claim.maxFailedAttempts) &&
      tables.credentials.get(row.userId)?.credentialVersion === row.credentialVersion &&
      tables.users.get(row.userId)?.disabledAt === null;
    return live ? row : null;
  }

  /** Whether a consume tied to `claim` may go ahead for `userId`. */
  function claimHolds(userId: string, claim: ChallengeClaim | undefined): boolean {
    return !claim || liveChallenge(claim, false)?.userId === userId;
  }

  function endOtherSessions(userId: string, keepSessionId: string) {
    for (const session of [...tables.sessions.values()]) {
      if (session.userId === userId && session.id !== keepSessionId) deleteSessionRow(tables, session.id);
    }
  }

  return {
    async findTotpFactor(userId) {
      const factor = tables.totpFactors.get(userId);
      return factor ? { ...factor } : null;
    },

    async findMfaStatus(userId) {
      const factor = tables.totpFactors.get(userId);
      return {
        totp: factor ? { ...factor } : null,
        recoveryCodesRemaining: tables.recoveryCodes.get(userId)?.size ?? 0,
      };
    },

    async savePendingTotp(userId, secretCiphertext) {
      if (tables.totpFactors.get(userId)?.enabledAt != null) return false;
      tables.totpFactors.set(userId, { userId, secretCiphertext, enabledAt: null, lastUsedStep: null });
      tables.totpSetupAttempts.set(userId, 0);
      return true;
    },

    async reserveSetupAttempt(userId, secretCiphertext, maxAttempts) {
      const factor = tables.totpFactors.get(userId);
      const tries = tables.totpSetupAttempts.get(userId) ?? 0;
      if (!factor || factor.enabledAt !== null || factor.secretCiphertext !== secretCiphertext) return false;
      if (tries >= maxAttempts) return false;
      tables.totpSetupAttempts.set(userId, tries + 1);
      return true;
    },

    async enableTotp({ userId, secretCiphertext, acceptedStep, recoveryCodeDigests, keepSessionId, now, event }) {
      const factor = tables.totpFactors.get(userId);
      if (!factor || factor.enabledAt !== null || factor.secretCiphertext !== secretCiphertext) return false;
      tables.totpFactors.set(userId, { ...factor, enabledAt: now, lastUsedStep: acceptedStep });
      tables.recoveryCodes.set(userId, new Set(recoveryCodeDigests));
      endOtherSessions(userId, keepSessionId);
      recordEvent(tables, event);
      return true;
    },

    async consumeTotpStep(userId, step, claim) {
      const factor = tables.totpFactors.get(userId);
      if (!factor || factor.enabledAt === null || !claimHolds(userId, claim)) return false;
      if (factor.lastUsedStep !== null && factor.lastUsedStep >= step) return false;
      tables.totpFactors.set(userId, { ...factor, lastUsedStep: step });
      if (claim) tables.mfaChallenges.delete(claim.tokenDigest);
      return true;
    },

    async reencryptTotpSecret(userId, previousCiphertext, secretCiphertext) {
      const factor = tables.totpFactors.get(userId);
      if (!factor || factor.enabledAt === null || factor.secretCiphertext !== previousCiphertext) return false;
      tables.totpFactors.set(userId, { ...factor, secretCiphertext });
      return true;
    },

    async consumeRecoveryCode(userId, codeDigest, claim) {
      if (!claimHolds(userId, claim) || !tables.recoveryCodes.get(userId)?.delete(codeDigest)) return false;
      if (claim) tables.mfaChallenges.delete(claim.tokenDigest);
      return true;
    },

    async replaceRecoveryCodes(userId, codeDigests) {
      if (tables.totpFactors.get(userId)?.enabledAt == null) return false;
      tables.recoveryCodes.set(userId, new Set(codeDigests));
      return true;
    },

    async disableTotp(userId, keepSessionId, event) {
      if (tables.totpFactors.get(userId)?.enabledAt != null) recordEvent(tables, event);
      tables.totpFactors.delete(userId);
      tables.recoveryCodes.delete(userId);
      for (const [digest, row] of tables.mfaChallenges) {
        if (row.userId === userId) tables.mfaChallenges.delete(digest);
      }
      endOtherSessions(userId, keepSessionId);
    },

    async removeFactors(userId, event) {
      const wasEnabled = tables.totpFactors.get(userId)?.enabledAt != null;
      if (wasEnabled) recordEvent(tables, event);
      tables.totpFactors.delete(userId);
      tables.recoveryCodes.delete(userId);
      for (const [digest, row] of tables.mfaChallenges) {
        if (row.userId === userId) tables.mfaChallenges.delete(digest);
      }
      return wasEnabled;
    },

    async createChallenge({ tokenDigest, userId, credentialVersion, amr, expiresAt }) {
      tables.mfaChallenges.set(tokenDigest, { userId, expiresAt, failedAttempts: 0, credentialVersion, amr: [...amr] });
    },

    async reserveChallengeAttempt(claim) {
      const row = liveChallenge(claim, true);
      const user = row && tables.users.get(row.userId);
      if (!row || !user) return null;
      row.failedAttempts += 1;
      const factor = tables.totpFactors.get(row.userId);
      return {
        userId: row.userId,
        username: user.username,
        credentialVersion: row.credentialVersion,
        amr: [...row.amr],
        totp: factor ? { ...factor } : null,
      };
    },
  };
}
