// The per-account lock-out on password guessing, through the worker.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser } from '../support/harness';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

async function failureCount(userId: string): Promise<number> {
  const row = await env.DB.prepare('select count from throttle_counters where key = ?')
    .bind(`login:user:${userId}`)
    .first<{ count: number }>();
  return row?.count ?? 0;
}

describe('per-account login throttle', () => {
  it('locks the account after 10 failures, even for the right password, from any address', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 10; i++) {
      const attempt = await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
      expect(attempt.status).toBe(401);
    }
    const right = await login(harness, identity.username, identity.password, { 'cf-connecting-ip': '192.0.2.200' });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await right.json()).toMatchObject({ code: 'rate_limited' });
    // By the other identifier the refusal looks like a wrong password (see the enumeration test).
    const byEmail = await login(harness, identity.email, identity.password, { 'cf-connecting-ip': '192.0.2.201' });
    expect(byEmail.status).toBe(401);
    expect(await byEmail.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('lets the account in again after the back-off period', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 10; i++)
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    harness.clock.advance(15 * 60 * 1000 + 1000);
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
  });

  it('clears the count on a successful login', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    for (let i = 0; i < 9; i++)
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    expect((await login(harness, identity.username, identity.password)).status).toBe(200);
    expect(await failureCount(tokens.user.id)).toBe(0);
    expect((await login(harness, identity.username, 'wrong password')).status).toBe(401);
    expect(await failureCount(tokens.user.id)).toBe(1);
  });

  it('counts 50 parallel failures as exactly 50', async () => {
    const harness = createHarness({ env: { LOGIN_MAX_FAILURES: '100' } });
    const { identity, tokens } = await signedInUser(harness);
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        login(harness, identity.username, `wrong password ${i}`, {
          'cf-connecting-ip': `2001:db8:50:${i.toString(16)}::1`, // one /64 each: a client per attempt
        }),
      ),
    );
    expect(attempts.every((response) => response.status === 401)).toBe(true);
    expect(await failureCount(tokens.user.id)).toBe(50);
    // Fifty real PBKDF2 hashes: well under a second on an idle machine, more on a busy CI runner.
  }, 30_000);

  it('answers a throttled unknown identifier exactly like a throttled real one', async () => {
    const harness = createHarness({ env: { LOGIN_MAX_FAILURES: '3' } });
    const { identity } = await signedInUser(harness);
    const ghost = `ghost_${identity.username}`;
    for (let i = 0; i < 3; i++) {
      await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
      await login(harness, ghost, 'wrong password', { 'cf-connecting-ip': `192.0.2.${i}` });
    }
    const real = await login(harness, identity.username, 'wrong password', { 'cf-connecting-ip': '192.0.2.9' });
    const unknown = await login(harness, ghost, 'wrong password', { 'cf-connecting-ip': '192.0.2.9' });
    expect(real.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(await unknown.json()).toEqual(await real.json());
    expect(unknown.headers.get('retry-after')).toBe(real.headers.get('retry-after'));
  });
});
