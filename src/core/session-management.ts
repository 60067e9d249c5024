// What a signed-in user can do about their own account: list and revoke sessions, sign out
// everywhere, change the password, and delete the account. Password-confirmed actions count
// wrong passwords against the same per-account throttle as login.
import { assertPasswordAllowed, sendPasswordChangedNotice } from './accounts';
import { AuthError } from './errors';
import type { AccountServices } from './services';
import { ACCOUNT_COUNTER_PREFIX, accountCounterKey, attemptLimits, counterKeysOf, lockedOut } from './login-throttle';
import { type Authenticated, logLock } from './sign-in';

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string;
  current: boolean;
}

export async function listSessions(services: AccountServices, auth: Authenticated): Promise<SessionSummary[]> {
  const sessions = await services.sessions.listForUser(auth.user.id, services.clock.now());
  return sessions.map((session) => ({
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    userAgent: session.userAgent,
    current: session.id === auth.session.id,
  }));
}

export async function revokeSession(services: AccountServices, auth: Authenticated, sessionId: string): Promise<void> {
  if (!(await services.sessions.delete(auth.user.id, sessionId))) {
    throw new AuthError('not_found', 'You have no session with that id.');
  }
  services.log({ event: 'session.revoked', userId: auth.user.id, sessionId });
}

export async function logoutEverywhere(services: AccountServices, auth: Authenticated): Promise<void> {
  await services.sessions.deleteAllForUser(auth.user.id);
  services.log({ event: 'logout.all', userId: auth.user.id });
}

async function confirmPassword(services: AccountServices, auth: Authenticated, password: string) {
  const now = services.clock.now();
  // Reserved on the account's counter only, before hashing, like a login's password check.
  const { found, account } = await services.logins.reserveLoginAttempt(
    { username: auth.user.username },
    { identifierKey: null, accountKeyPrefix: ACCOUNT_COUNTER_PREFIX },
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
      { field: 'currentPassword', message: 'The current password is incorrect.' },
    ]);
  }
  return found.credential;
}

export async function changePassword(
  services: AccountServices,
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
  sendPasswordChangedNotice(services, auth.user);
}

export async function deleteAccount(services: AccountServices, auth: Authenticated, password: string): Promise<void> {
  await confirmPassword(services, auth, password);
  await services.users.delete(auth.user.id);
  await services.throttle.clear(await counterKeysOf(auth.user));
  services.log({ event: 'account.deleted', userId: auth.user.id });
}
