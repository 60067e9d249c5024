// The lock-out holds when requests run in parallel (issue 8).
import { describe, expect, it } from 'vitest';
import {
  type Harness,
  type PasswordChecks,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from '../support/harness';

const login = (harness: Harness, identifier: string, password: string, address?: string) =>
  harness.request('/auth/login', {
    method: 'POST',
    json: { identifier, password },
    headers: address ? { 'cf-connecting-ip': address } : {},
  });

/** One client per request: each from its own IPv6 /64 and IPv4 address space. */
const address = (i: number) =>
  `2001:db8:${(0x1000 + i).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;

async function resetPassword(harness: Harness, email: string, password: string) {
  await harness.request('/auth/forgot-password', { method: 'POST', json: { email } });
  const token = await tokenFromMail(harness, email, '/reset-password');
  return harness.request('/auth/reset-password', { method: 'POST', json: { token, password } });
}

const counts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>(
    (tally, { status }) => ({ ...tally, [status]: (tally[status] ?? 0) + 1 }),
    {},
  );

describe('the lock-out under a burst', () => {
  it('checks at most 10 passwords of one account for 40 parallel wrong logins', async () => {
    const checks: PasswordChecks = { verify: 0, verifyDummy: 0 };
    const harness = createHarness({ passwordChecks: checks });
    const { identity } = await signedInUser(harness, 'burst');
    checks.verify = 0;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(harness, identity.username, `wrong password ${i}`, address(i))),
    );
    expect(counts(answers)).toEqual({ 401: 10, 429: 30 });
    expect(checks.verify).toBe(10);
    const right = await login(harness, identity.username, identity.password, address(99));
    expect(right.status).toBe(429);
    expect(checks.verify).toBe(10);
  });

  it('caps the checks per account when the burst mixes its username and email', async () => {
    const checks: PasswordChecks = { verify: 0, verifyDummy: 0 };
    const harness = createHarness({ passwordChecks: checks });
    const { identity } = await signedInUser(harness, 'mixed');
    checks.verify = 0;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(harness, i % 2 ? identity.email : identity.username, `wrong password ${i}`, address(i)),
      ),
    );
    // Each identifier grants 10 attempts; the 10 the account could not check cost a dummy hash.
    expect(counts(answers)).toEqual({ 401: 20, 429: 20 });
    expect(checks.verify).toBe(10);
    expect(checks.verifyDummy).toBe(10);
  });
});

describe('lock-out side effects', () => {
  it('answers the email of an account locked by username like any unknown email', async () => {
    const checks: PasswordChecks = { verify: 0, verifyDummy: 0 };
    const harness = createHarness({ passwordChecks: checks });
    const { identity } = await signedInUser(harness, 'alice');
    for (let i = 0; i < 10; i++) await login(harness, identity.username, 'wrong password', address(i));
    expect((await login(harness, identity.username, 'wrong password', address(20))).status).toBe(429);

    const dummiesBefore = checks.verifyDummy;
    const hers = await login(harness, identity.email, 'wrong password', address(21));
    const nobodys = await login(harness, uniqueIdentity('nobody').email, 'wrong password', address(22));
    expect(hers.status).toBe(401);
    expect(nobodys.status).toBe(401);
    expect(await hers.json()).toEqual(await nobodys.json());
    expect(hers.headers.get('retry-after')).toBe(nobodys.headers.get('retry-after'));
    // Same cost: one dummy derivation each, and no check of her password.
    expect(checks.verifyDummy - dummiesBefore).toBe(2);
    // Even her right password is not checked while her account's count is spent.
    expect((await login(harness, identity.email, identity.password, address(23))).status).toBe(401);
  });

  it('lifts the lock-out when the password is reset', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'relock');
    for (let i = 0; i < 10; i++) await login(harness, identity.username, 'wrong password', address(i));
    expect((await login(harness, identity.username, identity.password, address(20))).status).toBe(429);
    expect((await resetPassword(harness, identity.email, 'a whole new password')).status).toBe(200);
    expect((await login(harness, identity.username, 'a whole new password', address(21))).status).toBe(200);
  });
});
