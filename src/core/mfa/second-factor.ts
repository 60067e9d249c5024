// Checking a code of the second factor: a TOTP code of the enabled app, or a recovery code. A code
// works once: the accepted time step and a used recovery code are consumed by conditional writes
// (tied to an mfaToken's deletion when one is given), so of parallel requests one wins.
import { dataCiphertextNeedsRotation, decryptData, encryptData } from '../kit/data-encryption';
import { AuthError } from '../kit/errors';
import type { ChallengeClaim, TotpFactor } from './mfa-store';
import { digestRecoveryCode } from './recovery-codes';
import type { AccountServices } from '../services';
import { parseTotpCode, verifyTotpCode } from './totp';

export type SecondFactorDeps = Pick<AccountServices, 'mfa' | 'dataKeys' | 'clock' | 'log' | 'defer'>;

export const invalidCode = () =>
  new AuthError('invalid_code', 'The code is not valid.', [{ field: 'code', message: 'is not valid' }]);

/** Binds a stored secret to its user: a ciphertext copied into another row does not decrypt. */
export function totpSecretAssociatedData(userId: string): string {
  return `totp-secret:${userId}`;
}

export async function readSecret(services: SecondFactorDeps, factor: TotpFactor): Promise<Uint8Array> {
  const secret = await decryptData(services.dataKeys, factor.secretCiphertext, totpSecretAssociatedData(factor.userId));
  // A wrong or missing key, or a tampered row: the operator's problem, never the user's.
  if (!secret) {
    services.log({ event: 'mfa.secret_unreadable', userId: factor.userId });
    throw new AuthError('unavailable', 'Two-step sign-in is not available right now.');
  }
  return secret;
}

/**
 * After a key rotation, a secret read with the previous key is stored again under the current one
 * the first time it is used, so the previous key can be retired once every user has signed in.
 * Conditional on the row still holding what was read: a set-up or removal meanwhile wins.
 */
async function reencryptSecret(services: SecondFactorDeps, factor: TotpFactor, secret: Uint8Array): Promise<void> {
  const ciphertext = await encryptData(services.dataKeys, secret, totpSecretAssociatedData(factor.userId));
  if (await services.mfa.reencryptTotpSecret(factor.userId, factor.secretCiphertext, ciphertext)) {
    services.log({ event: 'mfa.secret_reencrypted', userId: factor.userId });
  }
}

/**
 * Checks a TOTP or recovery code and consumes it (with `challenge`, together with the challenge).
 * Returns the method that won, or null for a wrong, replayed or already used code.
 */
export async function consumeSecondFactor(
  services: SecondFactorDeps,
  factor: TotpFactor,
  code: string,
  challenge?: ChallengeClaim,
): Promise<'totp' | 'recovery_code' | null> {
  if (parseTotpCode(code) !== null) {
    const secret = await readSecret(services, factor);
    const step = await verifyTotpCode(secret, code, {
      now: services.clock.now(),
      lastAcceptedStep: factor.lastUsedStep,
    });
    if (step === null || !(await services.mfa.consumeTotpStep(factor.userId, step, challenge))) return null;
    if (dataCiphertextNeedsRotation(services.dataKeys, factor.secretCiphertext)) {
      services.defer(() => reencryptSecret(services, factor, secret));
    }
    return 'totp';
  }
  const digest = await digestRecoveryCode(code);
  return digest !== null && (await services.mfa.consumeRecoveryCode(factor.userId, digest, challenge))
    ? 'recovery_code'
    : null;
}
