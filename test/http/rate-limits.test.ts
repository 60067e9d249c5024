// Per-client rate limits and the per-address mail quota, through the worker.
import { beforeEach, describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser } from '../support/harness';
import { inFreshRateWindow } from '../support/rate-window';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

describe('per-client rate limits', () => {
  // Each test counts up to a limit of the local limiter; the hook's timeout leaves room for the wait.
  beforeEach(() => inFreshRateWindow(), 20_000);

  it('answers 429 rate_limited with Retry-After once a client passes the login limit', async () => {
    const harness = createHarness();
    const statuses: number[] = [];
    // A different identifier each time, so the per-account throttle does not answer first.
    for (let i = 0; i < 20; i++) statuses.push((await login(harness, `nobody_${i}`, 'wrong password')).status);
    expect(statuses.every((status) => status === 401)).toBe(true);
    const limited = await login(harness, 'nobody_20', 'wrong password');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('keys the limit on CF-Connecting-IP, not on X-Forwarded-For', async () => {
    const harness = createHarness();
    for (let i = 0; i < 20; i++) {
      await login(harness, `nobody_${i}`, 'wrong password', { 'x-forwarded-for': `198.51.100.${i}` });
    }
    const spoofed = await login(harness, 'nobody_20', 'wrong password', { 'x-forwarded-for': '198.51.100.250' });
    expect(spoofed.status).toBe(429);
    const otherClient = await login(harness, 'nobody_21', 'wrong password', {
      'cf-connecting-ip': `192.0.2.${Math.floor(Math.random() * 250)}`,
    });
    expect(otherClient.status).toBe(401);
  });

  it('limits forgot-password per client more tightly', async () => {
    const harness = createHarness();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await harness.request('/auth/forgot-password', { method: 'POST', json: { email: 'x@example.com' } })).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('mail quota', () => {
  it('sends at most 3 reset mails per address per hour while the answer never changes', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness);
    for (let i = 0; i < 5; i++) {
      const response = await harness.request('/auth/forgot-password', {
        method: 'POST',
        json: { email: identity.email },
        headers: { 'cf-connecting-ip': `192.0.2.${i}` },
      });
      expect(response.status).toBe(202);
    }
    const resets = (await harness.mailbox()).filter(
      (mail) => mail.to === identity.email && mail.subject.includes('Reset'),
    );
    expect(resets).toHaveLength(3);
    harness.clock.advance(60 * 60 * 1000 + 1000);
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const later = (await harness.mailbox()).filter(
      (mail) => mail.to === identity.email && mail.subject.includes('Reset'),
    );
    expect(later).toHaveLength(4);
  });
});
