// Two-step sign-in for the HTTP tests: the current code of a secret, and turning TOTP on for a
// signed-in user through the API.
import { expect } from 'vitest';
import { decodeBase32 } from '../../src/core/kit/base32';
import { generateTotpCode, totpTimeStep } from '../../src/core/mfa/totp';
import type { Harness, TokenBody } from './harness';

const STEP_MS = 30_000;

/** The code of `secret` at the harness's time, `stepOffset` steps away. */
export function codeAt(secret: string, harness: Harness, stepOffset = 0): Promise<string> {
  return generateTotpCode(decodeBase32(secret)!, totpTimeStep(harness.clock.now()) + stepOffset);
}

/**
 * Sets up and confirms TOTP for a signed-in user; the clock then moves to a fresh step, since
 * the confirming code's step is spent and sign-ins below use the next one.
 */
export async function turnOnTotp(harness: Harness, tokens: TokenBody, password: string) {
  const setup = await harness.request('/auth/mfa/totp/setup', {
    method: 'POST',
    token: tokens.accessToken,
    json: { password },
  });
  expect(setup.status).toBe(200);
  const { secret, otpauthUri } = (await setup.json()) as { secret: string; otpauthUri: string };
  const confirm = await harness.request('/auth/mfa/totp/confirm', {
    method: 'POST',
    token: tokens.accessToken,
    json: { code: await codeAt(secret, harness) },
  });
  expect(confirm.status).toBe(200);
  const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
  harness.clock.advance(STEP_MS);
  return { secret, otpauthUri, recoveryCodes, code: () => codeAt(secret, harness) };
}
