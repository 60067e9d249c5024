// Changes a signed-in user makes to their own account, each confirmed by the current password
// (reauthentication.ts): change the password, delete the account (with TOTP on, a code too).
// Wrong passwords and codes count against the same per-account throttle as login. Both end every
// session, so the revocation markers follow.
import { type PasswordChangedNoticeDeps, assertPasswordAllowed, sendPasswordChangedNotice } from './accounts';
import { AuthError } from '../kit/errors';
import { counterKeysOf } from '../passwords/login-throttle';
import { accountDeletedMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import { type ConfirmIdentityDeps, type IdentityProof, confirmIdentity } from '../sessions/reauthentication';
import { clearCountersAfterCommit } from '../mail/throttle';
import { publishRevocation } from '../sessions/revocations';
import type { AccountServices } from '../services';
import type { Authenticated } from '../sessions/session-flows';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

export type ChangePasswordDeps = ConfirmIdentityDeps &
  PasswordChangedNoticeDeps &
  EventServices &
  Pick<AccountServices, 'users' | 'throttle' | 'checkNewPassword' | 'revocations' | 'defer'>;
export type DeleteAccountDeps = ConfirmIdentityDeps &
  MailDeliveryDeps &
  EventServices &
  Pick<AccountServices, 'users' | 'throttle' | 'revocations'>;

export async function changePassword(
  services: ChangePasswordDeps,
  auth: Authenticated,
  input: { currentPassword?: string | undefined; passkey?: IdentityProof['passkey']; newPassword: string },
): Promise<void> {
  // The current password alone, even with TOTP on (a new password does not get around the code);
  // or a passkey, which is how an account without a password sets one.
  const credential = await confirmIdentity(
    services,
    auth,
    { password: input.currentPassword, passkey: input.passkey },
    { passwordField: 'currentPassword', askCode: false },
  );
  await assertPasswordAllowed(services, input.newPassword, auth.user, 'newPassword');
  const event = newEvent('user.password_changed', auth.user, services.clock.now());
  const replaced = await services.users.replacePassword({
    userId: auth.user.id,
    expectedVersion: credential.credentialVersion,
    passwordHash: await services.passwords.hash(input.newPassword),
    now: services.clock.now(),
    keepSessionId: auth.session.id,
    event,
  });
  if (!replaced) throw new AuthError('conflict', 'The password was changed by another request. Try again.');
  services.log({ event: 'password.changed', userId: auth.user.id });
  publishEvent(services, event);
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
  sendPasswordChangedNotice(services, auth.user);
}

/**
 * Deletes the account after the password (and with TOTP on, a code). Of parallel deletions one
 * deletes the row; the others are answered as the signed-out requests they now are.
 */
export async function deleteAccount(
  services: DeleteAccountDeps,
  auth: Authenticated,
  input: IdentityProof,
): Promise<void> {
  await confirmIdentity(services, auth, input, { passwordField: 'currentPassword' });
  const event = newEvent('user.deleted', auth.user, services.clock.now(), { by: 'user' });
  if (!(await services.users.delete(auth.user.id, event))) {
    throw new AuthError('unauthorized', 'This session has ended. Sign in again.');
  }
  publishEvent(services, event);
  await clearCountersAfterCommit(services, await counterKeysOf(auth.user));
  services.log({ event: 'account.deleted', userId: auth.user.id });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(auth.user.id, services.clock.now()));
  const { user } = auth;
  sendAccountMail(
    services,
    'account_deleted',
    { userId: user.id },
    async () => accountDeletedMessage(user.email, user.username, services.settings.mail),
    { quota: false },
  );
}
