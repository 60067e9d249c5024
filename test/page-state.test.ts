import { describe, expect, it } from 'vitest';
import { createHarness, signedInUser, tokenFromMail } from './support/harness';
import { Jar, browserSignedIn, postForm, visit } from './support/page-browser';

describe('reset page and the password policy', () => {
  it('says why the policy refused the new password and keeps the token for a retry', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'resetpolicy');
    await harness.request('/auth/forgot-password', { method: 'POST', json: { email: identity.email } });
    const token = await tokenFromMail(harness, identity.email, '/reset-password');
    const jar = new Jar();
    await visit(harness, jar, `/reset-password?token=${token}`);
    const refused = await postForm(harness, jar, '/reset-password', { token, password: `${identity.username}!2026` });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/id="field-password-error">The password must not contain your username\./);
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).not.toContain('not valid');
    const retried = await postForm(harness, jar, '/reset-password', { token, password: 'a brand new secret' });
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe('/signin?notice=password-reset');
  });
});

describe('GET /account never changes state', () => {
  it('sets no cookie for a signed-in browser', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const response = await visit(harness, jar, '/account');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(identity.username);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('shows the account from the refresh cookie once the access cookie expired, without rotating it', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const refreshToken = jar.cookies.get('__Host-latchkey-refresh')!;
    harness.clock.advance(11 * 60 * 1000);
    const response = await visit(harness, jar, '/account');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(identity.username);
    expect(response.headers.getSetCookie()).toEqual([]);
    // Past the grace window, a token a GET had rotated would now count as reuse and be refused.
    harness.clock.advance(5 * 60 * 1000);
    const refreshed = await harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } });
    expect(refreshed.status).toBe(200);
  });

  it('sends a browser with dead session cookies to sign in without touching its cookies', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness);
    harness.clock.advance(31 * 24 * 60 * 60 * 1000);
    const response = await visit(harness, jar, '/account');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signin?redirect_to=%2Faccount');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('does not accept a rotated refresh cookie for a read', async () => {
    const harness = createHarness();
    const { jar } = await browserSignedIn(harness);
    const refreshToken = jar.cookies.get('__Host-latchkey-refresh')!;
    expect((await harness.request('/auth/refresh', { method: 'POST', json: { refreshToken } })).status).toBe(200);
    harness.clock.advance(11 * 60 * 1000);
    expect((await visit(harness, jar, '/account')).status).toBe(303);
  });
});
