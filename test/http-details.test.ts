import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser } from './support/harness';

const me = (harness: Harness, authorization?: string) =>
  harness.request('/me', authorization === undefined ? {} : { headers: { authorization } });

describe('the Bearer scheme', () => {
  it('accepts the auth scheme in any case (RFC 9110 section 11.1)', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      expect((await me(harness, `${scheme} ${tokens.accessToken}`)).status).toBe(200);
    }
  });
});

describe('WWW-Authenticate on every 401', () => {
  it('challenges a request that sent no token with a plain Bearer', async () => {
    const harness = createHarness();
    for (const response of [await me(harness), await me(harness, 'Basic dXNlcjpwYXNz')]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('says invalid_token when a sent token is refused: garbage, expired, or from a dead session', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const garbage = await me(harness, 'Bearer not-a-token');
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    harness.clock.advance(11 * 60 * 1000);
    const expired = await me(harness, `bearer ${tokens.accessToken}`);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const cookie = await harness.request('/me', {
      headers: { cookie: `__Host-latchkey-access=${tokens.accessToken}` },
    });
    expect(cookie.status).toBe(401);
    expect(cookie.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('challenges the 401 of a wrong password, at login and for a password confirmation', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: 'wrong password' },
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('www-authenticate')).toBe('Bearer');
    const change = await harness.request('/auth/change-password', {
      method: 'POST',
      token: tokens.accessToken,
      json: { currentPassword: 'wrong password', newPassword: 'a brand new passphrase' },
    });
    expect(change.status).toBe(401);
    // The token was fine; only the password was wrong, so no invalid_token.
    expect(change.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('challenges the 401 of the sign-in page', async () => {
    const harness = createHarness();
    const page = await harness.request('/signin', { headers: { accept: 'text/html' } });
    const csrf = /__Host-latchkey-csrf=([^;]+)/.exec(page.headers.getSetCookie().join('\n'))![1]!;
    const response = await harness.request('/signin', {
      method: 'POST',
      headers: {
        cookie: `__Host-latchkey-csrf=${csrf}`,
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
      },
      body: new URLSearchParams({ csrf, identifier: 'nobody_here', password: 'wrong password' }).toString(),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('trailing slashes', () => {
  it('answers GET /me/ 404, not 405 with an Allow that names GET', async () => {
    const harness = createHarness();
    const { tokens } = await signedInUser(harness);
    const response = await harness.request('/me/', { token: tokens.accessToken });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
    expect(await response.json()).toMatchObject({ code: 'not_found', detail: expect.stringContaining('try /me') });
  });

  it('answers every other trailing-slash route 404 whatever the method', async () => {
    const harness = createHarness();
    for (const [method, path] of [
      ['POST', '/auth/login/'],
      ['DELETE', '/me/'],
      ['GET', '/auth/sessions/'],
      ['GET', '/.well-known/jwks.json/'],
      ['DELETE', '/auth/sessions/abc/'],
    ] as const) {
      const response = await harness.request(path, { method, json: method === 'POST' ? {} : undefined });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('allow')).toBeNull();
    }
  });

  it('names only a fixed route in the hint, never what the client put in a parameter', async () => {
    const response = await createHarness().request('/auth/sessions/abc<b>/', { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not_found', detail: 'No such route.' });
  });

  it('still answers 405 with an Allow for a route that exists under other methods', async () => {
    const response = await createHarness().request('/me', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('DELETE, GET, HEAD');
  });
});
