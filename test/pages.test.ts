import { describe, expect, it } from 'vitest';
import { allowedReturnUrl } from '../src/pages/return-url';
import { type Harness, createHarness, signedInUser } from './support/harness';
import { Jar, PAGE_ORIGIN, browserSignedIn, visit } from './support/page-browser';
import { addPasskey, testAuthenticator } from './support/passkeys';

const ORIGIN = PAGE_ORIGIN;

async function post(
  harness: Harness,
  jar: Jar,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' },
) {
  const response = await harness.request(path, {
    method: 'POST',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  jar.take(response);
  return response;
}

describe('return-URL allowlist', () => {
  const allowlist = ['https://app.example/welcome', 'https://other.example'];

  it('keeps a same-origin path', () => {
    expect(allowedReturnUrl('/account?tab=1', ORIGIN, [])).toBe('/account?tab=1');
  });

  it('refuses protocol-relative and backslash targets that browsers read as another host', () => {
    for (const candidate of [
      '//evil.example',
      '//evil.example/account',
      '/\\evil.example',
      '/\tevil',
      '\\\\evil.example',
    ]) {
      expect(allowedReturnUrl(candidate, ORIGIN, allowlist)).toBeNull();
    }
  });

  it('refuses an absolute URL to an origin that is not listed', () => {
    expect(allowedReturnUrl('https://evil.example/', ORIGIN, allowlist)).toBeNull();
    expect(allowedReturnUrl('https://app.example.evil.example/welcome', ORIGIN, allowlist)).toBeNull();
    expect(allowedReturnUrl('javascript:alert(1)', ORIGIN, allowlist)).toBeNull();
  });

  it('accepts a listed origin, and a listed prefix only on a whole path segment', () => {
    expect(allowedReturnUrl('https://other.example/any/where', ORIGIN, allowlist)).toBe(
      'https://other.example/any/where',
    );
    expect(allowedReturnUrl('https://app.example/welcome/back', ORIGIN, allowlist)).toBe(
      'https://app.example/welcome/back',
    );
    expect(allowedReturnUrl('https://app.example/welcomed', ORIGIN, allowlist)).toBeNull();
    expect(allowedReturnUrl('https://app.example/', ORIGIN, allowlist)).toBeNull();
  });

  it('sends the browser to /account instead of an unlisted absolute URL after sign-in', async () => {
    const { response } = await browserSignedIn(createHarness(), { redirectTo: 'https://evil.example/steal' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
  });

  it('sends the browser to /account instead of //evil.example after sign-in', async () => {
    const { response } = await browserSignedIn(createHarness(), { redirectTo: '//evil.example' });
    expect(response.headers.get('location')).toBe('/account');
  });

  it('follows a redirect_to on the configured allowlist', async () => {
    const harness = createHarness({ env: { RETURN_URL_ALLOWLIST: 'https://app.example/welcome' } });
    const { response } = await browserSignedIn(harness, { redirectTo: 'https://app.example/welcome/home' });
    expect(response.headers.get('location')).toBe('https://app.example/welcome/home');
  });
});

describe('CSRF protection of page forms', () => {
  it('refuses a form posted from another origin', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const response = await post(
      harness,
      jar,
      '/signin',
      { csrf: jar.csrf, identifier: 'someone', password: 'x' },
      {
        origin: 'https://evil.example',
      },
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('sent from another site');
  });

  it('refuses a form whose Sec-Fetch-Site is cross-site even with a matching token', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const response = await post(
      harness,
      jar,
      '/signin',
      { csrf: jar.csrf, identifier: 'someone', password: 'x' },
      {
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(response.status).toBe(403);
  });

  it('refuses a same-origin form without its token', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const response = await post(harness, jar, '/signin', { identifier: 'someone', password: 'x' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('has expired or was not sent from this site');
  });

  it('refuses a form whose token does not match its cookie', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const forged = `${jar.csrf.slice(0, -1)}${jar.csrf.endsWith('A') ? 'B' : 'A'}`;
    const response = await post(harness, jar, '/signin', { csrf: forged, identifier: 'someone', password: 'x' });
    expect(response.status).toBe(403);
  });

  it('leaves the JSON API its own strict policy', async () => {
    const response = await createHarness().request('/auth/login', {
      method: 'POST',
      json: { identifier: 'nobody_here', password: 'wrong password' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-security-policy')).not.toContain('style-src');
  });
});

describe('pages', () => {
  it('send a CSP that allows only their own stylesheet', async () => {
    const response = await visit(createHarness(), new Jar(), '/register');
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "style-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('let only the passkey pages load script, and only their own module', async () => {
    const harness = createHarness();
    const csp = (await visit(harness, new Jar(), '/signin')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const page = await (await visit(harness, new Jar(), '/signin')).text();
    expect(page).toContain('<script type="module" src="/assets/passkeys.js"></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const script = await harness.request('/assets/passkeys.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('parseCreationOptionsFromJSON');
  });

  it('redirect a signed-out visitor from /account to /signin', async () => {
    const response = await visit(createHarness(), new Jar(), '/account');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/signin?redirect_to=%2Faccount');
  });

  it('show a wrong password next to the password field, as a sentence', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'wrongpw');
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const response = await post(harness, jar, '/signin', {
      csrf: jar.csrf,
      identifier: identity.email,
      password: 'not the password',
    });
    const html = await response.text();
    expect(response.status).toBe(401);
    expect(html).toContain('aria-describedby="field-password-error"');
    expect(html).toMatch(/id="field-password-error">That username or email and password do not match/);
  });

  it('sign in, show the account, and sign out', async () => {
    const harness = createHarness();
    const { identity, jar, response } = await browserSignedIn(harness);
    expect(response.headers.get('location')).toBe('/account');
    const account = await visit(harness, jar, '/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(identity.username);
    const signedOut = await post(harness, jar, '/signout', { csrf: jar.csrf });
    expect(signedOut.headers.get('location')).toBe('/signin?notice=signed-out');
    expect((await visit(harness, jar, '/account')).status).toBe(303);
  });

  it('sign out another session from /account', async () => {
    const harness = createHarness();
    const first = await browserSignedIn(harness);
    const second = new Jar();
    await visit(harness, second, '/signin');
    await post(harness, second, '/signin', {
      csrf: second.csrf,
      identifier: first.identity.username,
      password: first.identity.password,
    });
    const page = await (await visit(harness, first.jar, '/account')).text();
    const ids = [...page.matchAll(/name="session" value="([^"]+)"/g)].map((match) => match[1]!);
    expect(ids).toHaveLength(3); // the API login of signedInUser, and the two browsers
    const current =
      /<li class="session">(?:(?!<\/li>).)*This browser(?:(?!<\/li>).)*name="session" value="([^"]+)"/s.exec(page)![1];
    const secondAccount = await (await visit(harness, second, '/account')).text();
    const secondId =
      /<li class="session">(?:(?!<\/li>).)*This browser(?:(?!<\/li>).)*name="session" value="([^"]+)"/s.exec(
        secondAccount,
      )![1]!;
    expect(secondId).not.toBe(current);
    const revoked = await post(harness, first.jar, '/account/sessions/revoke', {
      csrf: first.jar.csrf,
      session: secondId,
    });
    expect(revoked.headers.get('location')).toBe('/account?notice=session-revoked');
    expect((await visit(harness, second, '/account')).status).toBe(303);
    expect((await visit(harness, first.jar, '/account')).status).toBe(200);
  });

  it('renew an expired access cookie from the refresh cookie on a form post (a GET only reads it)', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const firstAccess = jar.cookies.get('__Host-latchkey-access');
    harness.clock.advance(11 * 60 * 1000);
    const account = await visit(harness, jar, '/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(identity.username);
    const changed = await post(harness, jar, '/account/password', {
      csrf: jar.csrf,
      currentPassword: identity.password,
      newPassword: 'a brand new secret',
    });
    expect(changed.headers.get('location')).toBe('/account?notice=password-changed');
    expect(jar.cookies.get('__Host-latchkey-access')).not.toBe(firstAccess);
  });

  it('answer a session id of another user as already ended', async () => {
    const harness = createHarness();
    const victim = await browserSignedIn(harness);
    const victimPage = await (await visit(harness, victim.jar, '/account')).text();
    const victimSession = /name="session" value="([^"]+)"/.exec(victimPage)![1]!;
    const attacker = await browserSignedIn(harness);
    const response = await post(harness, attacker.jar, '/account/sessions/revoke', {
      csrf: attacker.jar.csrf,
      session: victimSession,
    });
    expect(response.status).toBe(404);
    expect((await visit(harness, victim.jar, '/account')).status).toBe(200);
  });

  it('change the password, keep this browser signed in, and refuse a wrong current password', async () => {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const wrong = await post(harness, jar, '/account/password', {
      csrf: jar.csrf,
      currentPassword: 'nope nope nope',
      newPassword: 'a brand new secret',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('id="field-currentPassword-error"');
    const short = await post(harness, jar, '/account/password', {
      csrf: jar.csrf,
      currentPassword: identity.password,
      newPassword: 'short',
    });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('New password must be 8 to 128 characters.');
    const changed = await post(harness, jar, '/account/password', {
      csrf: jar.csrf,
      currentPassword: identity.password,
      newPassword: 'a brand new secret',
    });
    expect(changed.headers.get('location')).toBe('/account?notice=password-changed');
    expect((await visit(harness, jar, '/account')).status).toBe(200);
  });

  it('refuse an invalid registration field by field', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/register');
    const response = await post(harness, jar, '/register', {
      csrf: jar.csrf,
      username: 'x',
      email: 'not-mail',
      password: 'short',
    });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain('id="field-username-error"');
    expect(html).toContain('id="field-email-error"');
    expect(html).toContain('id="field-password-error"');
    expect(html).not.toContain('"code"');
  });
});

describe('development mailbox', () => {
  it('answers JSON to API clients and a page to browsers', async () => {
    const harness = createHarness();
    const json = await harness.request('/dev/mailbox', { headers: { accept: '*/*' } });
    expect(json.headers.get('content-type')).toContain('application/json');
    const page = await harness.request('/dev/mailbox', {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('page rate limits', () => {
  it('answers a page, not JSON, once a client passes the sign-in limit', async () => {
    const harness = createHarness();
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) {
      last = await post(harness, jar, '/signin', {
        csrf: jar.csrf,
        identifier: `nobody_${i}`,
        password: 'wrong password',
      });
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('content-type')).toContain('text/html');
    expect(last!.headers.get('retry-after')).toBe('60');
    expect(await last!.text()).toContain('Too many attempts');
  });
});

describe('the Passkeys card', () => {
  async function withPasskey() {
    const harness = createHarness();
    const { identity, jar } = await browserSignedIn(harness);
    const login = await harness.request('/auth/login', {
      method: 'POST',
      json: { identifier: identity.username, password: identity.password },
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const added = await addPasskey(harness, testAuthenticator(), { token: accessToken, password: identity.password });
    const { passkey } = (await added.json()) as { passkey: { id: string } };
    return { harness, identity, jar, passkey };
  }

  it('lists the passkeys, with adding hidden until the script finds WebAuthn', async () => {
    const { harness, jar } = await withPasskey();
    const page = await (await visit(harness, jar, '/account')).text();
    expect(page).toContain('Passkeys');
    expect(page).toContain('data-testid="passkey"');
    expect(page).toMatch(/<form data-passkey-add[^>]*\bhidden\b/);
  });

  it('renames a passkey with a plain form post', async () => {
    const { harness, jar, passkey } = await withPasskey();
    const response = await post(harness, jar, '/account/passkeys/rename', {
      csrf: jar.csrf,
      passkey: passkey.id,
      name: 'Laptop',
    });
    expect(response.headers.get('location')).toBe('/account?notice=passkey-renamed');
    expect(await (await visit(harness, jar, '/account')).text()).toContain('Laptop');
  });

  it('removes a passkey only with the right password', async () => {
    const { harness, identity, jar, passkey } = await withPasskey();
    const wrong = await post(harness, jar, '/account/passkeys/remove', {
      csrf: jar.csrf,
      passkey: passkey.id,
      password: 'nope nope nope',
    });
    expect(wrong.status).toBe(401);
    const removed = await post(harness, jar, '/account/passkeys/remove', {
      csrf: jar.csrf,
      passkey: passkey.id,
      password: identity.password,
    });
    expect(removed.headers.get('location')).toBe('/account?notice=passkey-removed');
    expect(await (await visit(harness, jar, '/account')).text()).toContain('You have no passkeys yet.');
  });
});
