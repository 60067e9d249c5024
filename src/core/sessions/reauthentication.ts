// Re-authentication before a sensitive change (ASVS 5.0 V6/V7: at the level the account signs in
// with): the password, or one of the user's own passkeys (which is two factors by itself, so an
// account without a password can still confirm). The password is checked under the account's
// lock-out, reserved before hashing like a login's. With TOTP on, a code is needed too: without
// one the change is refused before anything is counted (403 `second_factor_required`); a wrong one
// counts toward the lock-out like a wrong password, and the counter clears only once the code has
// passed, so a known password does not buy endless guesses at codes.
import { AuthError } from '../kit/errors';
import { accountCounterKey, attemptLimits, lockedOut, logLock } from '../passwords/login-throttle';
import {
  type PasskeyAssertion,
  type PasskeyAssertionDeps,
  issueChallenge,
  verifyPasskeyAssertion,
} from '../passkeys/passkey-assertion';
import { type SecondFactorDeps, consumeSecondFactor, invalidCode } from '../mfa/second-factor';
import type { AccountServices } from '../services';
import type { Authenticated } from './session-flows';
import type { PasswordCredential } from '../accounts/users';
import { buildRequestOptions } from '../passkeys/webauthn/options';
import type { PublicKeyCredentialRequestOptionsJSON } from '../passkeys/webauthn/types';

export type ConfirmPasswordDeps = Pick<AccountServices, 'logins' | 'passwords' | 'clock' | 'settings' | 'log'>;
export type ConfirmIdentityDeps = ConfirmPasswordDeps &
  SecondFactorDeps &
  PasskeyAssertionDeps &
  Pick<AccountServices, 'throttle'>;

/**
 * Checks a signed-in user's password under the account's lock-out; `field` names it in the 401.
 * The attempt stays counted: the caller clears the counter once every check has passed.
 */
export async function confirmPassword(
  services: ConfirmPasswordDeps,
  auth: Authenticated,
  password: string,
  field = 'currentPassword',
): Promise<PasswordCredential> {
  const now = services.clock.now();
  // Reserved on the account's counter only, before hashing, like a login's password check.
  const { found, account } = await services.logins.reserveAccountAttempt(
    { username: auth.user.username },
    attemptLimits(services.settings.loginThrottle),
    now,
  );
  if (account && !account.granted) {
    throw lockedOut(account, now, 'Too many failed password attempts. Try again later.');
  }
  logLock(services, account, auth.user.id);
  const passwordHash = found?.user.id === auth.user.id ? found.credential.passwordHash : null;
  if (found?.user.id === auth.user.id && passwordHash === null) {
    throw new AuthError('invalid_credentials', 'This account has no password. Confirm with a passkey instead.', [
      { field, message: 'This account has no password.' },
    ]);
  }
  if (!found || !passwordHash || !(await services.passwords.verify(password, passwordHash))) {
    throw new AuthError('invalid_credentials', 'The current password is incorrect.', [
      { field, message: 'The current password is incorrect.' },
    ]);
  }
  return found.credential;
}

export const secondFactorRequired = () =>
  new AuthError('second_factor_required', 'Two-step sign-in is on: enter a code from your app or a recovery code.', [
    { field: 'code', message: 'is required' },
  ]);

/**
 * How a signed-in user re-authenticates: the password (with TOTP on, and a code), or an assertion
 * of one of their passkeys, which is two factors by itself. An account without a password uses a
 * passkey (and, with the methods to come, an email code).
 */
export interface IdentityProof {
  password?: string | undefined;
  code?: string | undefined;
  passkey?: PasskeyAssertion | undefined;
}

/**
 * Confirms the signed-in user before a sensitive change. `needsTotp`: a change that only makes
 * sense with TOTP on, answered 409 when it is off; `askCode: false`: the password alone suffices
 * even with TOTP on (a new password does not get around the code). Clears the account's counter
 * when everything passed. Answers the credential version the proof was checked under.
 */
export async function confirmIdentity(
  services: ConfirmIdentityDeps,
  auth: Authenticated,
  proof: IdentityProof,
  options: { passwordField?: string; needsTotp?: boolean; askCode?: boolean } = {},
): Promise<{ credentialVersion: number }> {
  const factor = await services.mfa.findTotpFactor(auth.user.id);
  const totp = factor?.enabledAt != null ? factor : null;
  if (options.needsTotp && !totp) throw new AuthError('conflict', 'Two-step sign-in is not on for this account.');
  if (proof.passkey) {
    // Only the user's own passkeys answer a re-authentication challenge issued to them.
    const { passkey, owner } = await verifyPasskeyAssertion(services, proof.passkey, 'reauthentication', auth.user.id);
    services.log({ event: 'reauthentication.passkey', userId: auth.user.id, passkeyId: passkey.id });
    return { credentialVersion: owner.credentialVersion };
  }
  const passwordField = options.passwordField ?? 'password';
  if (proof.password === undefined) {
    throw new AuthError('validation_failed', 'Confirm with your password or a passkey.', [
      { field: passwordField, message: 'is required' },
    ]);
  }
  const askCode = totp !== null && options.askCode !== false;
  // Refused before the password is checked or counted: nothing was guessed.
  if (askCode && !proof.code) throw secondFactorRequired();
  const credential = await confirmPassword(services, auth, proof.password, passwordField);
  if (askCode) {
    const method = await consumeSecondFactor(services, totp, proof.code!);
    if (!method) {
      // The attempt reserved for the password stays counted: a wrong code is a failure like a
      // wrong password, toward the same lock-out.
      services.log({ event: 'mfa.challenge_failed', userId: auth.user.id });
      throw invalidCode();
    }
    if (method === 'recovery_code') services.log({ event: 'mfa.recovery_code_used', userId: auth.user.id });
  }
  services.defer(() => services.throttle.clear([accountCounterKey(auth.user.id)]));
  return credential;
}

/** Passkey options for re-authenticating the signed-in user: their own passkeys, bound to them. */
export async function startPasskeyReauthentication(
  services: PasskeyAssertionDeps,
  auth: Authenticated,
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const passkeys = await services.passkeys.listForUser(auth.user.id);
  if (passkeys.length === 0) throw new AuthError('not_found', 'You have no passkey to confirm with.');
  const { challengeId, challenge } = await issueChallenge(services, 'reauthentication', {
    userId: auth.user.id,
    userHandle: null,
  });
  const allowCredentials = passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports }));
  return { challengeId, options: buildRequestOptions({ rpId: services.relyingParty.id, challenge, allowCredentials }) };
}

/**
 * A new factor is refused while the address is unverified: with EMAIL_VERIFICATION=optional,
 * someone who registered first with another person's address could otherwise plant a factor that
 * outlives the owner's password reset.
 */
export function assertEmailVerifiedForFactors(auth: Authenticated): void {
  if (auth.user.emailVerifiedAt === null) {
    throw new AuthError('email_not_verified', 'Verify your email address before adding a way to sign in.');
  }
}
