import { describe, expect, it } from 'vitest';
import { MAIL_ATTEMPTS, RESEND_ENDPOINT, createResendMailer } from '../src/mail/resend-mailer';
import { faultyFetch } from './support/faults';
import { createHarness, uniqueIdentity, RESEND_PRODUCTION_ENV } from './support/harness';

const noWait = async () => {};

describe('Resend mail', () => {
  it('posts the verification mail to the Resend API with the key, sender and both bodies', async () => {
    const harness = createHarness({ env: RESEND_PRODUCTION_ENV });
    const identity = uniqueIdentity();
    const response = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(response.status).toBe(201);
    expect(harness.outbound).toHaveLength(1);
    const request = harness.outbound[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://api.resend.com/emails');
    expect(request.headers.get('authorization')).toBe('Bearer re_test_key');
    expect(request.headers.get('content-type')).toBe('application/json');
    const body = (await request.json()) as Record<string, unknown>;
    expect(body).toEqual({
      from: 'Latchkey <auth@example.com>',
      to: [identity.email],
      subject: 'Verify your email for Latchkey',
      text: expect.stringMatching(/https:\/\/auth\.example\/verify-email\?token=[A-Za-z0-9_-]{43}/),
      html: expect.stringContaining('href="https://auth.example/verify-email?token='),
    });
  });

  it('retries a failing provider a bounded number of times, and never turns the request into an error', async () => {
    const harness = createHarness({
      env: RESEND_PRODUCTION_ENV,
      fetch: async () => new Response('{"message":"down"}', { status: 503 }),
    });
    const response = await harness.request('/auth/register', { method: 'POST', json: uniqueIdentity() });
    expect(response.status).toBe(201);
    expect(harness.outbound).toHaveLength(MAIL_ATTEMPTS);
    const failure = harness.logs.find((line) => line.includes('mail.failed'));
    expect(failure).toBeDefined();
    expect(failure).not.toContain('token=');
  });

  it('builds links from APP_URL, never from the Host header', async () => {
    const harness = createHarness({ env: RESEND_PRODUCTION_ENV });
    const identity = uniqueIdentity();
    await harness.request('/auth/register', { method: 'POST', json: identity, headers: { host: 'evil.example' } });
    const body = (await harness.outbound[0]!.json()) as { text: string };
    expect(body.text).not.toContain('evil.example');
    expect(body.text).toContain('https://auth.example/');
  });

  it('delivers on the retry when the first attempt throws', async () => {
    let calls = 0;
    const mailer = createResendMailer({
      apiKey: 'k',
      from: 'a@example.com',
      fetch: async (input) => {
        calls += 1;
        if (calls === 1) throw new TypeError('network');
        expect(String(input)).toBe(RESEND_ENDPOINT);
        return new Response('{}', { status: 200 });
      },
    });
    await mailer.send({ to: 'b@example.com', subject: 's', text: 't', html: 'h' });
    expect(calls).toBe(2);
  });

  it('gives up on a hung provider after its timeout, on every attempt, without hanging', async () => {
    const { fetch: hung, calls } = faultyFetch(fetch, [{ hang: true }]);
    const mailer = createResendMailer({
      apiKey: 'k',
      from: 'a@example.com',
      fetch: hung,
      timeoutMs: 20,
      sleep: noWait,
    });
    await expect(mailer.send({ to: 'b@example.com', subject: 's', text: 't', html: 'h' })).rejects.toThrow();
    expect(calls).toHaveLength(MAIL_ATTEMPTS);
  });

  it('does not repeat a send the provider refused for good (a bad key)', async () => {
    let calls = 0;
    const mailer = createResendMailer({
      apiKey: 'k',
      from: 'a@example.com',
      sleep: noWait,
      fetch: async () => {
        calls += 1;
        return new Response('{}', { status: 401 });
      },
    });
    await expect(mailer.send({ to: 'b@example.com', subject: 's', text: 't', html: 'h' })).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
