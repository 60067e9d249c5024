// Sessions through the worker: refresh, logout, listing and revoking.
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser } from '../support/harness';

const TEN_MINUTES = 10 * 60 * 1000;

describe('sessions', () => {
  it('returns the public user at /me', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const response = await harness.request('/me', { token: tokens.accessToken });
    expect(await response.json()).toEqual({
      id: tokens.user.id,
      username: identity.username,
      email: identity.email,
      emailVerified: true,
      displayName: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('answers 401 unauthorized without a token, with a garbage token and with an expired one', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    expect((await harness.request('/me')).status).toBe(401);
    const garbage = await harness.request('/me', { token: 'a.b.c' });
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toMatchObject({ code: 'unauthorized' });
    harness.clock.advance(TEN_MINUTES + 1000);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
  });

  it('rotates the refresh token; the old one is refused after the grace window', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const first = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as TokenBody;
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect((await harness.request('/me', { token: rotated.accessToken })).status).toBe(200);
    harness.clock.advance(31_000);
    const reused = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('keeps a session alive by refreshing after the access token expired', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    harness.clock.advance(60 * 60 * 1000);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a refresh after the session lifetime', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    harness.clock.advance(31 * 24 * 60 * 60 * 1000);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.status).toBe(400);
  });

  it('logs out: the access and refresh tokens of that session stop working at once', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const other = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: tokens.user.username, password: 'correct horse battery' },
    });
    const otherTokens = (await other.json()) as TokenBody;
    const logout = await harness.request('/auth/logout', { method: 'POST', token: tokens.accessToken });
    expect(logout.status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.status).toBe(400);
    expect((await harness.request('/me', { token: otherTokens.accessToken })).status).toBe(200);
  });

  it('logs out under the /logout alias', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    expect((await harness.request('/logout', { method: 'POST', token: tokens.accessToken })).status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
  });

  it('requires authentication to log out', async () => {
    const harness = createHarness();
    expect((await harness.request('/auth/logout', { method: 'POST' })).status).toBe(401);
  });
});
