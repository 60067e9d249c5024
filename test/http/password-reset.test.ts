// Recovering a forgotten password through the worker.
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser, tokenFromMail, uniqueIdentity } from '../support/harness';

const TEN_MINUTES = 10 * 60 * 1000;

describe('password reset', () => {
  async function resetRequested() {
    const harness = createHarness();
    const signedIn = await signedInUser(harness);
    const response = await harness.request('/auth/forgot-password', {
      method: 'POST',
      json: { email: signedIn.identity.email },
    });
    expect(response.status).toBe(202);
    const token = await tokenFromMail(harness, signedIn.identity.email, '/reset-password');
    return { harness, ...signedIn, token };
  }

  it('sets the new password, refuses the old one and revokes every session', async () => {
    const { harness, identity, tokens, token } = await resetRequested();
    const reset = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a whole new password' },
    });
    expect(reset.status).toBe(200);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect(
      (await harness.request('/auth/refresh', { method: 'POST', json: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(400);
    const old = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(old.status).toBe(401);
    const fresh = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'a whole new password' },
    });
    expect(fresh.status).toBe(200);
  });

  it('revokes even a session created a moment before the reset', async () => {
    const { harness, identity, token } = await resetRequested();
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const late = (await login.json()) as TokenBody;
    await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a whole new password' },
    });
    expect((await harness.request('/me', { token: late.accessToken })).status).toBe(401);
  });

  it('accepts a reset token once', async () => {
    const { harness, token } = await resetRequested();
    await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a whole new password' },
    });
    const again = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'another new password' },
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('gives exactly one success and one password change to two concurrent resets with one token', async () => {
    const { harness, identity, token } = await resetRequested();
    const results = await Promise.all([
      harness.request('/auth/reset-password', { method: 'POST', json: { token, password: 'first new password' } }),
      harness.request('/auth/reset-password', { method: 'POST', json: { token, password: 'second new password' } }),
    ]);
    expect(results.map((response) => response.status).sort()).toEqual([200, 400]);
    const winner = results[0]!.status === 200 ? 'first new password' : 'second new password';
    const loser = winner === 'first new password' ? 'second new password' : 'first new password';
    const login = (password: string) =>
      harness.request('/auth/login', { method: 'POST', json: { identifier: identity.username, password } });
    expect((await login(winner)).status).toBe(200);
    expect((await login(loser)).status).toBe(401);
  });

  it('answers 403 token_expired after ten minutes', async () => {
    const { harness, token } = await resetRequested();
    harness.clock.advance(TEN_MINUTES + 1000);
    const response = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a whole new password' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'token_expired' });
  });

  it('refuses a reset token at verify-email', async () => {
    const { harness, token } = await resetRequested();
    const response = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(response.status).toBe(400);
  });

  it('answers 202 for an unknown email and mails nobody', async () => {
    const harness = createHarness();
    const email = uniqueIdentity().email;
    const response = await harness.request('/auth/forgot-password', { method: 'POST', json: { email } });
    expect(response.status).toBe(202);
    expect((await harness.mailbox()).some((mail) => mail.to === email)).toBe(false);
  });
});
