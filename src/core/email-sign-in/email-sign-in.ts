// Sign-in by email: one mail carrying a link and a 6-digit code. The link's page only shows a
// button (mail scanners follow links; only the POST spends the token), and the code serves the
// other device. Asking answers the same whether or not an account exists, and mails nothing to an
// unknown address unless it asks to create one. A verify proves control of the mailbox, so it
// marks the address verified, and it ends at the one door (sessions/sign-in.ts), which still asks
// for a second factor the account has on and refuses a disabled account.
import { normalizeEmail, type User } from '../accounts/users';
import { bytesToBase64Url, timingSafeEqual } from '../kit/encoding';
import { AuthError } from '../kit/errors';
import { digestToken, generateToken } from '../kit/random-token';
import { emailSignInMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import type { AccountServices } from '../services';
import type { TokenResponse } from '../sessions/session-flows';
import { type SignInDeps, finishSignIn } from '../sessions/sign-in';
import { newEvent } from '../events/catalogue';
import { publishEvent } from '../events/dispatch';

/** Five tries at a mailed code; then that mail's code is spent (its link still works). */
export const EMAIL_SIGN_IN_MAX_CODE_ATTEMPTS = 5;

export type RequestEmailSignInDeps = MailDeliveryDeps & Pick<AccountServices, 'users' | 'emailSignIns'>;
export type VerifyEmailSignInDeps = SignInDeps & Pick<AccountServices, 'users' | 'emailSignIns'>;

const disabledMethod = () => new AuthError('not_found', 'Sign-in by email is off on this server.');
const invalidLink = () => new AuthError('invalid_token', 'This sign-in link is not valid, used or expired.');
const invalidCode = () =>
  new AuthError('invalid_code', 'The code is not valid, used or expired.', [
    { field: 'code', message: 'is not valid' },
  ]);

/** A code's digest is bound to its mail's token, so the same code in two mails is two digests. */
export async function emailSignInCodeDigest(tokenDigest: string, code: string): Promise<string> {
  return digestToken(`${tokenDigest}:${code.trim()}`);
}

/** Six digits, uniform: 20 random bits give 1,048,576 values, of which the first 1,000,000 count. */
function generateCode(): string {
  const bytes = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(bytes);
    const value = bytes[0]! >>> 12;
    if (value < 1_000_000) return String(value).padStart(6, '0');
  }
}

export function assertEmailSignInOn(services: Pick<AccountServices, 'settings'>): void {
  if (!services.settings.emailSignIn.enabled) throw disabledMethod();
}

/**
 * Mails a link and a code to `email` after the response. An unknown address gets nothing, unless
 * it asks to create an account (`username`) and sign-up by email is on; a taken username is found
 * at the verify, so this answer tells nothing about which names or addresses exist.
 */
export async function requestEmailSignIn(
  services: RequestEmailSignInDeps,
  input: { email: string; createAccount?: boolean | undefined; username?: string | undefined },
): Promise<void> {
  assertEmailSignInOn(services);
  const email = normalizeEmail(input.email);
  const user = await services.users.findByEmail(email);
  const signUp = !user && input.createAccount === true && services.settings.emailSignIn.signUp && input.username;
  if (!user && !signUp) return;
  services.log({ event: 'email_sign_in.requested', userId: user?.id, signUp: !user });
  const { clock, settings } = services;
  // The quota counts per account, or per address for one not made yet.
  const recipient = { userId: user?.id ?? `address:${await digestToken(email)}` };
  sendAccountMail(services, 'email_sign_in', recipient, async () => {
    const token = generateToken();
    const code = generateCode();
    const tokenDigest = await digestToken(token);
    const now = clock.now();
    await services.emailSignIns.save(
      {
        email,
        tokenDigest,
        codeDigest: await emailSignInCodeDigest(tokenDigest, code),
        userId: user?.id ?? null,
        username: user ? null : (input.username ?? null),
        expiresAt: now + settings.emailTokenTtlSeconds * 1000,
      },
      now,
    );
    const greeting = user ? `Hello ${user.username}.` : `Welcome to ${settings.mail.appName}.`;
    return emailSignInMessage(email, greeting, token, code, settings.mail);
  });
}

/** The mailed link's token, or the address and the code: signs in exactly like a password would. */
export async function verifyEmailSignIn(
  services: VerifyEmailSignInDeps,
  input: ({ token: string } | { email: string; code: string }) & { userAgent: string },
): Promise<TokenResponse> {
  assertEmailSignInOn(services);
  const now = services.clock.now();
  const byLink = 'token' in input;
  let pending;
  if (byLink) {
    if (!/^[A-Za-z0-9_-]{20,128}$/.test(input.token)) throw invalidLink();
    pending = await services.emailSignIns.takeByToken(await digestToken(input.token), now);
    if (!pending) throw invalidLink();
  } else {
    // The try is counted before the code is checked; an unknown address costs and answers the same.
    const email = normalizeEmail(input.email);
    const reserved = await services.emailSignIns.reserveCodeAttempt(email, now, EMAIL_SIGN_IN_MAX_CODE_ATTEMPTS);
    const presented = new TextEncoder().encode(await emailSignInCodeDigest(reserved?.tokenDigest ?? email, input.code));
    const stored = new TextEncoder().encode(reserved?.codeDigest ?? bytesToBase64Url(new Uint8Array(32)));
    if (!reserved || !timingSafeEqual(presented, stored)) {
      services.log({ event: 'email_sign_in.code_failed', userId: reserved?.userId ?? undefined });
      throw invalidCode();
    }
    // Of parallel verifies with the right code, the one that takes the pending sign-in wins.
    pending = await services.emailSignIns.takeByToken(reserved.tokenDigest, now);
    if (!pending) throw invalidCode();
  }
  const user = await accountOf(services, pending, now);
  const found = await services.users.findWithCredential({ id: user.id });
  if (!found || found.user.id !== user.id) throw invalidLink();
  return finishSignIn(
    services,
    {
      method: byLink ? 'email_link' : 'email_code',
      user: found.user,
      credentialVersion: found.credential.credentialVersion,
      // A one-time secret delivered to the mailbox (RFC 8176 has no value for email itself).
      amr: ['otp'],
      counterKeys: [],
      refused: byLink ? invalidLink : invalidCode,
    },
    input,
  );
}

/**
 * The account the pending sign-in is for, its address verified by this proof of the mailbox; for
 * a sign-up, the passwordless account made now (or the one that took the address meanwhile).
 */
async function accountOf(
  services: VerifyEmailSignInDeps,
  pending: { email: string; userId: string | null; username: string | null },
  now: number,
): Promise<User> {
  let user = pending.userId
    ? await services.users.findById(pending.userId)
    : await services.users.findByEmail(pending.email);
  // A link for an address the account no longer has signs nobody in.
  if (user && user.email !== pending.email) throw invalidLink();
  if (!user) {
    if (pending.userId || !pending.username || !services.settings.emailSignIn.signUp) throw invalidLink();
    const id = crypto.randomUUID();
    const createdEvent = newEvent('user.created', { id, username: pending.username, email: pending.email }, now, {
      method: 'email',
    });
    const created = await services.users.create(
      { id, username: pending.username, email: pending.email, passwordHash: null, displayName: null, now },
      createdEvent,
    );
    if (!created.ok) {
      if (created.conflict === 'username') {
        throw new AuthError('conflict', 'That username was taken meanwhile. Ask for a new mail with another one.', [
          { field: 'username', message: 'This username is already registered.' },
        ]);
      }
      // The address was registered meanwhile: the mailbox's owner signs in to that account.
      user = await services.users.findByEmail(pending.email);
      if (!user) throw invalidLink();
    } else {
      user = created.user;
      services.log({ event: 'user.registered', userId: user.id, method: 'email' });
      publishEvent(services, createdEvent);
    }
  }
  const verifiedEvent = newEvent('user.email_verified', user, now, { by: 'email_sign_in' });
  if (
    user.emailVerifiedAt === null &&
    (await services.users.markEmailVerified(user.id, user.email, now, verifiedEvent))
  ) {
    services.log({ event: 'email.verified', userId: user.id });
    publishEvent(services, verifiedEvent);
    user = { ...user, emailVerifiedAt: now };
  }
  return user;
}
