// Browser cookies and the CSRF checks of cookie-authenticated requests.
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser, tokenFromMail, uniqueIdentity } from '../support/harness';

const login = (harness: Harness, identifier: string, password: string, headers: Record<string, string> = {}) =>
  harness.request('/auth/login', { method: 'POST', json: { identifier, password }, headers });

describe('browser cookies and CSRF', () => {
  async function cookieSession(harness: Harness) {
    const identity = uniqueIdentity('cookie');
    await harness.request('/auth/register', { method: 'POST', json: identity });
    const token = await tokenFromMail(harness, identity.email, '/verify-email');
    await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
    const response = await login(harness, identity.username, identity.password);
    const cookies = response.headers.getSetCookie();
    const cookieHeader = cookies.map((cookie) => cookie.split(';')[0]).join('; ');
    return { identity, cookies, cookieHeader };
  }

  it('sets __Host- cookies that are HttpOnly, Secure, SameSite=Lax, Path=/ and have no Domain', async () => {
    const { cookies } = await cookieSession(createHarness());
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-latchkey-(access|refresh)=/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it('accepts the cookie at /me instead of the Bearer header', async () => {
    const harness = createHarness();
    const { identity, cookieHeader } = await cookieSession(harness);
    const me = await harness.request('/me', { headers: { cookie: cookieHeader } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: identity.username });
  });

  it('refuses a cookie-authenticated logout from another origin, and from no origin at all', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const crossSite = await harness.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: cookieHeader, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'forbidden' });
    const noEvidence = await harness.request('/auth/logout', { method: 'POST', headers: { cookie: cookieHeader } });
    expect(noEvidence.status).toBe(403);
    expect((await harness.request('/me', { headers: { cookie: cookieHeader } })).status).toBe(200);
  });

  it('accepts a same-origin cookie logout and expires the cookies', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const response = await harness.request('/auth/logout', {
      method: 'POST',
      headers: { cookie: cookieHeader, origin: 'https://latchkey.test' },
    });
    expect(response.status).toBe(204);
    const cleared = response.headers.getSetCookie();
    expect(
      cleared.some((cookie) => cookie.startsWith('__Host-latchkey-access=;') && cookie.includes('Max-Age=0')),
    ).toBe(true);
    expect((await harness.request('/me', { headers: { cookie: cookieHeader } })).status).toBe(401);
  });

  it('refreshes from the cookie for a same-origin request and refuses it cross-site', async () => {
    const harness = createHarness();
    const { cookieHeader } = await cookieSession(harness);
    const cross = await harness.request('/auth/refresh', {
      method: 'POST',
      json: {},
      headers: { cookie: cookieHeader, 'sec-fetch-site': 'cross-site' },
    });
    expect(cross.status).toBe(403);
    const same = await harness.request('/auth/refresh', {
      method: 'POST',
      json: {},
      headers: { cookie: cookieHeader, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
  });

  it('exempts Bearer requests from the origin check', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/auth/logout', {
      method: 'POST',
      token: tokens.accessToken,
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(204);
  });

  it('allows credentials only for listed CORS origins, never "*"', async () => {
    const harness = createHarness({ env: { CORS_ORIGINS: 'https://app.example' } });
    const listed = await harness.request('/me', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await harness.request('/me', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const wildcard = createHarness({ env: { CORS_ORIGINS: '*' } });
    expect((await wildcard.request('/health')).status).toBe(500);
  });
});
