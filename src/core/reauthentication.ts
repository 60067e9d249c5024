// Re-authentication before a sensitive change (ASVS 5.0 V6/V7: at the level the account signs in
// with). The password is checked under the account's lock-out, reserved before hashing like a
// login's. With TOTP on, a code is needed too: without one the change is refused before anything
// is counted (403 `second_factor_required`); a wrong one counts toward the lock-out like a wrong
// password, and the counter clears only once the code has passed, so a known password does not
// buy endless guesses at codes.
import { AuthError } from './errors';
import { accountCounterKey, attemptLimits, lockedOut, logLock } from './login-throttle';
import { type SecondFactorDeps, consumeSecondFactor, invalidCode } from './second-factor';
import type { AccountServices } from './services';
import type { Authenticated } from './session-flows';
import type { PasswordCredential } from './users';

export type ConfirmPasswordDeps = Pick<AccountServices, 'logins' | 'passwords' | 'clock' | 'settings' | 'log'>;
export type ConfirmIdentityDeps = ConfirmPasswordDeps & SecondFactorDeps & Pick<AccountServices, 'throttle'>;

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
  if (
    !found ||
    found.user.id !== auth.user.id ||
    !(await services.passwords.verify(password, found.credential.passwordHash))
  ) {
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
 * The password, and with TOTP on a code of the app or a recovery code (`needsTotp`: a change that
 * only makes sense with TOTP on, which is then answered 409 when it is off). Clears the account's
 * counter when everything passed.
 */
export async function confirmIdentity(
  services: ConfirmIdentityDeps,
  auth: Authenticated,
  input: { password: string; code?: string | undefined },
  options: { passwordField?: string; needsTotp?: boolean } = {},
): Promise<PasswordCredential> {
  const factor = await services.mfa.findTotpFactor(auth.user.id);
  const totp = factor?.enabledAt != null ? factor : null;
  if (options.needsTotp && !totp) throw new AuthError('conflict', 'Two-step sign-in is not on for this account.');
  // Refused before the password is checked or counted: nothing was guessed.
  if (totp && !input.code) throw secondFactorRequired();
  const credential = await confirmPassword(services, auth, input.password, options.passwordField ?? 'password');
  if (totp) {
    const method = await consumeSecondFactor(services, totp, input.code!);
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
