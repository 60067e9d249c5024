// The admin API and two-step sign-in: support removes the second factors of a user who lost both
// the app and the recovery codes (the owner is mailed), and the user detail lists the factors.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../../src/core/kit/base32';
import { generateTotpCode, totpTimeStep } from '../../src/core/mfa/totp';
import { conformingRequests } from '../support/contract';
import { type Harness, createHarness, signedInUser, RESEND_PRODUCTION_ENV } from '../support/harness';

const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

const adminHarness = () => createHarness({ env: { ADMIN_API_KEY: ADMIN_KEY } });

async function asAdmin(harness: Harness, method: string, path: string) {
  return (await conformingRequests(harness))(method, path, { token: ADMIN_KEY });
}

const codeAt = (secret: string, harness: Harness) =>
  generateTotpCode(decodeBase32(secret)!, totpTimeStep(harness.clock.now()));

/** A signed-in user with a pending TOTP set-up (the secret not yet confirmed). */
async function userWithPendingTotp(harness: Harness) {
  const { identity, tokens } = await signedInUser(harness, 'admfa');
  const setup = await harness.request('/auth/mfa/totp/setup', {
    method: 'POST',
    token: tokens.accessToken,
    json: { password: identity.password },
  });
  expect(setup.status).toBe(200);
  const { secret } = (await setup.json()) as { secret: string };
  return { identity, tokens, secret };
}

/** Confirms the pending set-up through `harness` (which may be another harness on the same D1). */
async function confirmTotp(harness: Harness, accessToken: string, secret: string) {
  const confirm = await harness.request('/auth/mfa/totp/confirm', {
    method: 'POST',
    token: accessToken,
    json: { code: await codeAt(secret, harness) },
  });
  expect(confirm.status).toBe(200);
  return ((await confirm.json()) as { recoveryCodes: string[] }).recoveryCodes;
}

const login = (harness: Harness, identity: { username: string; password: string }) =>
  harness.request('/auth/login', {
    method: 'POST',
    json: { identifier: identity.username, password: identity.password },
  });

async function rowsOf(table: 'totp_factors' | 'recovery_codes' | 'mfa_challenges', userId: string) {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where user_id = ?1`)
    .bind(userId)
    .first<{ n: number }>();
  return row!.n;
}

describe('removing a user’s second factors (DELETE /admin/users/:id/mfa)', () => {
  it('removes TOTP, the recovery codes and pending sign-ins, so the password alone signs in', async () => {
    const harness = adminHarness();
    const { identity, tokens, secret } = await userWithPendingTotp(harness);
    await confirmTotp(harness, tokens.accessToken, secret);
    const pending = await login(harness, identity);
    expect(pending.status).toBe(403);
    const { mfaToken } = (await pending.json()) as { mfaToken: string };
    const userId = tokens.user.id;
    expect(await rowsOf('recovery_codes', userId)).toBe(10);

    const removed = await asAdmin(harness, 'DELETE', `/admin/users/${userId}/mfa`);
    expect(removed.status).toBe(204);

    for (const table of ['totp_factors', 'recovery_codes', 'mfa_challenges'] as const) {
      expect(await rowsOf(table, userId)).toBe(0);
    }
    // The sign-in that was waiting for a code cannot be finished any more.
    const stale = await harness.request('/auth/mfa/verify', {
      method: 'POST',
      json: { mfaToken, code: await codeAt(secret, harness) },
    });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ code: 'invalid_token' });
    const signedIn = await login(harness, identity);
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toMatchObject({ accessToken: expect.any(String) });
    // The user's sessions are left alone; the status shows two-step sign-in off.
    const status = await harness.request('/auth/mfa', { token: tokens.accessToken });
    expect(await status.json()).toEqual({ totp: { enabled: false, enabledAt: null }, recoveryCodes: { remaining: 0 } });
    expect(harness.logs.map((line) => JSON.parse(line) as object)).toContainEqual(
      expect.objectContaining({ event: 'admin.mfa_removed', userId, removed: true }),
    );
    expect(harness.logs.join('\n')).not.toContain(ADMIN_KEY);
  });

  it('answers 404 for an unknown user and 204 for a user without a second factor', async () => {
    const harness = adminHarness();
    const unknown = await asAdmin(harness, 'DELETE', '/admin/users/no-such-user/mfa');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found' });
    const { tokens } = await signedInUser(harness, 'admfa');
    expect((await asAdmin(harness, 'DELETE', `/admin/users/${tokens.user.id}/mfa`)).status).toBe(204);
  });

  it("refuses a user's own access token, even for that user, and keeps the factor", async () => {
    const harness = adminHarness();
    const { tokens, secret } = await userWithPendingTotp(harness);
    await confirmTotp(harness, tokens.accessToken, secret);
    const response = await harness.request(`/admin/users/${tokens.user.id}/mfa`, {
      method: 'DELETE',
      token: tokens.accessToken,
    });
    expect(response.status).toBe(401);
    expect(await rowsOf('totp_factors', tokens.user.id)).toBe(1);
    expect(await rowsOf('recovery_codes', tokens.user.id)).toBe(10);
  });

  it('mails the owner that support turned two-step sign-in off, once for two removals at once', async () => {
    // Set up in development (its mailbox carries the verification link), confirmed in production.
    const dev = createHarness();
    const { identity, tokens, secret } = await userWithPendingTotp(dev);
    const prod = createHarness({ env: { ...RESEND_PRODUCTION_ENV, ADMIN_API_KEY: ADMIN_KEY } });
    prod.clock.current = dev.clock.current;
    await confirmTotp(prod, tokens.accessToken, secret);
    prod.outbound.length = 0;

    const answers = await Promise.all(
      [1, 2].map(() => prod.request(`/admin/users/${tokens.user.id}/mfa`, { method: 'DELETE', token: ADMIN_KEY })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([204, 204]);

    expect(prod.outbound).toHaveLength(1);
    const request = prod.outbound[0]!;
    expect(request.url).toBe('https://api.resend.com/emails');
    expect(request.headers.get('authorization')).toBe('Bearer re_test_key');
    const text =
      `Hello ${identity.username}, two-step sign-in was turned off for your account by support. If this was ` +
      'not you, reset your password now at https://auth.example/forgot-password and contact support.';
    expect(await request.json()).toEqual({
      from: 'Latchkey <auth@example.com>',
      to: [identity.email],
      subject: 'Two-step sign-in is off for your Latchkey account',
      text: `${text}\n`,
      html: `<p>${text}</p>`,
    });
  });

  it('mails nothing when the user had no second factor on', async () => {
    const dev = createHarness();
    const { tokens } = await userWithPendingTotp(dev);
    const prod = createHarness({ env: { ...RESEND_PRODUCTION_ENV, ADMIN_API_KEY: ADMIN_KEY } });
    const removed = await prod.request(`/admin/users/${tokens.user.id}/mfa`, { method: 'DELETE', token: ADMIN_KEY });
    expect(removed.status).toBe(204);
    // The pending set-up went too.
    expect(await rowsOf('totp_factors', tokens.user.id)).toBe(0);
    expect(prod.outbound).toHaveLength(0);
  });
});

describe('the factors of a user (GET /admin/users/:id)', () => {
  it('lists totp once it is on, not while the set-up is pending, and not after support removed it', async () => {
    const harness = adminHarness();
    const { tokens, secret } = await userWithPendingTotp(harness);
    const factors = async () =>
      ((await (await asAdmin(harness, 'GET', `/admin/users/${tokens.user.id}`)).json()) as { factors: string[] })
        .factors;

    expect(await factors()).toEqual(['password']);
    await confirmTotp(harness, tokens.accessToken, secret);
    expect(await factors()).toEqual(['password', 'totp']);
    await asAdmin(harness, 'DELETE', `/admin/users/${tokens.user.id}/mfa`);
    expect(await factors()).toEqual(['password']);
  });
});
