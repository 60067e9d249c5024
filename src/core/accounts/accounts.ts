// Account lifecycle: register, verify the email, and recover a forgotten password. Plain
// functions over injected services; expected failures throw AuthError with a stable code.
import { type EmailTokenPurpose, issueEmailToken, lookUpEmailToken } from './email-tokens';
import { AuthError } from '../kit/errors';
import { counterKeysOf } from '../passwords/login-throttle';
import { clearCountersAfterCommit } from '../mail/throttle';
import { passwordChangedMessage, passwordResetMessage, verificationMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import { publishRevocation } from '../sessions/revocations';
import type { AccountServices } from '../services';
import { type PublicUser, type User, normalizeEmail, normalizeUsername, toPublicUser } from './users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent, publishStoredEvent } from '../events/dispatch';

type VerificationMailDeps = MailDeliveryDeps & Pick<AccountServices, 'emailTokens'>;
export type PasswordChangedNoticeDeps = MailDeliveryDeps;
export type RegisterDeps = VerificationMailDeps &
  EventServices &
  Pick<AccountServices, 'users' | 'passwords' | 'checkNewPassword'>;
export type VerifyEmailDeps = EventServices & Pick<AccountServices, 'emailTokens' | 'users' | 'clock' | 'log'>;
export type ResendVerificationDeps = VerificationMailDeps & Pick<AccountServices, 'users'>;
export type ForgotPasswordDeps = VerificationMailDeps & Pick<AccountServices, 'users'>;
export type ResetPasswordDeps = MailDeliveryDeps &
  EventServices &
  Pick<AccountServices, 'emailTokens' | 'users' | 'passwords' | 'checkNewPassword' | 'revocations'>;

/** Refuses a new password that breaks the policy, naming the field it came in. */
export async function assertPasswordAllowed(
  services: Pick<AccountServices, 'checkNewPassword'>,
  password: string,
  owner: { username: string; email: string },
  field: string,
): Promise<void> {
  const reason = await services.checkNewPassword(password, owner);
  if (reason) throw new AuthError('validation_failed', reason, [{ field, message: reason }]);
}

function sendVerificationMail(services: VerificationMailDeps, user: User): void {
  const { clock, settings } = services;
  sendAccountMail(services, 'verify_email', { userId: user.id }, async () => {
    const token = await issueEmailToken(
      services.emailTokens,
      { purpose: 'verify_email', userId: user.id, email: user.email },
      clock.now(),
      settings.emailTokenTtlSeconds,
    );
    return verificationMessage(user.email, user.username, token, settings.mail);
  });
}

export function sendPasswordChangedNotice(
  services: PasswordChangedNoticeDeps,
  user: Pick<User, 'id' | 'email' | 'username'>,
): void {
  sendAccountMail(
    services,
    'password_changed',
    { userId: user.id },
    async () => passwordChangedMessage(user.email, user.username, services.settings.mail),
    { quota: false },
  );
}

export type RegisterInput = { username: string; email: string; password: string; displayName?: string | undefined };

export async function register(services: RegisterDeps, input: RegisterInput): Promise<PublicUser> {
  return toPublicUser(await createAccount(services, input));
}

/** Creates the account and mails the verification link; the new, unverified user. */
export async function createAccount(services: RegisterDeps, input: RegisterInput): Promise<User> {
  const username = normalizeUsername(input.username);
  const email = normalizeEmail(input.email);
  await assertPasswordAllowed(services, input.password, { username, email }, 'password');
  const now = services.clock.now();
  const id = crypto.randomUUID();
  const event = newEvent('user.created', { id, username, email }, now, { method: 'password' });
  const result = await services.users.create(
    {
      id,
      username,
      email,
      passwordHash: await services.passwords.hash(input.password),
      displayName: input.displayName?.trim() || null,
      now,
    },
    event,
  );
  if (!result.ok) {
    const field = result.conflict;
    throw new AuthError('conflict', `That ${field} is already registered.`, [
      { field, message: `This ${field} is already registered.` },
    ]);
  }
  services.log({ event: 'user.registered', userId: result.user.id });
  publishStoredEvent(services, result.event ?? { event, awaitsDispatch: true });
  sendVerificationMail(services, result.user);
  return result.user;
}

/**
 * Deletes a used mail token from KV. D1 has already decided the outcome (a second use fails its
 * conditional write), so a failed delete leaves a harmless stale record and must not turn the
 * user's success into an error.
 */
export async function forgetEmailToken(
  services: Pick<AccountServices, 'emailTokens' | 'log'>,
  purpose: EmailTokenPurpose,
  digest: string,
) {
  try {
    await services.emailTokens.delete(purpose, digest);
  } catch (error) {
    services.log({
      event: 'email_token.delete_failed',
      purpose,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

export async function verifyEmail(services: VerifyEmailDeps, token: string): Promise<PublicUser> {
  const now = services.clock.now();
  const found = await lookUpEmailToken(services.emailTokens, 'verify_email', token, now);
  if (found.status === 'expired') throw new AuthError('token_expired', 'This verification link has expired.');
  if (found.status === 'invalid') throw new AuthError('invalid_token', 'This verification link is not valid.');
  // The conditional update is what makes the token single-use; the KV delete is tidying up.
  // Conditional on the address the link was mailed to: after an email change it verifies nothing.
  const user = await services.users.findById(found.record.userId);
  const event = user && newEvent('user.email_verified', { ...user, email: found.record.email }, now);
  const marked =
    user !== null && (await services.users.markEmailVerified(user.id, found.record.email, now, event ?? undefined));
  await forgetEmailToken(services, 'verify_email', found.digest);
  if (!user) throw new AuthError('invalid_token', 'This verification link is not valid.');
  if (!marked) throw new AuthError('invalid_token', 'This verification link has already been used.');
  services.log({ event: 'email.verified', userId: user.id });
  publishEvent(services, event!);
  return toPublicUser({ ...user, emailVerifiedAt: now, updatedAt: now });
}

export async function resendVerification(services: ResendVerificationDeps, email: string): Promise<void> {
  const user = await services.users.findByEmail(normalizeEmail(email));
  if (user && user.emailVerifiedAt === null) sendVerificationMail(services, user);
}

export async function forgotPassword(services: ForgotPasswordDeps, email: string): Promise<void> {
  const found = await services.users.findWithCredential({ email: normalizeEmail(email) });
  if (!found) return;
  const { user, credential } = found;
  const { clock, settings } = services;
  sendAccountMail(services, 'reset_password', { userId: user.id }, async () => {
    const token = await issueEmailToken(
      services.emailTokens,
      {
        purpose: 'reset_password',
        userId: user.id,
        email: user.email,
        credentialVersion: credential.credentialVersion,
      },
      clock.now(),
      settings.emailTokenTtlSeconds,
    );
    return passwordResetMessage(user.email, user.username, token, settings.mail);
  });
}

export async function resetPassword(
  services: ResetPasswordDeps,
  input: { token: string; password: string },
): Promise<void> {
  const now = services.clock.now();
  const found = await lookUpEmailToken(services.emailTokens, 'reset_password', input.token, now);
  if (found.status === 'expired') throw new AuthError('token_expired', 'This reset link has expired.');
  if (found.status === 'invalid' || found.record.credentialVersion === undefined) {
    throw new AuthError('invalid_token', 'This reset link is not valid.');
  }
  const user = await services.users.findById(found.record.userId);
  if (!user) throw new AuthError('invalid_token', 'This reset link is not valid.');
  await assertPasswordAllowed(services, input.password, user, 'password');
  // A link dies with the address it was mailed to: after an email change it resets nothing.
  if (user.email !== found.record.email) throw new AuthError('invalid_token', 'This reset link is not valid.');
  const resetEvent = newEvent('user.password_reset', user, now);
  const replaced = await services.users.replacePassword({
    userId: user.id,
    expectedVersion: found.record.credentialVersion,
    expectedEmail: found.record.email,
    passwordHash: await services.passwords.hash(input.password),
    now,
    verifyEmail: true,
    event: resetEvent,
  });
  await forgetEmailToken(services, 'reset_password', found.digest);
  if (!replaced) throw new AuthError('invalid_token', 'This reset link has already been used.');
  // The owner has just proved control of the mailbox: the lock-out is lifted with the reset.
  await clearCountersAfterCommit(services, await counterKeysOf(user));
  services.log({ event: 'password.reset', userId: user.id });
  publishEvent(services, resetEvent);
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(user.id, now));
  sendPasswordChangedNotice(services, user);
}
