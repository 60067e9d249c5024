// Two-step sign-in through the worker: set up, sign in with a TOTP or recovery code, replay and
// guessing limits, and changes to the factor.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Harness, type TokenBody, createHarness, signedInUser, tokenFromMail } from '../support/harness';
import { codeAt, turnOnTotp } from '../support/totp';

const STEP_MS = 30_000;

/** A signed-in user with TOTP on; the clock is moved to the start of a fresh step. */
async function userWithTotp(harness: Harness) {
  const { identity, tokens } = await signedInUser(harness, 'mfa');
  return { identity, tokens, ...(await turnOnTotp(harness, tokens, identity.password)) };
}

async function passwordStep(harness: Harness, identity: { username: string; password: string }) {
  const response = await harness.request('/auth/login', {
    method: 'POST',
    json: { identifier: identity.username, password: identity.password },
  });
  return { response, body: (await response.json()) as { code: string; mfaToken: string; methods: string[] } };
}

function verify(harness: Harness, mfaToken: string, code: string) {
  return harness.request('/auth/mfa/verify', { method: 'POST', json: { mfaToken, code } });
}

describe('two-step sign-in', () => {
  it('sets up TOTP with a base32 secret and an otpauth URI, and confirms it with a code', async () => {
    const harness = createHarness();
    const { identity, tokens, secret, otpauthUri, recoveryCodes } = await userWithTotp(harness);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toBe(
      `otpauth://totp/Latchkey:${identity.username}?secret=${secret}&issuer=Latchkey&algorithm=SHA1&digits=6&period=30`,
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const status = await harness.request('/auth/mfa', { token: tokens.accessToken });
    expect(await status.json()).toMatchObject({ totp: { enabled: true }, recoveryCodes: { remaining: 10 } });
    expect(harness.logs.some((line) => line.includes('"mfa.enabled"'))).toBe(true);
    expect(harness.logs.join('\n')).not.toContain(secret);
  });

  it('stores the secret only encrypted and the recovery codes only as digests', async () => {
    const harness = createHarness();
    const { tokens, secret, recoveryCodes } = await userWithTotp(harness);
    const factor = await env.DB.prepare('select secret_ciphertext from totp_factors where user_id = ?1')
      .bind(tokens.user.id)
      .first<{ secret_ciphertext: string }>();
    expect(factor!.secret_ciphertext).toMatch(/^v1\./);
    expect(factor!.secret_ciphertext).not.toContain(secret);
    const { results } = await env.DB.prepare('select code_digest from recovery_codes where user_id = ?1')
      .bind(tokens.user.id)
      .all<{ code_digest: string }>();
    expect(results).toHaveLength(10);
    const stored = results.map((row) => row.code_digest).join(' ');
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replaceAll('-', ''));
  });

  it('answers mfa_required with an mfaToken and no tokens or cookies after the right password', async () => {
    const harness = createHarness();
    const { identity } = await userWithTotp(harness);
    const { response, body } = await passwordStep(harness, identity);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(body).toMatchObject({ code: 'mfa_required', methods: ['totp', 'recovery_code'] });
    expect(body.mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).not.toHaveProperty('accessToken');
  });

  it('signs in with the mfaToken and a TOTP code, setting the session cookies', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    const { body } = await passwordStep(harness, identity);
    const response = await verify(harness, body.mfaToken, await codeAt(secret, harness));
    expect(response.status).toBe(200);
    expect(((await response.json()) as TokenBody).user.username).toBe(identity.username);
    expect(response.headers.get('set-cookie')).toContain('__Host-latchkey-access=');
  });

  it('lets ten parallel verifies with one code sign in once', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    const { body } = await passwordStep(harness, identity);
    const code = await codeAt(secret, harness);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(harness, body.mfaToken, code)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
  });

  it('refuses a code already used for a sign-in, even with a new mfaToken', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    const code = await codeAt(secret, harness);
    const first = await passwordStep(harness, identity);
    expect((await verify(harness, first.body.mfaToken, code)).status).toBe(200);
    const second = await passwordStep(harness, identity);
    const replay = await verify(harness, second.body.mfaToken, code);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'invalid_code' });
  });

  it('accepts a code one step off for clock drift and refuses one two steps off', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    harness.clock.advance(5 * STEP_MS);
    const early = await passwordStep(harness, identity);
    expect((await verify(harness, early.body.mfaToken, await codeAt(secret, harness, -2))).status).toBe(401);
    expect((await verify(harness, early.body.mfaToken, await codeAt(secret, harness, 2))).status).toBe(401);
    expect((await verify(harness, early.body.mfaToken, await codeAt(secret, harness, -1))).status).toBe(200);
    harness.clock.advance(5 * STEP_MS);
    const late = await passwordStep(harness, identity);
    expect((await verify(harness, late.body.mfaToken, await codeAt(secret, harness, 1))).status).toBe(200);
  });

  it('spends an mfaToken after five wrong codes', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    const { body } = await passwordStep(harness, identity);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await verify(harness, body.mfaToken, '000000')).status).toBe(401);
    }
    const after = await verify(harness, body.mfaToken, await codeAt(secret, harness));
    expect(after.status).toBe(400);
    expect(await after.json()).toMatchObject({ code: 'invalid_token' });
    expect(harness.logs.filter((line) => line.includes('"mfa.challenge_failed"'))).toHaveLength(5);
  });

  it('refuses an mfaToken after five minutes', async () => {
    const harness = createHarness();
    const { identity, secret } = await userWithTotp(harness);
    const { body } = await passwordStep(harness, identity);
    harness.clock.advance(5 * 60_000 + 1);
    const response = await verify(harness, body.mfaToken, await codeAt(secret, harness));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('locks the account after repeated wrong codes like wrong passwords', async () => {
    const harness = createHarness({ env: { LOGIN_MAX_FAILURES: '4' } });
    const { identity, secret } = await userWithTotp(harness);
    const { body } = await passwordStep(harness, identity);
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push((await verify(harness, body.mfaToken, '000000')).status);
    const right = await verify(harness, body.mfaToken, await codeAt(secret, harness));
    expect(statuses).toContain(401);
    expect(right.status).toBe(429);
  });

  it('signs in once with a recovery code typed in any case without separators', async () => {
    const harness = createHarness();
    const { identity, tokens, recoveryCodes } = await userWithTotp(harness);
    const typed = recoveryCodes[0]!.replaceAll('-', '').toLowerCase();
    const first = await passwordStep(harness, identity);
    expect((await verify(harness, first.body.mfaToken, typed)).status).toBe(200);
    const second = await passwordStep(harness, identity);
    expect((await verify(harness, second.body.mfaToken, recoveryCodes[0]!)).status).toBe(401);
    const status = await harness.request('/auth/mfa', { token: tokens.accessToken });
    expect(await status.json()).toMatchObject({ recoveryCodes: { remaining: 9 } });
    expect(harness.logs.filter((line) => line.includes('"mfa.recovery_code_used"'))).toHaveLength(1);
  });

  it('keeps asking for a code after a password reset', async () => {
    const harness = createHarness();
    const { identity } = await userWithTotp(harness);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    const reset = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token, password: 'a brand new passphrase' },
    });
    expect(reset.status).toBe(200);
    const { response, body } = await passwordStep(harness, { ...identity, password: 'a brand new passphrase' });
    expect(response.status).toBe(403);
    expect(body.code).toBe('mfa_required');
  });

  it('ends a sign-in pending its code when the password is reset, spending neither code nor session', async () => {
    const harness = createHarness();
    const { identity, recoveryCodes } = await userWithTotp(harness);
    const pending = await passwordStep(harness, identity);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    const newPassword = 'a brand new passphrase';
    expect(
      (await harness.request('/auth/reset-password', { method: 'POST', json: { token, password: newPassword } }))
        .status,
    ).toBe(200);

    const late = await verify(harness, pending.body.mfaToken, recoveryCodes[0]!);
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ code: 'invalid_token' });
    // The code was not spent: the new password's sign-in completes with it.
    const fresh = await passwordStep(harness, { ...identity, password: newPassword });
    const signedIn = await verify(harness, fresh.body.mfaToken, recoveryCodes[0]!);
    expect(signedIn.status).toBe(200);
    const { accessToken } = (await signedIn.json()) as TokenBody;
    const sessions = await harness.request('/auth/sessions', { token: accessToken });
    expect(((await sessions.json()) as { sessions: unknown[] }).sessions).toHaveLength(1);
  });

  it('ends the other sessions when TOTP is turned on, keeping the current one', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'mfa');
    const other = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const otherTokens = (await other.json()) as TokenBody;
    const setup = await harness.request('/auth/mfa/totp/setup', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    const { secret } = (await setup.json()) as { secret: string };
    await harness.request('/auth/mfa/totp/confirm', {
      method: 'POST',
      token: tokens.accessToken,
      json: { code: await codeAt(secret, harness) },
    });
    expect((await harness.request('/auth/mfa', { token: tokens.accessToken })).status).toBe(200);
    expect((await harness.request('/auth/mfa', { token: otherTokens.accessToken })).status).toBe(401);
  });

  it('refuses to set up again while TOTP is on, and refuses a wrong password', async () => {
    const harness = createHarness();
    const { identity, tokens } = await userWithTotp(harness);
    const again = await harness.request('/auth/mfa/totp/setup', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    expect(again.status).toBe(409);
    const wrong = await harness.request('/auth/mfa/totp/setup', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('regenerates recovery codes with password and code, and the old ones stop working', async () => {
    const harness = createHarness();
    const { identity, tokens, secret, recoveryCodes } = await userWithTotp(harness);
    const response = await harness.request('/auth/mfa/recovery-codes', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: identity.password, code: await codeAt(secret, harness) },
    });
    expect(response.status).toBe(200);
    const fresh = ((await response.json()) as { recoveryCodes: string[] }).recoveryCodes;
    expect(fresh).toHaveLength(10);
    const { body } = await passwordStep(harness, identity);
    expect((await verify(harness, body.mfaToken, recoveryCodes[1]!)).status).toBe(401);
    expect((await verify(harness, body.mfaToken, fresh[0]!)).status).toBe(200);
    expect(harness.logs.some((line) => line.includes('"mfa.recovery_codes_regenerated"'))).toBe(true);
  });

  it('turns TOTP off with password and a recovery code; sign-in then needs the password only', async () => {
    const harness = createHarness();
    const { identity, tokens, recoveryCodes } = await userWithTotp(harness);
    const off = await harness.request('/auth/mfa/totp', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: identity.password, code: recoveryCodes[2]! },
    });
    expect(off.status).toBe(204);
    const { response } = await passwordStep(harness, identity);
    expect(response.status).toBe(200);
    const status = await harness.request('/auth/mfa', { token: tokens.accessToken });
    expect(await status.json()).toEqual({ totp: { enabled: false, enabledAt: null }, recoveryCodes: { remaining: 0 } });
    expect(harness.logs.some((line) => line.includes('"mfa.disabled"'))).toBe(true);
  });

  it('refuses a wrong code when confirming, leaving TOTP off', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'mfa');
    await harness.request('/auth/mfa/totp/setup', {
      method: 'POST',
      token: tokens.accessToken,
      json: { password: identity.password },
    });
    const confirm = await harness.request('/auth/mfa/totp/confirm', {
      method: 'POST',
      token: tokens.accessToken,
      json: { code: '12345' },
    });
    expect(confirm.status).toBe(401);
    const { response } = await passwordStep(harness, identity);
    expect(response.status).toBe(200);
  });
});
