// Refresh-token reuse and managing sessions, through the worker.
import { describe, expect, it } from 'vitest';
import { type Harness, type TokenBody, createHarness, signedInUser, tokenFromMail } from '../support/harness';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

describe('refresh-token reuse', () => {
  it('gives a repeat within the grace window its own working token, as for two tabs', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const refresh = (refreshToken: string) =>
      harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });
    const [tabA, tabB] = await Promise.all([refresh(tokens.refreshToken), refresh(tokens.refreshToken)]);
    expect(tabA!.status).toBe(200);
    expect(tabB!.status).toBe(200);
    const a = (await tabA!.json()) as TokenBody;
    const b = (await tabB!.json()) as TokenBody;
    expect(a.refreshToken).not.toBe(b.refreshToken);
    harness.clock.advance(5 * 60 * 1000);
    expect((await refresh(a.refreshToken)).status).toBe(200);
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });

  it('revokes the whole session when a rotated token comes back after the grace window', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const refresh = (refreshToken: string) =>
      harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });
    const legit = (await (await refresh(tokens.refreshToken)).json()) as TokenBody;
    harness.clock.advance(31_000);
    expect((await refresh(tokens.refreshToken)).status).toBe(400);
    expect((await harness.request('/me', { token: legit.accessToken })).status).toBe(401);
    expect((await refresh(legit.refreshToken)).status).toBe(400);
    expect(harness.logs.some((line) => line.includes('"refresh.reused"'))).toBe(true);
  });
});

describe('session management', () => {
  it('lists the caller’s sessions with the current one marked', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    await login(harness, identity.username, identity.password, {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
    });
    const response = await harness.request('/auth/sessions', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    const { sessions } = (await response.json()) as { sessions: { id: string; current: boolean; userAgent: string }[] };
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    expect(sessions.map((session) => session.userAgent)).toContain('Firefox on Linux');
  });

  it('revokes one session by id, and 404s for a session that is not the caller’s', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const { sessions } = (await (await harness.request('/auth/sessions', { token: tokens.accessToken })).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const otherId = sessions.find((session) => !session.current)!.id;
    const stranger = await signedInUser(harness, 'stranger');
    expect(
      (await harness.request(`/auth/sessions/${otherId}`, { method: 'DELETE', token: stranger.tokens.accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await harness.request(`/auth/sessions/${otherId}`, { method: 'DELETE', token: tokens.accessToken })).status,
    ).toBe(204);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(200);
  });

  it('signs out every session with logout-all', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    expect((await harness.request('/auth/logout-all', { method: 'POST', token: tokens.accessToken })).status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
  });

  it('changes the password, keeps this session, revokes the others and mails a notice', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const other = (await (await login(harness, identity.username, identity.password)).json()) as TokenBody;
    const changed = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: identity.password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(200);
    expect((await harness.request('/me', { token: other.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, 'a brand new passphrase')).status).toBe(200);
    expect(
      (await harness.mailbox()).some((mail) => mail.to === identity.email && mail.subject.includes('was changed')),
    ).toBe(true);
  });

  it('refuses a password change with the wrong current password', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      code: 'invalid_credentials',
      errors: [{ field: 'currentPassword' }],
    });
  });

  it('mails a notice after a password reset too', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a brand new passphrase' },
    });
    expect(
      (await harness.mailbox()).some((mail) => mail.to === identity.email && mail.subject.includes('was changed')),
    ).toBe(true);
  });

  it('deletes the account with the current password', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const wrong = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: 'nope nope nope' },
    });
    expect(wrong.status).toBe(401);
    const deleted = await harness.request('/me', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    expect(deleted.status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, identity.password)).status).toBe(401);
    const again = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(again.status).toBe(201);
  });
});
