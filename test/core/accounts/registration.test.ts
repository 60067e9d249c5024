// Registration and email verification as plain function calls against the memory storage.
import { describe, expect, it } from 'vitest';
import { register, resendVerification, verifyEmail } from '../../../src/core/accounts/accounts';
import { AuthError } from '../../../src/core/kit/errors';
import { createCoreServices } from '../../support/core-services';

const identity = { username: 'Alice', email: 'Alice@Example.com', password: 'correct horse battery' };

describe('register (core)', () => {
  it('creates an unverified user with normalised names and mails a verification link', async () => {
    const fixture = createCoreServices();
    const user = await register(fixture.services, identity);
    expect(user).toMatchObject({ username: 'alice', email: 'alice@example.com', emailVerified: false });
    await fixture.settle();
    expect(fixture.tokenFromMail('alice@example.com', '/verify-email')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a username that differs only in case', async () => {
    const fixture = createCoreServices();
    await register(fixture.services, identity);
    const again = register(fixture.services, { ...identity, username: 'ALICE', email: 'other@example.com' });
    await expect(again).rejects.toMatchObject({ code: 'conflict', fieldIssues: [{ field: 'username' }] });
  });

  it('refuses a password the policy refuses, naming the field', async () => {
    const fixture = createCoreServices();
    const short = register(fixture.services, { ...identity, password: 'short' });
    await expect(short).rejects.toMatchObject({ code: 'validation_failed', fieldIssues: [{ field: 'password' }] });
  });
});

describe('verifyEmail (core)', () => {
  it('marks the address verified', async () => {
    const fixture = createCoreServices();
    await register(fixture.services, identity);
    await fixture.settle();
    const verified = await verifyEmail(fixture.services, fixture.tokenFromMail('alice@example.com', '/verify-email'));
    expect(verified.emailVerified).toBe(true);
  });

  it('accepts a verification link once', async () => {
    const fixture = createCoreServices();
    await register(fixture.services, identity);
    await fixture.settle();
    const token = fixture.tokenFromMail('alice@example.com', '/verify-email');
    await verifyEmail(fixture.services, token);
    await expect(verifyEmail(fixture.services, token)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('tells an expired link from an unknown one', async () => {
    const fixture = createCoreServices();
    await register(fixture.services, identity);
    await fixture.settle();
    const token = fixture.tokenFromMail('alice@example.com', '/verify-email');
    fixture.clock.advance(601_000);
    await expect(verifyEmail(fixture.services, token)).rejects.toMatchObject({ code: 'token_expired' });
    await expect(verifyEmail(fixture.services, 'x'.repeat(43))).rejects.toBeInstanceOf(AuthError);
  });

  it('sends no new link to an address already verified', async () => {
    const fixture = createCoreServices();
    await register(fixture.services, identity);
    await fixture.settle();
    await verifyEmail(fixture.services, fixture.tokenFromMail('alice@example.com', '/verify-email'));
    await resendVerification(fixture.services, 'alice@example.com');
    await fixture.settle();
    expect(fixture.mails).toHaveLength(1);
  });
});
