// Changing the password and deleting the account as plain function calls.
import { describe, expect, it } from 'vitest';
import { changePassword, deleteAccount } from '../../../src/core/accounts/account-changes';
import { login } from '../../../src/core/passwords/login';
import { authenticate, refresh } from '../../../src/core/sessions/session-flows';
import { createCoreServices, verifiedUser } from '../../support/core-services';

async function twoSessions() {
  const fixture = createCoreServices();
  const user = await verifiedUser(fixture);
  const input = { identifier: user.username, password: user.password, userAgent: 'test' };
  const here = await login(fixture.services, input);
  const elsewhere = await login(fixture.services, input);
  const auth = await authenticate(fixture.services, here.accessToken);
  return { fixture, user, here, elsewhere, auth };
}

describe('changePassword (core)', () => {
  it('keeps the session that changed it and ends the others', async () => {
    const { fixture, user, here, elsewhere, auth } = await twoSessions();
    await changePassword(fixture.services, auth, { currentPassword: user.password, newPassword: 'new horse battery' });
    expect((await refresh(fixture.services, here.refreshToken)).user.id).toBe(user.id);
    await expect(refresh(fixture.services, elsewhere.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(fixture.storage.revocations.usersEnded.has(user.id)).toBe(true);
  });

  it('refuses a wrong current password, naming the field', async () => {
    const { fixture, auth } = await twoSessions();
    const change = changePassword(fixture.services, auth, {
      currentPassword: 'wrong',
      newPassword: 'new horse battery',
    });
    await expect(change).rejects.toMatchObject({
      code: 'invalid_credentials',
      fieldIssues: [{ field: 'currentPassword' }],
    });
  });

  it('changes the password once when two changes race from one version', async () => {
    const { fixture, user, auth } = await twoSessions();
    const outcomes = await Promise.allSettled([
      changePassword(fixture.services, auth, { currentPassword: user.password, newPassword: 'first horse battery' }),
      changePassword(fixture.services, auth, { currentPassword: user.password, newPassword: 'second horse battery' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('deleteAccount (core)', () => {
  it('deletes the user and every session', async () => {
    const { fixture, user, elsewhere, auth } = await twoSessions();
    await deleteAccount(fixture.services, auth, { password: user.password });
    expect(await fixture.services.users.findById(user.id)).toBeNull();
    await expect(refresh(fixture.services, elsewhere.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(fixture.storage.revocations.usersEnded.has(user.id)).toBe(true);
  });

  it('keeps the account when the password is wrong', async () => {
    const { fixture, user, auth } = await twoSessions();
    await expect(deleteAccount(fixture.services, auth, { password: 'wrong' })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(await fixture.services.users.findById(user.id)).not.toBeNull();
  });
});
