// A failed KV delete after D1 has decided does not change the answer (issue 8).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser, tokenFromMail, uniqueIdentity } from '../support/harness';

async function resetPassword(harness: Harness, email: string, password: string) {
  await harness.request('/auth/forgot-password', { method: 'POST', json: { email } });
  const token = await tokenFromMail(harness, email, '/reset-password');
  return harness.request('/auth/reset-password', { method: 'POST', json: { token, password } });
}

describe('a failed KV delete after the D1 commit', () => {
  // The real namespace, except that every delete fails.
  const failingDeletes = () =>
    new Proxy(env.KV, {
      get(target, property) {
        if (property === 'delete') {
          return async () => {
            throw new Error('KV is unavailable');
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  it('still answers a password reset 200', async () => {
    const harness = createHarness({ env: { KV: failingDeletes() } });
    const { identity } = await signedInUser(harness, 'kvreset');
    expect((await resetPassword(harness, identity.email, 'a whole new password')).status).toBe(200);
    expect(harness.logs.some((line) => line.includes('"email_token.delete_failed"'))).toBe(true);
  });

  it('still answers an email verification 200', async () => {
    const harness = createHarness({ env: { KV: failingDeletes() } });
    const identity = uniqueIdentity('kvverify');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    expect((await harness.request('/auth/verify-email', { method: 'POST', json: { token } })).status).toBe(200);
  });
});
