// What the deployer's own tools and support staff may do to any account (the admin API). The
// HTTP edge decides who is an admin (src/http/require-admin.ts); these flows trust their caller,
// and each one leaves an `admin.*` security event naming the user, never a secret.
import { bytesToBase64Url, base64UrlToBytes } from '../kit/encoding';
import { AuthError } from '../kit/errors';
import { counterKeysOf } from '../passwords/login-throttle';
import type { MailDeliveryDeps } from '../mail/mail-delivery';
import { sendMfaNotice } from '../mfa/mfa-mail';
import { publishRevocation } from '../sessions/revocations';
import type { AccountServices } from '../services';
import type { PageCursor } from './user-directory';
import { type PublicUser, type User, toPublicUser } from '../accounts/users';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

export interface AdminUser extends PublicUser {
  disabled: boolean;
  disabledAt: string | null;
}

export interface AdminUserDetail extends AdminUser {
  sessionCount: number;
  /** The sign-in factors set up: `password` for every account, then each second factor that is on. */
  factors: string[];
}

export type AdminDeps = EventServices &
  Pick<AccountServices, 'users' | 'sessions' | 'userDirectory' | 'throttle' | 'revocations' | 'mfa' | 'clock' | 'log'>;

export const ADMIN_PAGE_MAX = 100;

function toAdminUser(user: User): AdminUser {
  return {
    ...toPublicUser(user),
    disabled: user.disabledAt !== null,
    disabledAt: user.disabledAt === null ? null : new Date(user.disabledAt).toISOString(),
  };
}

/** An opaque cursor: base64url of the last row's (createdAt, id). */
export function encodeCursor(cursor: PageCursor): string {
  return bytesToBase64Url(new TextEncoder().encode(JSON.stringify([cursor.createdAt, cursor.id])));
}

export function decodeCursor(text: string): PageCursor | null {
  const bytes = base64UrlToBytes(text);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // Not JSON: the same answer as any other bad cursor.
  }
  return null;
}

export async function listUsers(
  services: Pick<AdminDeps, 'userDirectory' | 'log'>,
  input: { query: string; limit: number; cursor?: string | undefined },
): Promise<{ users: AdminUser[]; nextCursor: string | null }> {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  if (input.cursor && !after) {
    throw new AuthError('validation_failed', 'The cursor is not valid.', [
      { field: 'cursor', message: 'is not valid' },
    ]);
  }
  const limit = Math.min(input.limit, ADMIN_PAGE_MAX);
  // One more than asked tells whether another page exists without a count query.
  const rows = await services.userDirectory.search({
    prefix: input.query.trim().toLowerCase(),
    limit: limit + 1,
    after,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  services.log({ event: 'admin.users_listed', count: page.length });
  return {
    users: page.map(toAdminUser),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

async function existingUser(services: Pick<AdminDeps, 'users'>, userId: string): Promise<User> {
  const user = await services.users.findById(userId);
  if (!user) throw new AuthError('not_found', 'There is no user with that id.');
  return user;
}

export async function getUser(services: AdminDeps, userId: string): Promise<AdminUserDetail> {
  const user = await existingUser(services, userId);
  const [sessionCount, secondFactors] = await Promise.all([
    services.userDirectory.countLiveSessions(userId, services.clock.now()),
    services.userDirectory.listSecondFactors(userId),
  ]);
  services.log({ event: 'admin.user_viewed', userId });
  return { ...toAdminUser(user), sessionCount, factors: ['password', ...secondFactors] };
}

export async function setUserDisabled(services: AdminDeps, userId: string, disabled: boolean): Promise<AdminUser> {
  const now = services.clock.now();
  const user = await existingUser(services, userId);
  const event = newEvent(disabled ? 'user.disabled' : 'user.enabled', user, now);
  if (!(await services.users.setDisabled(userId, disabled ? now : null, now, event))) {
    throw new AuthError('not_found', 'There is no user with that id.');
  }
  publishEvent(services, event);
  services.log({ event: disabled ? 'admin.user_disabled' : 'admin.user_enabled', userId });
  if (disabled) await publishRevocation(services, (publisher) => publisher.allSessionsEnded(userId, now));
  return toAdminUser(await existingUser(services, userId));
}

export async function revokeUserSessions(services: AdminDeps, userId: string): Promise<void> {
  const user = await existingUser(services, userId);
  const event = newEvent('session.revoked', user, services.clock.now(), { all: true, by: 'admin' });
  await services.sessions.deleteAllForUser(userId, undefined, event);
  publishEvent(services, event);
  services.log({ event: 'admin.sessions_revoked', userId });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(userId, services.clock.now()));
}

/** Deletes the user as `DELETE /me` does: account, sessions, counters, revocation markers. */
export async function deleteUser(services: AdminDeps, userId: string): Promise<void> {
  const user = await existingUser(services, userId);
  const event = newEvent('user.deleted', user, services.clock.now(), { by: 'admin' });
  await services.users.delete(userId, event);
  publishEvent(services, event);
  await services.throttle.clear(await counterKeysOf(user));
  services.log({ event: 'admin.user_deleted', userId });
  await publishRevocation(services, (publisher) => publisher.allSessionsEnded(userId, services.clock.now()));
}

export async function markUserEmailVerified(services: AdminDeps, userId: string): Promise<AdminUser> {
  const user = await existingUser(services, userId);
  const now = services.clock.now();
  // False when already verified (or the address changed meanwhile): either way nothing to do.
  const event = newEvent('user.email_verified', user, now, { by: 'admin' });
  if (await services.users.markEmailVerified(userId, user.email, now, event)) publishEvent(services, event);
  services.log({ event: 'admin.email_verified', userId });
  return toAdminUser(await existingUser(services, userId));
}

/**
 * Support's answer to a user who lost both the authenticator app and the recovery codes: removes
 * every second factor (and pending sign-in challenges), so the password alone signs in again. The
 * owner is mailed, so a reset they did not ask for does not go unnoticed. Sessions are left alone
 * (`revokeUserSessions` ends them when support wants that too).
 */
export async function removeSecondFactors(services: AdminDeps & MailDeliveryDeps, userId: string): Promise<void> {
  const user = await existingUser(services, userId);
  const event = newEvent('mfa.disabled', user, services.clock.now(), { by: 'admin' });
  const removed = await services.mfa.removeFactors(userId, event);
  if (removed) publishEvent(services, event);
  services.log({ event: 'admin.mfa_removed', userId, removed });
  // No notice when nothing was on: the mail would report a change that did not happen.
  if (removed) sendMfaNotice(services, 'mfa_removed_by_support', user);
}
