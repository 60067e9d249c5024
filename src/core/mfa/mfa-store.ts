import type { OutboxEvent } from '../events/catalogue';
import type { AuthenticationMethodReference } from '../sessions/sessions';

// What two-step sign-in needs from storage. Every "works once" rule (a TOTP time step, a recovery
// code, an mfaToken) is one conditional write here, so of two parallel requests with the same
// code exactly one is told it won.

export interface TotpFactor {
  userId: string;
  /** `encryptData` output, bound to `totpSecretAssociatedData(userId)`. */
  secretCiphertext: string;
  /** Null while the set-up waits for its first code. */
  enabledAt: number | null;
  /** The last time step a code was accepted for; a code of this step or earlier is refused. */
  lastUsedStep: number | null;
}

export interface MfaChallenge {
  userId: string;
  username: string;
  /** The credential version the sign-in's first step saw; the session starts under it. */
  credentialVersion: number;
  /** What the first step proved. */
  amr: AuthenticationMethodReference[];
  totp: TotpFactor | null;
}

export interface NewMfaChallenge {
  tokenDigest: string;
  userId: string;
  /** The credential version the first step was checked under; a change since ends the challenge. */
  credentialVersion: number;
  /** What the first step proved, for the session the second step starts. */
  amr: AuthenticationMethodReference[];
  expiresAt: number;
}

/**
 * The live challenge a consume is tied to: it wins only together with the challenge's deletion.
 * `maxFailedAttempts` bounds the tries counted by `reserveChallengeAttempt`.
 */
export interface ChallengeClaim {
  tokenDigest: string;
  now: number;
  maxFailedAttempts: number;
}

export interface MfaStore {
  findTotpFactor(userId: string): Promise<TotpFactor | null>;
  /** The factor and how many recovery codes are left, in one read. */
  findMfaStatus(userId: string): Promise<{ totp: TotpFactor | null; recoveryCodesRemaining: number }>;
  /** Stores (or replaces) a pending secret with no set-up tries; false when TOTP is already on (nothing written). */
  savePendingTotp(userId: string, secretCiphertext: string, now: number): Promise<boolean>;
  /**
   * Counts one try at the set-up code of the pending secret `secretCiphertext`, before the code is
   * checked. False (nothing counted) once `maxAttempts` tries were made, or when that set-up is
   * no longer pending: a new set-up (a new secret) is needed.
   */
  reserveSetupAttempt(userId: string, secretCiphertext: string, maxAttempts: number): Promise<boolean>;
  /**
   * In one transaction, only while the factor is still pending with `secretCiphertext` (a set-up
   * restarted meanwhile loses): turns it on with `acceptedStep` as the last used step, stores the
   * recovery codes' digests in place of any, and ends every session of the user but
   * `keepSessionId`. False when nothing was written.
   */
  enableTotp(input: {
    userId: string;
    secretCiphertext: string;
    acceptedStep: number;
    recoveryCodeDigests: string[];
    keepSessionId: string;
    now: number;
    /** mfa.enabled, recorded only if this call turned the factor on. */
    event?: OutboxEvent;
  }): Promise<boolean>;
  /**
   * Moves the last used step forward to `step` if it is later; with `challenge`, only while the
   * challenge is live, deleting it in the same transaction. True for the one request that wins.
   */
  consumeTotpStep(userId: string, step: number, challenge?: ChallengeClaim): Promise<boolean>;
  /**
   * Replaces an enabled factor's secret ciphertext with the same secret under the current key,
   * only while the stored ciphertext is still `previousCiphertext`. True when it was replaced.
   */
  reencryptTotpSecret(userId: string, previousCiphertext: string, secretCiphertext: string): Promise<boolean>;
  /** Deletes the recovery code with this digest (and the challenge, as above). True if it was there. */
  consumeRecoveryCode(userId: string, codeDigest: string, challenge?: ChallengeClaim): Promise<boolean>;
  /** Replaces every recovery code of a user with TOTP on; false when TOTP is off. */
  replaceRecoveryCodes(userId: string, codeDigests: string[], now: number): Promise<boolean>;
  /** Removes the factor and the recovery codes, and ends every session but `keepSessionId`. */
  disableTotp(userId: string, keepSessionId: string, event?: OutboxEvent): Promise<void>;
  /**
   * Support's reset (admin API): removes the factor, the recovery codes and the pending challenges
   * in one transaction, sessions untouched. True when an enabled factor was among them.
   */
  removeFactors(userId: string, event?: OutboxEvent): Promise<boolean>;
  /**
   * A pending sign-in of a user whose password (at `credentialVersion`) was right. It is live until
   * it expires, is tried too often, the password changes or the account is disabled.
   */
  createChallenge(challenge: NewMfaChallenge): Promise<void>;
  /**
   * Counts one try at a live challenge, before its code is checked, and answers what verifying it
   * needs; null (nothing counted) when the challenge is not live or its tries are spent. The count
   * and the limit are one atomic step, so parallel tries get at most `maxFailedAttempts` checks.
   */
  reserveChallengeAttempt(claim: ChallengeClaim): Promise<MfaChallenge | null>;
}
