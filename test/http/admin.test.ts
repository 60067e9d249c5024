// The admin API through the worker: off without ADMIN_API_KEY, the key alone opens it (never a
// user's token or cookie), the key opens nothing else, and each action does what support expects.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { userRevocationKey } from '../../src/core/sessions/revocations';
import { isAdminKey } from '../../src/http/require-admin';
import { contractViolations } from '../support/contract';
import type { OpenApiDocument } from '../../src/http/openapi';
import { type Harness, type TokenBody, createHarness, signedInUser, uniqueIdentity } from '../support/harness';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

function adminHarness(env: Parameters<typeof createHarness>[0] = {}) {
  return createHarness({ ...env, env: { ADMIN_API_KEY: ADMIN_KEY, ...env.env } });
}

async function asAdmin(harness: Harness, method: string, path: string) {
  const response = await harness.request(path, { method, token: ADMIN_KEY });
  const document = (await (await harness.request('/openapi.json')).json()) as OpenApiDocument;
  expect(await contractViolations(document, method, path.split('?')[0]!, response)).toEqual([]);
  return response;
}

const login = (harness: Harness, identifier: string, password: string) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password } });

describe('turning the admin API on', () => {
  it('answers 404 on every admin route while ADMIN_API_KEY is unset', async () => {
    const harness = createHarness();
    for (const [method, path] of [
      ['GET', '/admin/users'],
      ['GET', '/admin/users/some-id'],
      ['POST', '/admin/users/some-id/disable'],
      ['DELETE', '/admin/users/some-id'],
    ] as const) {
      const response = await harness.request(path, { method, token: ADMIN_KEY });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('refuses to serve with an ADMIN_API_KEY shorter than 32 characters', async () => {
    const harness = createHarness({ env: { ADMIN_API_KEY: 'too-short' } });
    const response = await harness.request('/admin/users', { token: 'too-short' });
    expect(response.status).toBe(500);
    expect(harness.logs.join('\n')).toContain('ADMIN_API_KEY must be at least 32 characters');
    expect(harness.logs.join('\n')).not.toContain('too-short');
  });
});

describe('who may use the admin API', () => {
  it('refuses a request without the key, with a Bearer challenge', async () => {
    const response = await adminHarness().request('/admin/users');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
  });

  it('refuses a wrong key, a prefix of the key and the key with a character more', async () => {
    const harness = adminHarness();
    for (const wrong of ['x'.repeat(ADMIN_KEY.length), ADMIN_KEY.slice(0, -1), `${ADMIN_KEY}x`]) {
      expect((await harness.request('/admin/users', { token: wrong })).status).toBe(401);
    }
  });

  it('compares keys by digest, so any length compares in the same way', async () => {
    expect(await isAdminKey(ADMIN_KEY, ADMIN_KEY)).toBe(true);
    expect(await isAdminKey(ADMIN_KEY.slice(0, 1), ADMIN_KEY)).toBe(false);
    expect(await isAdminKey(`${ADMIN_KEY}${ADMIN_KEY}`, ADMIN_KEY)).toBe(false);
  });

  it("refuses a user's access token on admin routes", async () => {
    const harness = adminHarness();
    const { tokens } = await signedInUser(harness, 'adm');
    const response = await harness.request('/admin/users', { token: tokens.accessToken });
    expect(response.status).toBe(401);
  });

  it("refuses a user's session cookies on admin routes", async () => {
    const harness = adminHarness();
    const { identity } = await signedInUser(harness, 'adm');
    const signedIn = await login(harness, identity.username, identity.password);
    const cookie = signedIn.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const response = await harness.request('/admin/users', { headers: { cookie, origin: 'https://latchkey.test' } });
    expect(response.status).toBe(401);
  });

  it('refuses the admin key on user routes', async () => {
    const harness = adminHarness();
    expect((await harness.request('/me', { token: ADMIN_KEY })).status).toBe(401);
    expect((await harness.request('/auth/sessions', { token: ADMIN_KEY })).status).toBe(401);
    expect((await harness.request('/auth/logout-all', { method: 'POST', token: ADMIN_KEY })).status).toBe(401);
  });

  it('shares one per-client rate limit across the admin routes', async () => {
    const refusing = { limit: async () => ({ success: false }) } as unknown as RateLimit;
    const harness = adminHarness({ env: { RATE_LIMIT_ADMIN: refusing } });
    const response = await harness.request('/admin/users', { token: ADMIN_KEY });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('counts each admin request once against the limit, whichever admin route it asks', async () => {
    let calls = 0;
    const counting = { limit: async () => ({ success: (calls += 1) > 0 }) } as unknown as RateLimit;
    const harness = adminHarness({ env: { RATE_LIMIT_ADMIN: counting } });
    for (const path of ['/admin/users', '/admin/webhooks', '/admin/oauth/clients']) {
      calls = 0;
      expect((await harness.request(path, { token: ADMIN_KEY })).status, path).toBe(200);
      expect(calls, path).toBe(1);
    }
  });

  it('logs every admin action as an admin.* event without the key', async () => {
    const harness = adminHarness();
    const { tokens } = await signedInUser(harness, 'adm');
    await asAdmin(harness, 'POST', `/admin/users/${tokens.user.id}/disable`);
    await harness.request('/admin/users', { token: 'wrong-key-wrong-key-wrong-key-wrong' });
    const events = harness.logs.map((line) => JSON.parse(line) as { event: string; userId?: string });
    expect(events).toContainEqual(expect.objectContaining({ event: 'admin.user_disabled', userId: tokens.user.id }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'admin.refused' }));
    expect(harness.logs.join('\n')).not.toContain(ADMIN_KEY);
    expect(harness.logs.join('\n')).not.toContain('wrong-key');
  });
});

describe('what the admin API does', () => {
  it('lists users by username or email prefix, newest first, a page at a time', async () => {
    const harness = adminHarness();
    const prefix = `pg${crypto.randomUUID().slice(0, 8)}`;
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const identity = { ...uniqueIdentity(prefix), username: `${prefix}_${i}` };
      const answer = await harness.request('/auth/register', { method: 'POST', json: identity });
      made.push(((await answer.json()) as { user: { id: string } }).user.id);
      harness.clock.advance(1000);
    }
    const first = await asAdmin(harness, 'GET', `/admin/users?query=${prefix}&limit=2`);
    const page1 = (await first.json()) as { users: { id: string }[]; nextCursor: string | null };
    expect(page1.users.map((user) => user.id)).toEqual([made[2], made[1]]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await asAdmin(harness, 'GET', `/admin/users?query=${prefix}&limit=2&cursor=${page1.nextCursor}`);
    const page2 = (await second.json()) as { users: { id: string }[]; nextCursor: string | null };
    expect(page2.users.map((user) => user.id)).toEqual([made[0]]);
    expect(page2.nextCursor).toBeNull();
    const byEmail = await asAdmin(harness, 'GET', `/admin/users?query=${prefix.toUpperCase()}.`);
    expect(((await byEmail.json()) as { users: unknown[] }).users).toHaveLength(3);
  });

  it('refuses a limit over 100 and a cursor it did not make', async () => {
    const harness = adminHarness();
    expect((await asAdmin(harness, 'GET', '/admin/users?limit=101')).status).toBe(400);
    const forged = await asAdmin(harness, 'GET', '/admin/users?cursor=not-a-cursor');
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('shows one user with the verified flag, the session count and the factors', async () => {
    const harness = adminHarness();
    const { tokens } = await signedInUser(harness, 'adm');
    const response = await asAdmin(harness, 'GET', `/admin/users/${tokens.user.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: tokens.user.id,
      emailVerified: true,
      disabled: false,
      sessionCount: 1,
      factors: ['password'],
    });
    expect((await asAdmin(harness, 'GET', '/admin/users/no-such-user')).status).toBe(404);
  });

  it('disables a user: sessions end, refresh is refused, and sign-in answers account_disabled', async () => {
    const harness = adminHarness();
    const { identity, tokens } = await signedInUser(harness, 'adm');
    const disabled = await asAdmin(harness, 'POST', `/admin/users/${tokens.user.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ user: { disabled: true } });

    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    const refreshed = await harness.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: tokens.refreshToken },
    });
    expect(refreshed.status).toBe(400);
    const right = await login(harness, identity.username, identity.password);
    expect(right.status).toBe(403);
    expect(await right.json()).toMatchObject({ code: 'account_disabled' });
    const wrong = await login(harness, identity.username, 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });
    const detail = await asAdmin(harness, 'GET', `/admin/users/${tokens.user.id}`);
    expect(await detail.json()).toMatchObject({ sessionCount: 0, disabled: true });

    expect((await asAdmin(harness, 'POST', `/admin/users/${tokens.user.id}/enable`)).status).toBe(200);
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
  });

  it('publishes that every session of a disabled user ended, for verifying Workers', async () => {
    const harness = adminHarness();
    const { tokens } = await signedInUser(harness, 'adm');
    await asAdmin(harness, 'POST', `/admin/users/${tokens.user.id}/disable`);
    expect(await env.REVOCATIONS!.get(userRevocationKey(tokens.user.id))).toBe(
      String(Math.ceil(harness.clock.now() / 1000)),
    );
  });

  it('ends every session of a user', async () => {
    const harness = adminHarness();
    const { identity, tokens } = await signedInUser(harness, 'adm');
    const second = (await (await login(harness, identity.email, identity.password)).json()) as TokenBody;
    expect((await asAdmin(harness, 'POST', `/admin/users/${tokens.user.id}/sessions/revoke`)).status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await harness.request('/me', { token: second.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
  });

  it('deletes a user as DELETE /me does', async () => {
    const harness = adminHarness();
    const { identity, tokens } = await signedInUser(harness, 'adm');
    expect((await asAdmin(harness, 'DELETE', `/admin/users/${tokens.user.id}`)).status).toBe(204);
    expect((await harness.request('/me', { token: tokens.accessToken })).status).toBe(401);
    expect((await login(harness, identity.username, identity.password)).status).toBe(401);
    expect((await asAdmin(harness, 'GET', `/admin/users/${tokens.user.id}`)).status).toBe(404);
    expect((await asAdmin(harness, 'DELETE', `/admin/users/${tokens.user.id}`)).status).toBe(404);
  });

  it('marks an address verified, so the user can sign in', async () => {
    const harness = adminHarness();
    const identity = uniqueIdentity('adm');
    const registered = await harness.request('/auth/register', { method: 'POST', json: identity });
    const { user } = (await registered.json()) as { user: { id: string } };
    expect((await login(harness, identity.username, identity.password)).status).toBe(403);
    const verified = await asAdmin(harness, 'POST', `/admin/users/${user.id}/verify-email`);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ user: { emailVerified: true } });
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
  });
});
