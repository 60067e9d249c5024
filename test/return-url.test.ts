import { describe, expect, it } from 'vitest';
import { allowedReturnUrl } from '../src/pages/return-url';
import { createHarness, signedInUser } from './support/harness';

const ORIGIN = 'https://latchkey.test';

// Each resolves, before this fix, to a path that starts with "//", which a browser reads as
// another host; the backslash forms are what browsers turn into the same thing.
const resolvingToAnotherHost = [
  '/.//evil.example',
  '/././/evil.example',
  '/a/..//evil.example',
  '/a/b/../..//evil.example',
  '/%2e%2e//evil.example',
  '/%2E%2E//evil.example',
  '/%2e//evil.example',
  '/.%2e//evil.example',
  '/..//evil.example/account?x=1',
  '/.\\/evil.example',
  '/a/..\\\\evil.example',
  '/%2e%2e\\/evil.example',
  '/.\\\\evil.example',
];

describe('return URLs that resolve to another host', () => {
  for (const candidate of resolvingToAnotherHost) {
    it(`refuses ${candidate}`, () => {
      expect(allowedReturnUrl(candidate, ORIGIN, [])).toBeNull();
      expect(allowedReturnUrl(candidate, ORIGIN, ['https://app.example'])).toBeNull();
    });
  }

  it('still keeps a path whose dot segments resolve to a same-origin path', () => {
    expect(allowedReturnUrl('/a/../account', ORIGIN, [])).toBe('/account');
    expect(allowedReturnUrl('/./account?tab=1', ORIGIN, [])).toBe('/account?tab=1');
    expect(allowedReturnUrl('/%2e%2e/account', ORIGIN, [])).toBe('/account');
  });

  it('does not carry /.//evil.example into the sign-in form', async () => {
    const response = await createHarness().request(`/signin?redirect_to=${encodeURIComponent('/.//evil.example')}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain('name="redirect_to"');
    expect(html).not.toContain('evil.example');
  });

  it('sends the browser to /account, not //evil.example, after signing in with /%2e%2e//evil.example', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'ret');
    const page = await harness.request('/signin');
    const csrf = /__Host-latchkey-csrf=([^;]+)/.exec(page.headers.getSetCookie().join('\n'))![1]!;
    for (const redirectTo of ['/%2e%2e//evil.example', '/a/..//evil.example', '/.//evil.example']) {
      const response = await harness.request('/signin', {
        method: 'POST',
        headers: {
          cookie: `__Host-latchkey-csrf=${csrf}`,
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({
          csrf,
          identifier: identity.username,
          password: identity.password,
          redirect_to: redirectTo,
        }).toString(),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/account');
    }
  });
});
