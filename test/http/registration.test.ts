// Registering and verifying the email address, through the worker.
import { describe, expect, it } from 'vitest';
import { createHarness, tokenFromMail, uniqueIdentity } from '../support/harness';

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
