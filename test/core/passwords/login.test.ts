// Login as a plain function call: the lock-out, and the reserve-before-hash rule under a burst.
import { describe, expect, it } from 'vitest';
import { register } from '../../../src/core/accounts/accounts';
import { login } from '../../../src/core/passwords/login';
import { authenticate } from '../../../src/core/sessions/session-flows';
import { createCoreServices, verifiedUser } from '../../support/core-services';

const userAgent = 'test';

describe('login (core)', () => {
  it('starts a session whose access token authenticates', async () => {
    const fixture = createCoreServices();
    const user = await verifiedUser(fixture);
    const tokens = await login(fixture.services, { identifier: user.email, password: user.password, userAgent });
    const auth = await authenticate(fixture.services, tokens.accessToken);
    expect(auth.user.id).toBe(user.id);
  });

  it('refuses a wrong password and an unknown identifier alike', async () => {
    const fixture = createCoreServices();
    const user = await verifiedUser(fixture);
    const wrong = login(fixture.services, { identifier: user.username, password: 'wrong password', userAgent });
    const unknown = login(fixture.services, { identifier: 'nobody', password: 'wrong password', userAgent });
    await expect(wrong).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(unknown).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(fixture.checks).toEqual({ verify: 1, verifyDummy: 1 });
  });

  it('refuses an unverified account only after the right password', async () => {
    const fixture = createCoreServices();
    const identity = { username: 'bob', email: 'bob@example.com', password: 'correct horse battery' };
    await register(fixture.services, identity);
    const attempt = login(fixture.services, { identifier: 'bob', password: identity.password, userAgent });
    await expect(attempt).rejects.toMatchObject({ code: 'email_not_verified' });
  });

  it('locks the identifier after the limit of wrong passwords, even for the right one', async () => {
    const fixture = createCoreServices({ maxFailures: 3 });
    const user = await verifiedUser(fixture);
    for (let i = 0; i < 3; i++) {
      await login(fixture.services, { identifier: user.username, password: 'wrong password', userAgent }).catch(
        () => {},
      );
    }
    const right = login(fixture.services, { identifier: user.username, password: user.password, userAgent });
    await expect(right).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 900 });
  });

  it('lets the right password in again once the lock-out is over', async () => {
    const fixture = createCoreServices({ maxFailures: 3 });
    const user = await verifiedUser(fixture);
    for (let i = 0; i < 4; i++) {
      await login(fixture.services, { identifier: user.username, password: 'wrong password', userAgent }).catch(
        () => {},
      );
    }
    fixture.clock.advance(900_000);
    const tokens = await login(fixture.services, { identifier: user.username, password: user.password, userAgent });
    expect(tokens.user.id).toBe(user.id);
  });

  it('runs no more password checks than the limit for a burst of parallel guesses', async () => {
    const fixture = createCoreServices({ maxFailures: 5 });
    const user = await verifiedUser(fixture);
    const guesses = Array.from({ length: 20 }, (_, i) =>
      login(fixture.services, { identifier: user.username, password: `guess ${i}`, userAgent }).catch((error) => error),
    );
    const answers = await Promise.all(guesses);
    expect(fixture.checks.verify).toBe(5);
    expect(answers.filter((error) => error.code === 'rate_limited')).toHaveLength(15);
  });

  it('shares the account counter between its username and its email', async () => {
    const fixture = createCoreServices({ maxFailures: 3 });
    const user = await verifiedUser(fixture);
    for (let i = 0; i < 3; i++) {
      await login(fixture.services, { identifier: user.username, password: 'wrong password', userAgent }).catch(
        () => {},
      );
    }
    // The email's own counter is fresh, so the answer is a wrong password, not a lock.
    const byEmail = login(fixture.services, { identifier: user.email, password: user.password, userAgent });
    await expect(byEmail).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(fixture.checks.verify).toBe(3);
  });
});
