import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, signedInUser, tokenFromMail, uniqueIdentity } from './support/harness';

const TEN_MINUTES = 10 * 60 * 1000;

describe('register', () => {
  it('creates an unverified user, answers 201 and mails a verification link built from APP_URL', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity();
    const response = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ username: identity.username, email: identity.email, emailVerified: false });
    expect(body.user).not.toHaveProperty('passwordHash');
    const mail = (await harness.mailbox()).find((message) => message.to === identity.email);
    expect(mail?.text).toMatch(/https:\/\/app\.example\/verify-email\?token=[A-Za-z0-9_-]{43}/);
  });

  it('lowercases the username and trims and lowercases the email', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('Mixed');
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: { ...identity, username: identity.username.toUpperCase(), email: `  ${identity.email.toUpperCase()} ` },
    });
    const body = (await response.json()) as { user: { username: string; email: string } };
    expect(body.user.username).toBe(identity.username.toLowerCase());
    expect(body.user.email).toBe(identity.email.toLowerCase());
  });

  it('answers 409 conflict for a taken username in another case, naming the field', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity();
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const again = await harness.request('/auth/register', {
      method: 'POST',
      json: { ...uniqueIdentity(), username: identity.username.toUpperCase() },
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'conflict', errors: [{ field: 'username' }] });
  });

  it('lets one of two concurrent registrations of one username win and answers the other 409', async () => {
    const harness = createHarness();
    const username = uniqueIdentity('race').username;
    const [first, second] = await Promise.all([
      harness.request('/auth/register', { method: 'POST', json: { ...uniqueIdentity(), username } }),
      harness.request('/auth/register', { method: 'POST', json: { ...uniqueIdentity(), username } }),
    ]);
    expect([first!.status, second!.status].sort()).toEqual([201, 409]);
  });

  it('answers 400 validation_failed with a message per field', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: { username: 'a b', email: 'not-an-email', password: 'short' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((issue) => issue.field).sort()).toEqual(['email', 'password', 'username']);
  });

  it('refuses passwords over 128 characters instead of truncating them', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/register', {
      method: 'POST',
      json: { ...uniqueIdentity(), password: 'x'.repeat(129) },
    });
    expect(response.status).toBe(400);
  });

  it('works under the /user/register alias', async () => {
    const harness = createHarness();
    const response = await harness.request('/user/register', { method: 'POST', json: uniqueIdentity() });
    expect(response.status).toBe(201);
  });
});

describe('email verification', () => {
  async function registered() {
    const harness = createHarness();
    const identity = uniqueIdentity();
    await harness.request('/auth/register', { method: 'POST', json: identity });
    return { harness, identity, token: await tokenFromMail(harness, identity.email, '/verify-email') };
  }

  it('verifies the email with the mailed token', async () => {
    const { harness, token } = await registered();
    const response = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { emailVerified: true } });
  });

  it('refuses a token used twice with 400 invalid_token', async () => {
    const { harness, token } = await registered();
    await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    const again = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('answers 403 token_expired after ten minutes, and still a day later', async () => {
    const { harness, token } = await registered();
    harness.clock.advance(TEN_MINUTES + 1000);
    const late = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ code: 'token_expired' });
    harness.clock.advance(23 * 60 * 60 * 1000);
    const later = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(later.status).toBe(403);
  });

  it('accepts the token just before it expires', async () => {
    const { harness, token } = await registered();
    harness.clock.advance(TEN_MINUTES - 1000);
    const response = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(response.status).toBe(200);
  });

  it('refuses an unknown token with 400 invalid_token', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/verify-email', { method: 'POST', json: { token: 'A'.repeat(43) } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a verification token at reset-password', async () => {
    const { harness, token } = await registered();
    const response = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a whole new password' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('resends a verification mail for an unverified address, and answers 202 for any address', async () => {
    const { harness, identity } = await registered();
    const before = (await harness.mailbox()).filter((mail) => mail.to === identity.email).length;
    const known = await harness.request('/auth/resend-verification', {
      method: 'POST',
      json: { email: identity.email },
    });
    const unknown = await harness.request('/auth/resend-verification', {
      method: 'POST',
      json: { email: uniqueIdentity().email },
    });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toEqual(await known.json());
    expect((await harness.mailbox()).filter((mail) => mail.to === identity.email).length).toBe(before + 1);
  });

  it('shows a confirm form on GET without consuming the token', async () => {
    const { harness, token } = await registered();
    const page = await harness.request(`/verify-email?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/verify-email">');
    const api = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    expect(api.status).toBe(200);
  });
});

describe('login', () => {
  it('answers tokens for a verified user by username or email, and via every alias', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    const attempts = [
      ['/auth/login', { identifier: identity.email.toUpperCase(), password: identity.password }],
      ['/auth/login', { username: identity.username, password: identity.password }],
      ['/auth/login', { email: identity.email, password: identity.password }],
      ['/auth/signin', { identifier: identity.username, password: identity.password }],
      ['/login', { identifier: identity.username, password: identity.password }],
    ] as const;
    for (const [path, json] of attempts) {
      const response = await harness.request(path, { method: 'POST', json });
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as TokenBody;
      expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, user: { username: identity.username } });
      expect(body.accessToken.split('.')).toHaveLength(3);
    }
  });

  it('gives identical 401 answers for a wrong password and an unknown user', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    const wrong = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'not the password' },
    });
    const unknown = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: 'nobody_here', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('reports email_not_verified only to someone with the right password', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity();
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const wrong = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'not the password' },
    });
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });
    const right = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(right.status).toBe(403);
    expect(await right.json()).toMatchObject({ code: 'email_not_verified' });
  });

  it('asks for exactly one identifier', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/login', {
      method: 'POST',
      json: { username: 'someone', email: 'someone@example.com', password: 'whatever password' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'identifier' }] });
  });
});

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
