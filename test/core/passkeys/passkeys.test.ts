// Passkeys as plain function calls against the memory storage: adding one after the password,
// signing in with it (no second factor, the password lock-out untouched), and the single-use rules.
import { describe, expect, it } from 'vitest';
import { getUser } from '../../../src/core/admin/admin';
import { login } from '../../../src/core/passwords/login';
import { finishPasskeySignIn, startPasskeySignIn } from '../../../src/core/passkeys/passkey-signin';
import {
  finishPasskeyRegistration,
  removePasskey,
  startPasskeyRegistration,
} from '../../../src/core/passkeys/passkeys';
import { authenticate } from '../../../src/core/sessions/session-flows';
import { type CoreFixture, createCoreServices, verifiedUser } from '../../support/core-services';
import { SoftwareAuthenticator } from '../../support/software-authenticator';

const userAgent = 'test';

async function signedIn(fixture: CoreFixture) {
  const user = await verifiedUser(fixture);
  const tokens = await login(fixture.services, { identifier: user.email, password: user.password, userAgent });
  return { user, auth: await authenticate(fixture.services, tokens.accessToken) };
}

async function withPasskey(fixture: CoreFixture, options: { counter?: boolean } = {}) {
  const { user, auth } = await signedIn(fixture);
  const authenticator = new SoftwareAuthenticator({ origin: 'https://app.example', ...options });
  const started = await startPasskeyRegistration(fixture.services, auth, { password: user.password });
  const credential = await authenticator.register(started.options);
  const passkey = await finishPasskeyRegistration(fixture.services, auth, {
    challengeId: started.challengeId,
    credential,
  });
  return { user, auth, authenticator, passkey };
}

async function passkeySignIn(fixture: CoreFixture, authenticator: SoftwareAuthenticator) {
  const { challengeId, options } = await startPasskeySignIn(fixture.services);
  const credential = await authenticator.authenticate(options);
  return finishPasskeySignIn(fixture.services, { challengeId, credential, userAgent });
}

describe('passkeys (core)', () => {
  it('signs in with a registered passkey and starts a session that authenticates', async () => {
    const fixture = createCoreServices();
    const { user, authenticator } = await withPasskey(fixture);
    const tokens = await passkeySignIn(fixture, authenticator);
    expect((await authenticate(fixture.services, tokens.accessToken)).user.id).toBe(user.id);
    // The one success event of every way in, tagged with its method (issue 20; was passkey.signed_in).
    expect(fixture.events).toContainEqual(expect.objectContaining({ event: 'login.succeeded', method: 'passkey' }));
  });

  it('refuses to start a registration with a wrong password, counting it against the lock-out', async () => {
    const fixture = createCoreServices();
    const { auth } = await signedIn(fixture);
    await expect(
      startPasskeyRegistration(fixture.services, auth, { password: 'wrong password' }),
    ).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(fixture.checks.verify).toBe(2);
  });

  it('signs in with a passkey while the password is locked out, and leaves the lock in place', async () => {
    const fixture = createCoreServices({ maxFailures: 2 });
    const { user, authenticator } = await withPasskey(fixture);
    for (let i = 0; i < 2; i++) {
      await login(fixture.services, { identifier: user.email, password: 'wrong password', userAgent }).catch(() => {});
    }
    await expect(passkeySignIn(fixture, authenticator)).resolves.toMatchObject({ tokenType: 'Bearer' });
    await expect(
      login(fixture.services, { identifier: user.email, password: user.password, userAgent }),
    ).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('gives exactly one of two concurrent sign-ins with one challenge a session', async () => {
    const fixture = createCoreServices();
    const { authenticator } = await withPasskey(fixture, { counter: false });
    const { challengeId, options } = await startPasskeySignIn(fixture.services);
    const credential = await authenticator.authenticate(options);
    const results = await Promise.allSettled([
      finishPasskeySignIn(fixture.services, { challengeId, credential, userAgent }),
      finishPasskeySignIn(fixture.services, { challengeId, credential, userAgent }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('refuses a registration challenge issued to another user', async () => {
    const fixture = createCoreServices();
    const alice = await signedIn(fixture);
    const bob = await signedIn(fixture);
    const started = await startPasskeyRegistration(fixture.services, alice.auth, { password: alice.user.password });
    const credential = await new SoftwareAuthenticator({ origin: 'https://app.example' }).register(started.options);
    const attempt = finishPasskeyRegistration(fixture.services, bob.auth, {
      challengeId: started.challengeId,
      credential,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'passkey_refused' });
  });

  it('answers invalid_credentials once the passkey is removed, and mails both changes', async () => {
    const fixture = createCoreServices();
    const { user, auth, authenticator, passkey } = await withPasskey(fixture);
    await removePasskey(fixture.services, auth, passkey.id, { password: user.password });
    await expect(passkeySignIn(fixture, authenticator)).rejects.toMatchObject({ code: 'invalid_credentials' });
    await fixture.settle();
    const notices = fixture.mails.filter((mail) => mail.to === user.email && mail.subject.includes('passkeys'));
    expect(notices).toHaveLength(2);
  });

  it('lists a passkey among the factors support sees, until it is removed', async () => {
    const fixture = createCoreServices();
    const { user, auth, passkey } = await withPasskey(fixture);
    expect((await getUser(fixture.services, user.id)).factors).toEqual(['password', 'passkey']);
    await removePasskey(fixture.services, auth, passkey.id, { password: user.password });
    expect((await getUser(fixture.services, user.id)).factors).toEqual(['password']);
  });

  it('answers email_not_verified for a passkey of an unverified account', async () => {
    const fixture = createCoreServices();
    const { user, authenticator } = await withPasskey(fixture);
    fixture.storage.tables.users.get(user.id)!.emailVerifiedAt = null;
    await expect(passkeySignIn(fixture, authenticator)).rejects.toMatchObject({ code: 'email_not_verified' });
  });
});
