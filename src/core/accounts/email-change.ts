// Changing the account's email. The current password (and with TOTP on, a code) re-authenticates
// the request (ASVS 7.5.1);
// the switch waits for a link mailed to the new address, so a typo cannot hand the account to a
// stranger. The asking answer is the same whatever happens next, so it reveals no taken address.
// Single use and "taken meanwhile" are decided by one conditional write in D1 (changeEmail).
import { type ConfirmIdentityDeps, type IdentityProof, confirmIdentity } from '../sessions/reauthentication';
import { forgetEmailToken } from './accounts';
import { issueEmailToken, lookUpEmailToken } from './email-tokens';
import { AuthError } from '../kit/errors';
import { emailChangeMessage, emailChangeRequestedMessage, emailChangedMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import { publishRevocation } from '../sessions/revocations';
import type { AccountServices } from '../services';
import type { Authenticated } from '../sessions/session-flows';
import { type PublicUser, normalizeEmail, toPublicUser } from './users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

export type RequestEmailChangeDeps = ConfirmIdentityDeps &
  MailDeliveryDeps &
  Pick<AccountServices, 'users' | 'emailTokens' | 'throttle'>;
export type ConfirmEmailChangeDeps = MailDeliveryDeps &
  EventServices &
  Pick<AccountServices, 'users' | 'emailTokens' | 'revocations'>;

export async function requestEmailChange(
  services: RequestEmailChangeDeps,
  auth: Authenticated,
  input: IdentityProof & { newEmail: string },
): Promise<void> {
  // With TOTP on, a code too: the address is where a reset link goes, so moving it moves the account.
  await confirmIdentity(services, auth, input);
  const { user } = auth;
  const newEmail = normalizeEmail(input.newEmail);
  if (newEmail === normalizeEmail(user.email)) return;
  services.log({ event: 'email_change.requested', userId: user.id });
  // A taken address gets no link (the confirmation could only fail), but the same answer.
  if (await services.users.findByEmail(newEmail)) return;
  const { clock, settings } = services;
  sendAccountMail(services, 'change_email', { userId: user.id }, async () => {
    const token = await issueEmailToken(
      services.emailTokens,
      { purpose: 'change_email', userId: user.id, email: user.email, newEmail, sessionId: auth.session.id },
      clock.now(),
      settings.emailTokenTtlSeconds,
    );
    return emailChangeMessage(newEmail, user.username, token, settings.mail);
  });
  sendAccountMail(
    services,
    'change_email_notice',
    { userId: user.id },
    async () => emailChangeRequestedMessage(user.email, user.username, settings.mail),
    { quota: false },
  );
}

export async function confirmEmailChange(services: ConfirmEmailChangeDeps, token: string): Promise<PublicUser> {
  const now = services.clock.now();
  const found = await lookUpEmailToken(services.emailTokens, 'change_email', token, now);
  if (found.status === 'expired') throw new AuthError('token_expired', 'This confirmation link has expired.');
  if (found.status === 'invalid' || !found.record.newEmail) {
    throw new AuthError('invalid_token', 'This confirmation link is not valid.');
  }
  const { userId, email: oldEmail, newEmail, sessionId } = found.record;
  const before = await services.users.findById(userId);
  const event = before
    ? newEvent('user.email_changed', { ...before, email: newEmail }, now, { previousEmail: oldEmail })
    : undefined;
  const outcome = await services.users.changeEmail({
    userId,
    oldEmail,
    newEmail,
    now,
    keepSessionId: sessionId,
    event,
  });
  if (outcome === 'taken') {
    // The token stays: nothing changed, and the address may be freed again before it expires.
    throw new AuthError('conflict', 'That email address is already registered to another account.', [
      { field: 'newEmail', message: 'This email is already registered.' },
    ]);
  }
  await forgetEmailToken(services, 'change_email', found.digest);
  if (outcome === 'stale') throw new AuthError('invalid_token', 'This confirmation link has already been used.');
  const user = await services.users.findById(userId);
  if (!user) throw new AuthError('invalid_token', 'This confirmation link is not valid.');
  services.log({ event: 'email_change.confirmed', userId });
  if (event) publishEvent(services, event);
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(userId, now));
  sendAccountMail(
    services,
    'email_changed',
    { userId },
    async () => emailChangedMessage(oldEmail, user.username, services.settings.mail),
    { quota: false },
  );
  return toPublicUser(user);
}
