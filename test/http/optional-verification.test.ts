// EMAIL_VERIFICATION=optional: sign-up answers with a session, sign-in does not wait for the
// verified address, and /me tells the address is unverified until the mailed link is used.
import { describe, expect, it } from 'vitest';
import { type TokenBody, createHarness, tokenFromMail, uniqueIdentity } from '../support/harness';

const optional = () => createHarness({ env: { EMAIL_VERIFICATION: 'optional' } });

describe('sign-up with EMAIL_VERIFICATION=optional', () => {
  it('answers 201 with the tokens response and the session cookies', async () => {
    const harness = optional();
    const identity = uniqueIdentity('opt');
    const response = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(response.status).toBe(201);
    const body = (await response.json()) as TokenBody;
    expect(body).toMatchObject({ tokenType: 'Bearer', user: { email: identity.email, emailVerified: false } });
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body.refreshToken).toEqual(expect.any(String));
    expect(response.headers.getSetCookie().map((cookie) => cookie.split('=')[0])).toEqual([
      '__Host-latchkey-access',
      '__Host-latchkey-refresh',
    ]);
    const me = await harness.request('/me', { token: body.accessToken });
    expect(await me.json()).toMatchObject({ emailVerified: false });
  });

  it('signs in through the /user/register alias too', async () => {
    const harness = optional();
    const response = await harness.request('/user/register', { method: 'POST', json: uniqueIdentity('opt') });
    expect(response.status).toBe(201);
    expect(await response.json()).toHaveProperty('accessToken');
  });

  it('still mails the verification link, and /me shows the address verified once it is used', async () => {
    const harness = optional();
    const identity = uniqueIdentity('opt');
    const body = (await (
      await harness.request('/auth/register', { method: 'POST', json: identity })
    ).json()) as TokenBody;
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    expect((await harness.request('/auth/verify-email', { method: 'POST', json: { token } })).status).toBe(200);
    const me = await harness.request('/me', { token: body.accessToken });
    expect(await me.json()).toMatchObject({ emailVerified: true });
  });

  it('lets an unverified user sign in', async () => {
    const harness = optional();
    const identity = uniqueIdentity('opt');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const response = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { emailVerified: false } });
  });

  it('keeps refusing a taken username with 409', async () => {
    const harness = optional();
    const identity = uniqueIdentity('opt');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const again = await harness.request('/auth/register', { method: 'POST', json: identity });
    expect(again.status).toBe(409);
    expect(again.headers.getSetCookie()).toEqual([]);
  });
});

describe('sign-up with EMAIL_VERIFICATION=required (the default)', () => {
  it('answers { user } without a session', async () => {
    const harness = createHarness();
    const response = await harness.request('/auth/register', { method: 'POST', json: uniqueIdentity('req') });
    expect(response.status).toBe(201);
    expect(Object.keys(await response.json())).toEqual(['user']);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
