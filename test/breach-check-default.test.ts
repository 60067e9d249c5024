import { describe, expect, it } from 'vitest';
import type { Env } from '../src/config';
import { createHarness, uniqueIdentity } from './support/harness';

const production: Partial<Env> = {
  ENVIRONMENT: 'production',
  APP_URL: 'https://auth.example',
  MAIL_PROVIDER: 'resend',
  MAIL_FROM: 'Latchkey <auth@example.com>',
  RESEND_API_KEY: 're_test',
};

const RANGE_API = 'https://api.pwnedpasswords.com/range/';

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** Outbound fetch: the range API answers with `range` (or fails), mail to Resend is accepted. */
function outbound(range: (request: Request) => Promise<Response>) {
  return async (request: Request) =>
    request.url.startsWith(RANGE_API) ? range(request) : new Response('{"id":"mail"}', { status: 200 });
}

/** A range answer that lists the given password as breached 42 times. */
const listing = (password: string) => async () =>
  new Response(`0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n${(await sha1Hex(password)).slice(5)}:42`);

const rangeCalls = (harness: { outbound: Request[] }) =>
  harness.outbound.filter((request) => request.url.startsWith(RANGE_API));

describe('Have I Been Pwned check by default', () => {
  it('refuses a breached new password in production without any setting', async () => {
    const identity = uniqueIdentity('pwned');
    const harness = createHarness({ env: production, fetch: outbound(listing(identity.password)) });
    const response = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'password', message: expect.stringContaining('known data breach') }],
    });
    expect(rangeCalls(harness)).toHaveLength(1);
  });

  it('is off in production with PASSWORD_BREACH_CHECK=off', async () => {
    const identity = uniqueIdentity('pwnedoff');
    const harness = createHarness({
      env: { ...production, PASSWORD_BREACH_CHECK: 'off' },
      fetch: outbound(listing(identity.password)),
    });
    expect((await harness.request('/auth/register', { method: 'POST', json: identity })).status).toBe(201);
    expect(rangeCalls(harness)).toHaveLength(0);
  });

  it('is off in development unless asked for', async () => {
    const identity = uniqueIdentity('pwneddev');
    const harness = createHarness({ fetch: outbound(listing(identity.password)) });
    expect((await harness.request('/auth/register', { method: 'POST', json: identity })).status).toBe(201);
    expect(rangeCalls(harness)).toHaveLength(0);
  });

  it('fails open in production and logs one line without password material', async () => {
    const identity = uniqueIdentity('pwneddown');
    const harness = createHarness({
      env: production,
      fetch: outbound(async () => {
        throw new TypeError('network connection lost');
      }),
    });
    expect((await harness.request('/auth/register', { method: 'POST', json: identity })).status).toBe(201);
    const failures = harness.logs.filter((line) => line.includes('pwned_passwords'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!)).toMatchObject({ event: 'pwned_passwords.unavailable', reason: 'network' });
    const hash = await sha1Hex(identity.password);
    const text = harness.logs.join('\n');
    expect(text).not.toContain(identity.password);
    expect(text).not.toContain(hash.slice(0, 5));
    expect(text.toUpperCase()).not.toContain(hash.slice(5));
  });

  it('fails open in production when the range request times out, and logs the timeout', async () => {
    const identity = uniqueIdentity('pwnedslow');
    const harness = createHarness({
      env: production,
      // Stands for the service not answering in time: the abort signal's own TimeoutError (the
      // 1.5 s bound itself is tested on the checker, test/breached-passwords.test.ts).
      fetch: outbound(async () => {
        throw new DOMException('The operation timed out.', 'TimeoutError');
      }),
    });
    expect((await harness.request('/auth/register', { method: 'POST', json: identity })).status).toBe(201);
    const failures = harness.logs.filter((line) => line.includes('pwned_passwords'));
    expect(failures.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ event: 'pwned_passwords.unavailable', reason: 'timeout' }),
    ]);
  });
});
