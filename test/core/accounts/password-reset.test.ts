// Password reset as plain function calls: one token changes one password, even when two resets
// race with it, and every session ends.
import { describe, expect, it } from 'vitest';
import { forgotPassword, resetPassword } from '../../../src/core/accounts/accounts';
import { login } from '../../../src/core/passwords/login';
import { refresh } from '../../../src/core/sessions/session-flows';
import { createCoreServices, signedInUser } from '../../support/core-services';

async function resetRequested() {
  const fixture = createCoreServices();
  const { user, tokens } = await signedInUser(fixture);
  await forgotPassword(fixture.services, user.email);
  await fixture.settle();
  return { fixture, user, tokens, token: fixture.tokenFromMail(user.email, '/reset-password') };
}

describe('resetPassword (core)', () => {
  it('sets the new password and ends every session', async () => {
    const { fixture, user, tokens, token } = await resetRequested();
    await resetPassword(fixture.services, { token, password: 'another horse battery' });
    await expect(refresh(fixture.services, tokens.refreshToken)).rejects.toMatchObject({ code: 'invalid_token' });
    const again = await login(fixture.services, {
      identifier: user.username,
      password: 'another horse battery',
      userAgent: 'test',
    });
    expect(again.user.id).toBe(user.id);
    expect(fixture.storage.revocations.usersEnded.get(user.id)).toBe(fixture.clock.now());
  });

  it('changes the password once when two resets race with one token', async () => {
    const { fixture, user, token } = await resetRequested();
    const outcomes = await Promise.allSettled([
      resetPassword(fixture.services, { token, password: 'first horse battery' }),
      resetPassword(fixture.services, { token, password: 'second horse battery' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const credential = await fixture.services.users.findWithCredential({ username: user.username });
    expect(credential?.credential.credentialVersion).toBe(1);
  });

  it('refuses the link once it has been used', async () => {
    const { fixture, token } = await resetRequested();
    await resetPassword(fixture.services, { token, password: 'another horse battery' });
    const second = resetPassword(fixture.services, { token, password: 'third horse battery' });
    await expect(second).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('lifts the lock-out with the reset', async () => {
    const { fixture, user, token } = await resetRequested();
    for (let i = 0; i < 6; i++) {
      await login(fixture.services, { identifier: user.username, password: 'wrong', userAgent: 'test' }).catch(
        () => {},
      );
    }
    await resetPassword(fixture.services, { token, password: 'another horse battery' });
    const tokens = await login(fixture.services, {
      identifier: user.username,
      password: 'another horse battery',
      userAgent: 'test',
    });
    expect(tokens.user.id).toBe(user.id);
  });
});
