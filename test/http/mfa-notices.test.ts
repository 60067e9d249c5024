// The mails two-step sign-in sends, as the exact requests to the Resend API.
import { describe, expect, it } from 'vitest';
import { decodeBase32 } from '../../src/core/kit/base32';
import { generateTotpCode, totpTimeStep } from '../../src/core/mfa/totp';
import { type Harness, createHarness, signedInUser, RESEND_PRODUCTION_ENV } from '../support/harness';

/** Sets up TOTP through a development harness (its mailbox gives the verification link). */
async function pendingTotp(dev: Harness) {
  const { identity, tokens } = await signedInUser(dev, 'notice');
  const setup = await dev.request('/auth/mfa/totp/setup', {
    method: 'POST',
    token: tokens.accessToken,
    json: { password: identity.password },
  });
  const { secret } = (await setup.json()) as { secret: string };
  return { identity, tokens, secret };
}

async function resendBody(harness: Harness) {
  expect(harness.outbound).toHaveLength(1);
  const request = harness.outbound[0]!;
  expect(request.url).toBe('https://api.resend.com/emails');
  expect(request.headers.get('authorization')).toBe('Bearer re_test_key');
  return request.json();
}

function expectedNotice(to: string, subject: string, text: string) {
  return { from: 'Latchkey <auth@example.com>', to: [to], subject, text: `${text}\n`, html: `<p>${text}</p>` };
}

describe('two-step sign-in notices', () => {
  it('mails the owner when TOTP is turned on, when a recovery code is used and when TOTP is turned off', async () => {
    const dev = createHarness();
    const { identity, tokens, secret } = await pendingTotp(dev);
    const prod = createHarness({ env: RESEND_PRODUCTION_ENV });
    prod.clock.current = dev.clock.current;
    const code = await generateTotpCode(decodeBase32(secret)!, totpTimeStep(prod.clock.now()));
    const confirm = await prod.request('/auth/mfa/totp/confirm', {
      method: 'POST',
      token: tokens.accessToken,
      json: { code },
    });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    const tail =
      ' If this was not you, reset your password now at https://auth.example/forgot-password and contact support.';
    expect(await resendBody(prod)).toEqual(
      expectedNotice(
        identity.email,
        'Two-step sign-in is on for your Latchkey account',
        `Hello ${identity.username}, two-step sign-in was turned on for your account, and your other sessions were signed out.${tail}`,
      ),
    );

    prod.outbound.length = 0;
    const login = await prod.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const { mfaToken } = (await login.json()) as { mfaToken: string };
    const verify = await prod.request('/auth/mfa/verify', {
      method: 'POST',
      json: { mfaToken, code: recoveryCodes[0] },
    });
    expect(verify.status).toBe(200);
    expect(await resendBody(prod)).toEqual(
      expectedNotice(
        identity.email,
        'A recovery code was used for your Latchkey account',
        `Hello ${identity.username}, a recovery code was just used to sign in to your account; it cannot be used again.${tail}`,
      ),
    );

    prod.outbound.length = 0;
    const off = await prod.request('/auth/mfa/totp', {
      method: 'DELETE',
      token: tokens.accessToken,
      json: { password: identity.password, code: recoveryCodes[1] },
    });
    expect(off.status).toBe(204);
    expect(await resendBody(prod)).toEqual(
      expectedNotice(
        identity.email,
        'Two-step sign-in is off for your Latchkey account',
        `Hello ${identity.username}, two-step sign-in was turned off for your account, and your other sessions were signed out.${tail}`,
      ),
    );
  });
});
