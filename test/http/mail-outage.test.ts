// The mail provider down: the request that sends mail still succeeds (mail runs after the answer),
// each mail that finally fails is logged once as `mail.failed` with its kind and nothing that
// would identify the recipient or open the account, and asking again once the provider is back
// sends a link that works.
import { describe, expect, it } from 'vitest';
import { MAIL_ATTEMPTS } from '../../src/mail/resend-mailer';
import { createHarness, uniqueIdentity, RESEND_PRODUCTION_ENV } from '../support/harness';

/** A provider that is down until `up` is set. */
function provider() {
  const state = { up: false };
  const fetch = async () =>
    state.up ? new Response('{"id":"1"}', { status: 200 }) : new Response('{"message":"down"}', { status: 503 });
  return { state, fetch };
}

async function linkIn(request: Request, path: string): Promise<string> {
  const body = (await request.clone().json()) as { text: string };
  return new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(body.text)![1]!;
}

describe('mail provider down', () => {
  it('registers anyway, logs the lost verification mail once, and a later resend sends a working link', async () => {
    const mail = provider();
    const harness = createHarness({ env: RESEND_PRODUCTION_ENV, fetch: mail.fetch });
    const identity = uniqueIdentity('maildown');

    const registered = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(registered.status).toBe(201);
    expect(harness.outbound).toHaveLength(MAIL_ATTEMPTS);
    const failures = harness.logs.filter((line) => line.includes('"mail.failed"'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!)).toMatchObject({ event: 'mail.failed', kind: 'verify_email' });
    expect(failures[0]).not.toContain(identity.email);
    expect(failures[0]).not.toContain('token');

    mail.state.up = true;
    const resend = await harness.request('/auth/resend-verification', {
      method: 'POST',
      json: { email: identity.email },
    });
    expect(resend.status).toBe(202);
    const sent = harness.outbound.at(-1)!;
    const verified = await harness.request('/auth/verify-email', {
      method: 'POST',
      json: { token: await linkIn(sent, '/verify-email') },
    });
    expect(verified.status).toBe(200);
    expect(harness.logs.filter((line) => line.includes('"mail.failed"'))).toHaveLength(1);
  });

  it('answers forgot-password 202 while the provider is down, and the next request mails a working reset link', async () => {
    const mail = provider();
    const harness = createHarness({ env: RESEND_PRODUCTION_ENV, fetch: mail.fetch });
    const identity = uniqueIdentity('resetdown');
    mail.state.up = true;
    await harness.request('/auth/register', { method: 'POST', json: identity });
    mail.state.up = false;

    const forgot = await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    expect(forgot.status).toBe(202);
    const failures = harness.logs.filter((line) => line.includes('"mail.failed"'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!)).toMatchObject({ kind: 'reset_password' });

    mail.state.up = true;
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const reset = await harness.request('/auth/reset-password', {
      method: 'POST',
      json: { token: await linkIn(harness.outbound.at(-1)!, '/reset-password'), password: 'a new horse battery' },
    });
    expect(reset.status).toBe(200);
  });
});
