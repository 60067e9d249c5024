// Changes a signed-in user makes to their own account, each confirmed by the current password:
// change the password, delete the account. Wrong passwords count against the same per-account
// throttle as login. Both end every session, so the revocation markers follow.
import { type PasswordChangedNoticeDeps, assertPasswordAllowed, sendPasswordChangedNotice } from './accounts';
import { AuthError } from './errors';
import { accountCounterKey, attemptLimits, counterKeysOf, lockedOut, logLock } from './login-throttle';
import { publishRevocation } from './revocations';
import type { AccountServices } from './services';
import type { Authenticated } from './session-flows';

export type ConfirmPasswordDeps = Pick<AccountServices, 'logins' | 'passwords' | 'clock' | 'settings' | 'log'>;
export type ChangePasswordDeps = ConfirmPasswordDeps &
  PasswordChangedNoticeDeps &
  Pick<AccountServices, 'users' | 'throttle' | 'checkNewPassword' | 'revocations' | 'defer'>;
export type DeleteAccountDeps = ConfirmPasswordDeps & Pick<AccountServices, 'users' | 'throttle' | 'revocations'>;

/** Checks a signed-in user's password again (re-authentication), under the login lock-out. */
export async function confirmPassword(
  services: ConfirmPasswordDeps,
  auth: Authenticated,
  password: string,
  field = 'currentPassword',
) {
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

export async function changePassword(
  services: ChangePasswordDeps,
  auth: Authenticated,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const credential = await confirmPassword(services, auth, input.currentPassword);
  services.defer(() => services.throttle.clear([accountCounterKey(auth.user.id)]));
  await assertPasswordAllowed(services, input.newPassword, auth.user, 'newPassword');
  const replaced = await services.users.replacePassword({
    userId: auth.user.id,
    expectedVersion: credential.passwordVersion,
    passwordHash: await services.passwords.hash(input.newPassword),
    now: services.clock.now(),
    keepSessionId: auth.session.id,
  });
  if (!replaced) throw new AuthError('conflict', 'The password was changed by another request. Try again.');
  services.log({ event: 'password.changed', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
  sendPasswordChangedNotice(services, auth.user);
}

export async function deleteAccount(services: DeleteAccountDeps, auth: Authenticated, password: string): Promise<void> {
  await confirmPassword(services, auth, password);
  await services.users.delete(auth.user.id);
  await services.throttle.clear(await counterKeysOf(auth.user));
  services.log({ event: 'account.deleted', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
}
