// A signed-in user managing their own account: listing and ending their sessions, changing their
// password. Every function takes the caller's Authenticated, so a user can only ever see or end
// sessions whose record names them; anything else is answered as `not_found`, never "forbidden",
// so session ids of other users cannot be probed.
import type { AccountServices, Authenticated } from './accounts';
import { AuthError } from './errors';
import { hashPassword, verifyPassword } from './password';
import { type SessionRecord, isSessionLive } from './sessions';

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  /** Empty when the session was made without one (the core does not record it yet). */
  userAgent: string;
  current: boolean;
}

// Mirrors the API's password rule (src/http/schemas.ts): 8 to 128 Unicode code points.
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

export async function listSessions(services: AccountServices, auth: Authenticated): Promise<SessionSummary[]> {
  const now = services.clock.now();
  const ids = await services.sessions.listIdsForUser(auth.user.id);
  const records = await Promise.all(ids.map((id) => services.sessions.get(id)));
  const live = records.filter(
    (record): record is SessionRecord =>
      record !== null && record.userId === auth.user.id && isSessionLive(record, auth.user.sessionEpoch, now),
  );
  return live
    .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
    .map((record) => ({
      id: record.id,
      createdAt: new Date(record.createdAt).toISOString(),
      lastUsedAt: new Date(record.lastUsedAt).toISOString(),
      userAgent: (record as SessionRecord & { userAgent?: string }).userAgent ?? '',
      current: record.id === auth.session.id,
    }));
}

export async function revokeSession(services: AccountServices, auth: Authenticated, sessionId: string): Promise<void> {
  const session = await services.sessions.get(sessionId);
  if (!session || session.userId !== auth.user.id) throw new AuthError('not_found', 'No such session.');
  await services.sessions.delete(session.id);
  services.log({ event: 'session.revoked', userId: auth.user.id, sessionId: session.id });
}

/**
 * Replaces the password after checking the current one. Like a reset, it bumps the session
 * epoch, which ends every session of the user, the caller's included: a stolen session must not
 * survive the owner changing their password. The caller signs in again to keep going.
 */
export async function changePassword(
  services: AccountServices,
  auth: Authenticated,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const wrongPassword = () =>
    new AuthError('invalid_credentials', 'The current password is incorrect.', [
      { field: 'currentPassword', message: 'This is not your current password.' },
    ]);
  const found = await services.users.findWithCredential({ email: auth.user.email });
  if (!found || found.user.id !== auth.user.id) throw wrongPassword();
  if (!(await verifyPassword(input.currentPassword, found.credential.passwordHash))) {
    services.log({ event: 'password.change_failed', userId: auth.user.id, reason: 'wrong_password' });
    throw wrongPassword();
  }
  const length = [...input.newPassword].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH || input.newPassword.includes('\0')) {
    throw new AuthError('validation_failed', 'The new password does not meet the policy.', [
      { field: 'newPassword', message: `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` },
    ]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  const replaced = await services.users.replacePassword(
    auth.user.id,
    found.credential.passwordVersion,
    passwordHash,
    services.clock.now(),
  );
  // The version moved between the check and the write: a concurrent change or reset won.
  if (!replaced) throw wrongPassword();
  services.log({ event: 'password.changed', userId: auth.user.id });
}
